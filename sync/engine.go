package sync

import (
	"context"
	"errors"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/store"
)

// Value is one committed database value, as sync sees it: the engine's
// DB, handed to sync by whoever wires the two (DESIGN.md §6: sync knows
// the store, and what the engine hands it, not queries).
type Value interface {
	// CommitID is the key of the value's commit.
	CommitID() string
	// BasisT is the id of its last transaction.
	BasisT() int64
	// Incarnation identifies the database it belongs to.
	Incarnation() [16]byte
	// CommitNodes returns the entries the value's commit wrote over its
	// parent, children first and the commit last, when they are at hand
	// (ok false: diff instead).
	CommitNodes() (parent string, nodes []store.KV, ok bool)
	// TxLog calls fn for every transaction after tx id after, in order.
	TxLog(ctx context.Context, after int64, fn func(tx int64, data []datom.Datom) error) error
}

// HeadInfo is a decoded head record.
type HeadInfo struct {
	Commit      string
	Incarnation [16]byte
	BasisT      int64
}

// Engine is what sync needs from the database engine: how to open a stored
// commit, which keys one commit reaches that another does not, and the
// head record's format. Package internal/coresync makes one from package
// core.
type Engine struct {
	// Load opens the value of a stored commit (replicas).
	Load func(ctx context.Context, st store.Store, commit string) (Value, error)
	// Diff (senders) returns the keys reachable from commit to and not from commit
	// from (everything when from is ""), children before parents and the
	// commit last.
	Diff func(ctx context.Context, st store.Store, from, to string) ([]string, error)
	// Missing (senders, optional) finds top-down the keys reachable from
	// commit that the client lacks, asking lacks level by level; children
	// before parents, the commit last. Without it a client whose commit
	// the server does not know starts over.
	Missing func(ctx context.Context, st store.Store, commit string, lacks func(ctx context.Context, keys []string) ([]string, error)) ([]string, error)
	// DecodeHead parses a head record (replicas).
	DecodeHead func(b []byte) (HeadInfo, error)
	// EncodeHead returns the head record naming v's commit (senders).
	EncodeHead func(v Value) []byte
	// Branch is the head name a replica keeps its head under (replicas).
	Branch string
}

// forReplica and forSender check the parts each side uses.
func (e *Engine) forReplica() error {
	if e.Load == nil || e.DecodeHead == nil || e.Branch == "" {
		return errors.New("sync: Engine needs Load, DecodeHead and Branch to open a replica")
	}
	return nil
}

func (e *Engine) forSender() error {
	if e.Diff == nil || e.EncodeHead == nil {
		return errors.New("sync: SenderOptions.Engine needs Diff and EncodeHead")
	}
	return nil
}
