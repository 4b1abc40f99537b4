package file

import "errors"

// ErrTooLarge is returned by Write when a key, a value or the whole encoded
// batch exceeds MaxKeyLen, MaxValueLen or MaxBatchLen. Nothing is written.
var ErrTooLarge = errors.New("store/file: key, value or batch too large")
