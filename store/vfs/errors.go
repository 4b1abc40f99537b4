package vfs

import "errors"

// ErrLocked is returned by FS.Lock when another holder (this process or
// another) has the lock.
var ErrLocked = errors.New("vfs: file is locked")
