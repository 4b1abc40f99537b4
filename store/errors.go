package store

import "errors"

var (
	// ErrNotFound is returned by Get and Head when the key or head is absent.
	ErrNotFound = errors.New("store: not found")
	// ErrHeadConflict is returned by Write when the head update's Old value
	// does not match the stored head; nothing of the batch is written.
	ErrHeadConflict = errors.New("store: head conflict")
	// ErrClosed is returned by every method of a closed store.
	ErrClosed = errors.New("store: closed")
	// ErrReadOnly is returned by Write and Delete on a store opened read-only.
	ErrReadOnly = errors.New("store: read-only")
	// ErrLocked is returned when opening a store for writing while another
	// process holds its writer lock.
	ErrLocked = errors.New("store: locked by another writer")
	// ErrCorrupt is returned when stored data fails a checksum or cannot be
	// decoded.
	ErrCorrupt = errors.New("store: corrupt data")
	// ErrBroken is returned by Write and Delete after an earlier write or
	// fsync failed. The store cannot know what reached the disk, so it
	// refuses every later write (it never retries); reads keep working and
	// reopening the store recovers to the last durable batch.
	ErrBroken = errors.New("store: broken by an earlier write failure")
)
