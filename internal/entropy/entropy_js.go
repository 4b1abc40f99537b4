//go:build js

package entropy

// defaultSource is nil in js builds: the program registers one.
var defaultSource func([]byte) error
