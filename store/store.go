// Package store defines the key-value interface that every Cairn storage
// backend implements, and the errors they share.
//
// The engine stores two kinds of entries:
//
//   - immutable entries (index nodes, commits, schema nodes) under the
//     SHA-256 of their bytes. A key is never rewritten with other content, so
//     writing an existing key again is a no-op;
//   - branch heads, the only mutable entries, updated by compare-and-swap.
//
// A Batch carries both: the immutable puts and, optionally, one head update
// that is applied atomically with them. A store makes the whole batch durable
// before Write returns (the file store: one fsync per batch), and a head is
// only ever observed together with everything written before it.
package store

import "context"

// KV is one immutable entry of a batch.
type KV struct {
	Key   string
	Value []byte
}

// HeadUpdate is a conditional write of a branch head: it succeeds only when
// the head currently holds Old (nil or empty Old means "the head must not
// exist yet").
type HeadUpdate struct {
	Name string
	Old  []byte
	New  []byte
}

// Batch is an atomic write: either every Put and the Head update are stored,
// or none is.
type Batch struct {
	Puts []KV
	Head *HeadUpdate
}

// Store is the key-value interface every backend implements.
//
// All methods are safe for concurrent use. Values passed to Write and values
// returned by Get must not be modified by the caller or the store afterwards.
type Store interface {
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Has reports whether key is present.
	Has(ctx context.Context, key string) (bool, error)
	// Write applies the batch atomically and durably. When the head update's
	// Old does not match the current head it returns ErrHeadConflict and
	// writes nothing.
	Write(ctx context.Context, b Batch) error
	// Head returns the current value of a branch head, or ErrNotFound.
	Head(ctx context.Context, name string) ([]byte, error)
	// Iterate calls fn for every immutable entry whose key starts with
	// prefix, in ascending key order. Returning an error from fn stops the
	// iteration and Iterate returns that error.
	Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error
	// Delete removes immutable entries (garbage collection). Missing keys are
	// ignored.
	Delete(ctx context.Context, keys []string) error
	// Close releases the store. It is idempotent; every later call returns
	// ErrClosed.
	Close() error
}
