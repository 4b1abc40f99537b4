// Package tiered puts a fast store (usually store/mem) in front of a
// persistent one (store/file natively, store/indexeddb in the browser).
//
// The engine reads index nodes synchronously and often; IndexedDB only
// answers asynchronously and slowly. The front tier serves those reads from
// memory; the back tier is the durable truth. What this package decides:
//
//   - Reads: Get and Has ask the front first. On a miss they read through to
//     the back and, on a hit there, fill the front (on-demand loading). A
//     goroutine may block on the back even under js/wasm: Go's scheduler
//     returns to the browser's event loop until IndexedDB answers (DESIGN §2).
//     Only a goroutine running a JS callback must never block.
//   - Writes go to the back first and count as done when the back says so
//     (durable); only then are the puts copied into the front. A reader that
//     sees a head therefore finds every node written with it, in the front or
//     by reading through. A failed front fill is not an error: the entry is
//     durable, and a later miss reads it through.
//   - Heads are read from and compare-and-swapped against the back on every
//     call, because the back is the truth when several tabs (or processes)
//     share it; a head cached in this process could be stale. The last head
//     value seen is mirrored into the front's head of the same name so that
//     the front alone is a usable (if possibly older) snapshot, but Head never
//     answers from it.
//   - Iterate walks the back, which is complete; the front may hold only the
//     entries read so far.
//   - Delete removes from the back, then from the front; a read-through that
//     races with a Delete cannot put the deleted entry back into the front.
//   - Warm (or Options.WarmOnOpen) copies every entry of the back into the
//     front: the simple baseline, run before the caller subscribes to sync.
//     Without it the front fills on demand.
//
// The tiered store owns both tiers: Close closes the front and the back.
//
// Rejected alternative: answering Head from the front. It saves an IndexedDB
// round trip per Head, but a tab would then compare-and-swap against a head
// another tab has already replaced, and read a database older than the one on
// disk.
package tiered

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
)

// Options configures Open. The zero value (or nil) means: no warm-up, the
// front fills on demand.
type Options struct {
	// WarmOnOpen makes Open call Warm before it returns.
	WarmOnOpen bool
	// WarmBatch is the number of entries Warm copies into the front per
	// front Write; 0 means 256.
	WarmBatch int
}

// Store is a store.Store with a front tier that caches a back tier.
//
// Invariant: every immutable entry in the front is in the back with the same
// value (entries are content-addressed and written to the back first; Delete
// removes from the back first and blocks fills while it runs).
type Store struct {
	front, back store.Store
	warmBatch   int

	// fillMu orders read-through fills against Delete: a fill holds it for
	// reading from before its back read until its front write, Delete holds
	// it for writing, so a fill never resurrects a deleted entry.
	fillMu sync.RWMutex
	// headMu serializes mirroring heads into the front.
	headMu sync.Mutex

	closed atomic.Bool

	hits, misses, fills, warmed atomic.Uint64
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// Open returns a tiered store over front and back, which it owns from now
// on. A nil front means a new mem store. When opts.WarmOnOpen is set, every
// entry of back is copied into front before Open returns; if that fails, Open
// closes both stores.
func Open(ctx context.Context, front, back store.Store, opts *Options) (*Store, error) {
	if back == nil {
		return nil, errors.New("store/tiered: back store is nil")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.WarmBatch < 0 {
		return nil, fmt.Errorf("store/tiered: WarmBatch %d is negative", o.WarmBatch)
	}
	if o.WarmBatch == 0 {
		o.WarmBatch = 256
	}
	if front == nil {
		front = mem.New()
	}
	s := &Store{front: front, back: back, warmBatch: o.WarmBatch}
	if o.WarmOnOpen {
		if err := s.Warm(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Warm copies every immutable entry of the back into the front. Entries
// already in the front are kept (they hold the same content). It may run
// while the store is in use.
func (s *Store) Warm(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	batch := make([]store.KV, 0, s.warmBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		s.fillMu.RLock()
		err := s.front.Write(ctx, store.Batch{Puts: batch})
		s.fillMu.RUnlock()
		if err != nil {
			return fmt.Errorf("store/tiered: warm: %w", err)
		}
		s.warmed.Add(uint64(len(batch)))
		batch = batch[:0]
		return nil
	}
	err := s.back.Iterate(ctx, "", func(key string, value []byte) error {
		batch = append(batch, store.KV{Key: key, Value: value})
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// Get returns the value under key from the front, or reads it through from
// the back and keeps it in the front.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, err := s.front.Get(ctx, key)
	if err == nil {
		s.hits.Add(1)
		return v, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, s.frontErr(err)
	}
	s.misses.Add(1)
	s.fillMu.RLock()
	defer s.fillMu.RUnlock()
	v, err = s.back.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	// The front copies the value, so v can be returned as is.
	if s.front.Write(context.WithoutCancel(ctx), store.Batch{Puts: []store.KV{{Key: key, Value: v}}}) == nil {
		s.fills.Add(1)
	}
	return v, nil
}

// Has reports whether key is in the front or, failing that, in the back.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, err
	}
	ok, err := s.front.Has(ctx, key)
	if err != nil {
		return false, s.frontErr(err)
	}
	if ok {
		return true, nil
	}
	return s.back.Has(ctx, key)
}

// Write applies b to the back (atomically and durably, compare-and-swapping
// the head there), then copies its puts and head into the front.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := s.back.Write(ctx, b); err != nil {
		return err
	}
	// Durable now: the front copy must not depend on the caller's context.
	ctx = context.WithoutCancel(ctx)
	if len(b.Puts) > 0 {
		s.fillMu.RLock()
		s.front.Write(ctx, store.Batch{Puts: b.Puts})
		s.fillMu.RUnlock()
	}
	if b.Head != nil {
		s.mirrorHead(ctx, b.Head.Name, b.Head.New)
	}
	return nil
}

// Head returns the head stored in the back, the truth when several tabs or
// processes share it.
func (s *Store) Head(ctx context.Context, name string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, err := s.back.Head(ctx, name)
	if err != nil {
		return nil, err
	}
	s.mirrorHead(context.WithoutCancel(ctx), name, v)
	return v, nil
}

// mirrorHead sets the front's head name to v, whatever it held. It is a
// best-effort copy: errors are ignored, and a concurrent reader of an older
// value may overwrite a newer one (Head never reads the mirror).
func (s *Store) mirrorHead(ctx context.Context, name string, v []byte) {
	s.headMu.Lock()
	defer s.headMu.Unlock()
	for range 3 { // only this method writes front heads, so one try suffices
		old, err := s.front.Head(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return
		}
		err = s.front.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: name, Old: old, New: v}})
		if !errors.Is(err, store.ErrHeadConflict) {
			return
		}
	}
}

// Iterate walks the back, which holds every entry. fn may call the store.
func (s *Store) Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.back.Iterate(ctx, prefix, fn)
}

// Delete removes keys from the back, then from the front.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.fillMu.Lock()
	defer s.fillMu.Unlock()
	if err := s.back.Delete(ctx, keys); err != nil {
		return err
	}
	if err := s.front.Delete(context.WithoutCancel(ctx), keys); err != nil {
		// The front may now hold entries the back lacks; refuse to go on
		// serving them.
		return fmt.Errorf("store/tiered: delete from the front: %w", err)
	}
	return nil
}

// Close closes the back and the front. It is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return errors.Join(s.back.Close(), s.front.Close())
}

// frontErr maps a front failure after Close to store.ErrClosed.
func (s *Store) frontErr(err error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return fmt.Errorf("store/tiered: front: %w", err)
}

// Stats returns the back's counters (the durable work: fsyncs, batches,
// bytes), or zero when the back does not count its work.
func (s *Store) Stats() store.Stats {
	if r, ok := s.back.(store.StatsReporter); ok {
		return r.Stats()
	}
	return store.Stats{}
}

// CacheStats counts how the front served reads since Open.
type CacheStats struct {
	// Hits is the number of Get calls the front answered.
	Hits uint64
	// Misses is the number of Get calls that read through to the back.
	Misses uint64
	// Fills is the number of entries read through and kept in the front.
	Fills uint64
	// Warmed is the number of entries Warm copied into the front.
	Warmed uint64
}

// CacheStats returns a snapshot of the front's read counters.
func (s *Store) CacheStats() CacheStats {
	return CacheStats{Hits: s.hits.Load(), Misses: s.misses.Load(), Fills: s.fills.Load(), Warmed: s.warmed.Load()}
}
