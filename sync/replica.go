package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	gosync "sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/internal/sha256"
	"github.com/cairn-db/cairn/store"
)

// resetMarker is the head value of a replica that was reset.
var resetMarker = []byte("reset")

// Event is what a replica's listeners receive: one synced transaction, in
// order, or a resync notice when the replica had to start over.
type Event struct {
	// TxID and TxData describe one transaction (replayed from the log).
	TxID   int64
	TxData []datom.Datom
	// DB is the replica's value after the step that brought this
	// transaction (it may already include later transactions of the step):
	// the engine's value (a *core.DB, see coresync.DB).
	DB Value
	// Resync is set (and TxData empty) when the replica was reset: a
	// transaction gap cannot be replayed and listeners should re-read.
	Resync bool
}

// Stats counts what a replica received.
type Stats struct {
	Nodes, Bytes, Heads int64
}

// Replica is the client side of a subscription: a local store that
// receives verified nodes and heads, and the database value they make.
type Replica struct {
	st     store.Store
	branch string
	eng    Engine

	mu        gosync.Mutex
	db        Value // nil until the first complete head
	told      int64 // basis-t up to which listeners have been told
	head      []byte
	listeners map[int]func(Event)
	nextL     int
	changed   chan struct{}
	deleted   bool
	failed    error // the server refused the subscription; cleared by the next head

	nodes, bytes, heads atomic.Int64
}

// OpenReplica opens the replica kept in st (resuming from its head when it
// has one); eng loads its values.
func OpenReplica(ctx context.Context, st store.Store, eng Engine) (*Replica, error) {
	if err := eng.forReplica(); err != nil {
		return nil, err
	}
	r := &Replica{st: st, branch: eng.Branch, eng: eng, listeners: map[int]func(Event){}, changed: make(chan struct{})}
	head, err := st.Head(ctx, r.branch)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return r, nil
	case err != nil:
		return nil, err
	}
	if string(head) == string(resetMarker) {
		r.head = head
		return r, nil
	}
	h, err := eng.DecodeHead(head)
	if err != nil {
		return nil, err
	}
	db, err := eng.Load(ctx, st, h.Commit)
	if err != nil {
		return nil, fmt.Errorf("sync: opening replica: %w", err)
	}
	r.db, r.head, r.told = db, head, db.BasisT()
	return r, nil
}

// DB returns the replica's latest complete value, or nil before the first
// sync completed.
func (r *Replica) DB() Value {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.db
}

// Stats returns what the replica received so far.
func (r *Replica) Stats() Stats {
	return Stats{Nodes: r.nodes.Load(), Bytes: r.bytes.Load(), Heads: r.heads.Load()}
}

// Subscription returns the subscribe message describing what the replica
// has.
func (r *Replica) Subscription(db string) Subscribe {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Subscribe{DB: db}
	if r.db != nil {
		inc := r.db.Incarnation()
		s.Incarnation = inc[:]
		s.Commit = []byte(r.db.CommitID())
		s.BasisT = r.db.BasisT()
	}
	return s
}

// Listen registers fn for every transaction the replica receives from now
// on, in order. fn runs on the goroutine that applies heads; keep it quick.
func (r *Replica) Listen(fn func(Event)) (unlisten func()) {
	r.mu.Lock()
	id := r.nextL
	r.nextL++
	r.listeners[id] = fn
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.listeners, id)
		r.mu.Unlock()
	}
}

// ApplyNodes verifies every node of a Nodes message against its key and
// stores them in one atomic batch. A node that does not hash to its key
// rejects the whole message.
func (r *Replica) ApplyNodes(ctx context.Context, m *Nodes) error {
	if len(m.Keys) != len(m.Values) {
		return fmt.Errorf("%w: %d keys, %d values", ErrHashMismatch, len(m.Keys), len(m.Values))
	}
	puts := make([]store.KV, len(m.Keys))
	// The keys become strings carved from one allocation.
	keys := make([]byte, 0, len(m.Keys)*sha256.Size)
	var n int64
	for i, k := range m.Keys {
		sum := sha256.Sum256(m.Values[i])
		if len(k) != sha256.Size || string(sum[:]) != string(k) {
			return ErrHashMismatch
		}
		keys = append(keys, k...)
		n += int64(len(k) + len(m.Values[i]))
	}
	all := string(keys)
	for i := range puts {
		puts[i] = store.KV{Key: all[i*sha256.Size : (i+1)*sha256.Size], Value: m.Values[i]}
	}
	if err := r.st.Write(ctx, store.Batch{Puts: puts}); err != nil {
		return err
	}
	r.nodes.Add(int64(len(puts)))
	r.bytes.Add(n)
	return nil
}

// Lacking returns the keys the replica's store does not have: its answer
// to an Offer. A key it has stands for its whole subtree, which holds
// because nodes are stored children first, each batch atomically.
func (r *Replica) Lacking(ctx context.Context, keys [][]byte) ([][]byte, error) {
	var out [][]byte
	for _, k := range keys {
		ok, err := r.st.Has(ctx, string(k))
		if err != nil {
			return nil, err
		}
		if !ok {
			out = append(out, k)
		}
	}
	return out, nil
}

// ApplyHead makes a head current: it checks that its commit is stored,
// that it belongs to the replica's incarnation and is newer, writes it to
// the store (compare-and-swap), swaps the replica's db and tells the
// listeners every transaction in between, replayed from the log.
func (r *Replica) ApplyHead(ctx context.Context, m *Head) error {
	h, err := r.eng.DecodeHead(m.Head)
	if err != nil {
		return err
	}
	if ok, err := r.st.Has(ctx, h.Commit); err != nil {
		return err
	} else if !ok {
		return ErrMissingCommit
	}
	r.mu.Lock()
	old, oldHead := r.db, r.head
	r.mu.Unlock()
	if old != nil {
		if old.Incarnation() != h.Incarnation {
			return ErrIncarnation
		}
		if h.BasisT < old.BasisT() || (h.BasisT == old.BasisT() && h.Commit == old.CommitID()) {
			if h.Commit == old.CommitID() {
				r.heads.Add(1)
				r.notify()
				return nil // already there: the up-to-date answer to a subscribe
			}
			return ErrStaleHead
		}
	}
	db, err := r.eng.Load(ctx, r.st, h.Commit)
	if err != nil {
		return err
	}
	if err := r.st.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: r.branch, Old: oldHead, New: m.Head}}); err != nil {
		if errors.Is(err, store.ErrHeadConflict) {
			// Another process sharing the store (a browser tab) moved the
			// head: take whichever of the two is newer.
			return r.adoptNewer(ctx, old, db, m.Head, h)
		}
		return err
	}
	r.heads.Add(1)
	return r.install(ctx, old, db, m.Head)
}

// install makes db (stored under head) the replica's value and tells the
// listeners every transaction after old's basis-t.
func (r *Replica) install(ctx context.Context, old, db Value, head []byte) error {
	after := datom.Tx0
	if old != nil {
		after = old.BasisT()
	}
	r.mu.Lock()
	r.db, r.head, r.failed = db, head, nil
	ls := r.listenerList()
	r.mu.Unlock()
	var err error
	if len(ls) > 0 && db.BasisT() > after {
		err = db.TxLog(ctx, after, func(tx int64, ds []datom.Datom) error {
			ev := Event{TxID: tx, TxData: ds, DB: db}
			for _, fn := range ls {
				fn(ev)
			}
			return nil
		})
	}
	r.mu.Lock()
	if r.db == db {
		r.told = db.BasisT()
	}
	r.mu.Unlock()
	r.notify()
	return err
}

func (r *Replica) adoptNewer(ctx context.Context, old, ours Value, head []byte, h HeadInfo) error {
	for range 4 {
		cur, err := r.st.Head(ctx, r.branch)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil && string(cur) != string(resetMarker) {
			ch, err := r.eng.DecodeHead(cur)
			if err != nil {
				return err
			}
			if ch.Incarnation == h.Incarnation && ch.BasisT >= h.BasisT {
				// The store is ahead of this message: adopt its value.
				if old != nil && ch.Commit == old.CommitID() {
					return nil
				}
				db, err := r.eng.Load(ctx, r.st, ch.Commit)
				if err != nil {
					return err
				}
				return r.install(ctx, old, db, cur)
			}
		}
		// Ours is newer: swap it in over what is there now.
		err = r.st.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: r.branch, Old: cur, New: head}})
		if err == nil {
			r.heads.Add(1)
			return r.install(ctx, old, ours, head)
		}
		if !errors.Is(err, store.ErrHeadConflict) {
			return err
		}
	}
	return fmt.Errorf("sync: replica head keeps moving: %w", store.ErrHeadConflict)
}

// Reset forgets the replica's head (its nodes stay: they are valid, merely
// unreferenced) so the next subscription syncs from nothing, and tells the
// listeners to re-read.
func (r *Replica) Reset(ctx context.Context) error {
	r.mu.Lock()
	oldHead := r.head
	r.mu.Unlock()
	if oldHead != nil {
		// A head cannot be deleted through the interface; write a marker
		// that the next ApplyHead replaces and OpenReplica reads as empty.
		if err := r.st.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: r.branch, Old: oldHead, New: resetMarker}}); err != nil && !errors.Is(err, store.ErrHeadConflict) {
			return err
		}
		oldHead = resetMarker
	}
	r.mu.Lock()
	r.db, r.head = nil, oldHead
	ls := r.listenerList()
	r.mu.Unlock()
	for _, fn := range ls {
		fn(Event{Resync: true})
	}
	r.notify()
	return nil
}

// Fail records that the server cannot serve this replica's subscription
// (for example, no such database): waiters get err until a head arrives.
func (r *Replica) Fail(err error) {
	r.mu.Lock()
	r.failed = err
	r.mu.Unlock()
	r.notify()
}

// MarkDeleted records that the server deleted the database.
func (r *Replica) MarkDeleted() {
	r.mu.Lock()
	r.deleted = true
	r.mu.Unlock()
	r.notify()
}

// WaitFor blocks until the replica's db has basis-t >= t (same incarnation
// as the server's) and its listeners have been told of it, ctx ends, or the
// database is deleted.
func (r *Replica) WaitFor(ctx context.Context, t int64) (Value, error) {
	for {
		r.mu.Lock()
		db, told, ch, deleted, failed := r.db, r.told, r.changed, r.deleted, r.failed
		r.mu.Unlock()
		if deleted {
			return nil, ErrDeleted
		}
		if failed != nil {
			return nil, failed
		}
		if db != nil && db.BasisT() >= t && told >= t {
			return db, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Changed returns a channel closed at the next head, reset or deletion.
func (r *Replica) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

func (r *Replica) notify() {
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *Replica) listenerList() []func(Event) {
	ids := slices.Sorted(maps.Keys(r.listeners))
	out := make([]func(Event), len(ids))
	for i, id := range ids {
		out[i] = r.listeners[id]
	}
	return out
}
