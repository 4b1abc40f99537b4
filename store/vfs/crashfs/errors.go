package crashfs

import "errors"

// ErrCrashed is returned by every operation on an FS, and on the files
// opened from it, after its Crash.
var ErrCrashed = errors.New("crashfs: file system has crashed")
