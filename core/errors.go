package core

import "errors"

var (
	// ErrCorrupt is returned when a commit, head or schema record cannot be
	// decoded or does not hash to its key.
	ErrCorrupt = errors.New("cairn: corrupt record")
	// ErrUnsupportedVersion is returned when a record carries a format
	// version this build does not know.
	ErrUnsupportedVersion = errors.New("cairn: unsupported format version")
	// ErrNoDatabase is returned by Connect when the store holds no database.
	ErrNoDatabase = errors.New("cairn: no database in store")
	// ErrDatabaseExists is returned by Create when the store already holds a
	// database.
	ErrDatabaseExists = errors.New("cairn: database already exists")
	// ErrClosed is returned by Transact on a closed connection.
	ErrClosed = errors.New("cairn: connection closed")
	// ErrConflict is returned when another writer moved the head under this
	// connection; the connection refuses further writes.
	ErrConflict = errors.New("cairn: head moved by another writer")
	// ErrInvalidArgument is returned for malformed API arguments (bad index
	// name, bad component count, unparsable tx-data text).
	ErrInvalidArgument = errors.New("cairn: invalid argument")
)
