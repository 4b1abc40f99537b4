package client

import (
	"errors"

	"github.com/cairn-db/cairn/rpc"
	"github.com/cairn-db/cairn/wire"
)

var (
	// ErrClosed is returned once the client or database is closed.
	ErrClosed = errors.New("client: closed")
	// ErrNotFound is returned when the server has no such database.
	ErrNotFound = errors.New("client: no such database")
	// ErrExists is returned by CreateDatabase when the database exists.
	ErrExists = errors.New("client: database exists")
	// ErrBadName is returned for a database name that is not a scope id.
	ErrBadName = errors.New("client: invalid database name")
	// ErrOutcomeUnknown is returned by Transact when its context ended
	// while the call could not be confirmed: it may or may not have been
	// applied (retrying with Transact is safe only with the same key).
	ErrOutcomeUnknown = errors.New("client: transaction outcome unknown")
	// ErrDeleted is returned when the server deleted the database.
	ErrDeleted = errors.New("client: database deleted")
)

// mapError turns a remote error code into the client's typed errors, keeping
// the rpc error in the chain.
func mapError(err error) error {
	var re *rpc.Error
	if !errors.As(err, &re) {
		return err
	}
	switch re.Code {
	case wire.CodeNotFound:
		return errors.Join(ErrNotFound, err)
	case wire.CodeExists:
		return errors.Join(ErrExists, err)
	case wire.CodeBadName:
		return errors.Join(ErrBadName, err)
	}
	if k := wire.TxErrorKind(re.Code); k != "" {
		if s := wire.TxError(k); s != nil {
			return errors.Join(s, err)
		}
	}
	return err
}
