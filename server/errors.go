package server

import "errors"

var (
	// ErrBadName is returned for a database name that is not a scope id
	// (^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$).
	ErrBadName = errors.New("server: invalid database name")
	// ErrExists is returned by Create when the database exists.
	ErrExists = errors.New("server: database exists")
	// ErrNotFound is returned when a database does not exist.
	ErrNotFound = errors.New("server: no such database")
	// ErrShuttingDown is returned once the server is closing.
	ErrShuttingDown = errors.New("server: shutting down")
)
