//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package vfs

import (
	"errors"
	"fmt"
	"io"
)

// lockFile is not supported on this platform: without a lock a second
// writer could corrupt the store, so opening for writing fails.
func lockFile(name string) (io.Closer, error) {
	return nil, fmt.Errorf("lock %s: %w", name, errors.ErrUnsupported)
}
