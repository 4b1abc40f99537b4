//go:build js && wasm

package indexeddb

// LiveFuncs returns the number of js.Funcs the package made and has not
// released.
func LiveFuncs() int64 { return liveFuncs.Load() }

// OpenFactory is Open with the IndexedDB factory given (to test a missing
// global).
var OpenFactory = open
