// Package mem is an in-memory store.Store for tests and for the tiered
// store's memory tier. It builds for every GOOS, js/wasm included.
//
// Values are copied on the way in and on the way out, so neither the caller
// nor the store can change the other's bytes. Iterate works on a snapshot
// taken when it starts: fn may call the store (even Write) without
// deadlocking, and does not see writes made after Iterate began.
// Nothing survives Close.
package mem

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/store"
)

// Store is a map-based store.Store. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	closed  bool
	entries map[string][]byte
	heads   map[string][]byte
	stats   store.Stats
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{entries: make(map[string][]byte), heads: make(map[string][]byte)}
}

// Get returns a copy of the value stored under key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.lookup(ctx, false, key)
}

// lookup returns a copy of an entry (heads false) or a head.
func (s *Store) lookup(ctx context.Context, heads bool, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	m := s.entries
	if heads {
		m = s.heads
	}
	v, ok := m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Has reports whether key is present.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false, store.ErrClosed
	}
	_, ok := s.entries[key]
	return ok, nil
}

// Write applies b atomically. Puts of keys that already exist are ignored.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	if h := b.Head; h != nil {
		cur, ok := s.heads[h.Name]
		if len(h.Old) == 0 {
			if ok {
				return store.ErrHeadConflict
			}
		} else if !ok || !bytes.Equal(cur, h.Old) {
			return store.ErrHeadConflict
		}
	}
	wrote := false
	for _, kv := range b.Puts {
		if b.Keep {
			// Kept values are content-addressed (a key names one value),
			// so storing an existing key again changes nothing: one map
			// operation instead of a lookup and an insert.
			n := len(s.entries)
			s.entries[kv.Key] = kv.Value
			if len(s.entries) == n {
				continue
			}
		} else {
			if _, ok := s.entries[kv.Key]; ok {
				continue
			}
			s.entries[kv.Key] = bytes.Clone(kv.Value)
		}
		s.stats.BytesWritten += uint64(len(kv.Key) + len(kv.Value))
		wrote = true
	}
	if h := b.Head; h != nil {
		s.heads[h.Name] = bytes.Clone(h.New)
		s.stats.BytesWritten += uint64(len(h.Name) + len(h.New))
		wrote = true
	}
	if wrote {
		s.stats.BatchesWritten++
	}
	return nil
}

// Head returns a copy of the named head, or store.ErrNotFound.
func (s *Store) Head(ctx context.Context, name string) ([]byte, error) {
	return s.lookup(ctx, true, name)
}

// Iterate calls fn for each entry whose key starts with prefix, in ascending
// key order, on a snapshot taken when Iterate starts.
func (s *Store) Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	type kv struct {
		k string
		v []byte
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	var snap []kv
	for k, v := range s.entries {
		if strings.HasPrefix(k, prefix) {
			snap = append(snap, kv{k, v}) // stored values are never mutated
		}
	}
	s.mu.RUnlock()
	sort.Slice(snap, func(i, j int) bool { return snap[i].k < snap[j].k })
	for _, e := range snap {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e.k, bytes.Clone(e.v)); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the given keys; missing keys are ignored.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	wrote := false
	for _, k := range keys {
		if _, ok := s.entries[k]; ok {
			delete(s.entries, k)
			wrote = true
		}
	}
	if wrote {
		s.stats.BatchesWritten++
	}
	return nil
}

// Close drops the contents. It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.entries, s.heads = nil, nil
	return nil
}

// Stats reports the batches and bytes written; a memory store never fsyncs.
func (s *Store) Stats() store.Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stats
}
