// Package vfs is the small file-system interface that store/file does all
// its I/O through, and its operating-system implementation.
//
// The interface exists for crash testing: store/vfs/crashfs implements it in
// memory and, at a simulated crash, drops every write and directory change
// that no completed fsync covered — what a power cut does and what killing a
// process (whose writes survive in the page cache) can never show.
//
// The interface is deliberately narrow: files are only ever appended to
// (there is no WriteAt or Seek), which is all a log-structured store needs
// and keeps the crash model simple.
package vfs

import (
	"io"
	"os"
	"path/filepath"
	"slices"
)

// FS is a file system. Names are slash-separated paths as understood by the
// os package.
type FS interface {
	// Create creates the named file, or truncates it if it exists, and opens
	// it for reading and appending.
	Create(name string) (File, error)
	// Open opens an existing file for reading only.
	Open(name string) (File, error)
	// OpenAppend opens an existing file for reading and appending.
	OpenAppend(name string) (File, error)
	// Rename atomically replaces newname with oldname. The change is durable
	// only after SyncDir on the directories involved.
	Rename(oldname, newname string) error
	// Remove removes the named file.
	Remove(name string) error
	// MkdirAll creates dir and any missing parents.
	MkdirAll(dir string) error
	// ReadDir returns the names of the entries of dir, sorted.
	ReadDir(dir string) ([]string, error)
	// Lock takes an exclusive lock on the named file, creating it if needed,
	// without waiting. It returns an error wrapping ErrLocked if the lock is
	// held elsewhere. Closing the returned Closer releases the lock.
	Lock(name string) (io.Closer, error)
	// SyncDir makes the creations, removals and renames of entries of dir
	// durable.
	SyncDir(dir string) error
}

// File is an open file.
type File interface {
	io.ReaderAt
	// Write appends p to the end of the file.
	io.Writer
	// Sync makes everything written so far durable.
	Sync() error
	// Truncate changes the size of the file. Not durable before Sync.
	Truncate(size int64) error
	// Size returns the current size of the file.
	Size() (int64, error)
	io.Closer
}

// OS is the FS of the operating system.
var OS FS = osFS{}

type osFS struct{}

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (osFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) OpenAppend(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

func (osFS) Remove(name string) error { return os.Remove(name) }

func (osFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func (osFS) ReadDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names, nil
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

func (osFS) Lock(name string) (io.Closer, error) { return lockFile(name) }
