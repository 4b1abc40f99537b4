package sync

import "errors"

var (
	// ErrHashMismatch is returned when a received node does not hash to
	// its key; nothing of its batch is stored.
	ErrHashMismatch = errors.New("sync: node does not match its key")
	// ErrMissingCommit is returned when a head names a commit the replica
	// has not received.
	ErrMissingCommit = errors.New("sync: head names a commit that is not stored")
	// ErrStaleHead is returned (and the head ignored) when a head is not
	// newer than the replica's within the same incarnation.
	ErrStaleHead = errors.New("sync: head is not newer than the replica's")
	// ErrIncarnation is returned when a head belongs to another incarnation
	// of the database than the replica holds; the replica must reset.
	ErrIncarnation = errors.New("sync: head of another incarnation")
	// ErrDeleted is returned to waiters when the server deleted the
	// database.
	ErrDeleted = errors.New("sync: database deleted")
	// ErrUnavailable is returned to waiters when the server refused the
	// subscription (no such database, not authorized).
	ErrUnavailable = errors.New("sync: subscription refused")
	// ErrOfferTimeout ends a subscription whose client did not answer an
	// Offer within SenderOptions.OfferTimeout.
	ErrOfferTimeout = errors.New("sync: the client did not answer an offer")
	// ErrTooLarge is returned when a message exceeds the protocol's bounds.
	ErrTooLarge = errors.New("sync: message too large")
)
