// Package mem is an in-memory store.Store for tests and for the tiered
// store's memory tier. It builds for every GOOS, js/wasm included.
//
// Entries under 32-byte keys (the engine's content-addressed nodes and
// commits: SHA-256 keys) are kept without pointers: their bytes are copied
// into large append-only slabs and found through a map from the key array
// to a position in a slab. A replica holds hundreds of thousands of nodes,
// and a map of strings and slices would be hundreds of thousands of
// pointers for the garbage collector to trace on every cycle; this map has
// none, and the slabs are a few large pointer-free objects. Other keys sit
// in an ordinary map.
//
// Values are copied on the way in and on the way out, so neither the
// caller nor the store can change the other's bytes. Iterate works on a
// snapshot taken when it starts: fn may call the store (even Write) without deadlocking, and
// does not see writes made after Iterate began. Nothing survives Close.
package mem

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/store"
)

// keyLen is the length of the keys kept in slabs.
const keyLen = 32

// Slab sizes: the first slab is small (a store may hold little), later
// ones double up to maxSlab; a value larger than that gets a slab of its
// own. maxSlab is small on purpose: a large allocation made while the
// garbage collector runs is paid for in mark assists by the goroutine that
// makes it, so 4 MiB slabs stalled a replica's sync for milliseconds (and
// every replica of a process at once, since replicas of one database fill
// their slabs in step). 64 KiB slabs spread that cost and waste at most
// 64 KiB per store.
const (
	minSlab = 16 << 10
	maxSlab = 64 << 10
)

// span locates a value in a slab.
type span struct {
	slab, off, n uint32
}

// Store is a map-based store.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	closed bool
	nodes  map[[keyLen]byte]span
	slabs  [][]byte
	live   int64             // bytes of the slabs that entries still refer to
	used   int64             // bytes of the slabs written
	others map[string][]byte // entries under keys of other lengths
	heads  map[string][]byte
	stats  store.Stats
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{nodes: make(map[[keyLen]byte]span), others: make(map[string][]byte), heads: make(map[string][]byte)}
}

// view returns the bytes at sp.
func (s *Store) view(sp span) []byte {
	return s.slabs[sp.slab][sp.off : sp.off+sp.n]
}

// get returns the stored value of key (a view), under the lock.
func (s *Store) get(key string) ([]byte, bool) {
	if len(key) == keyLen {
		sp, ok := s.nodes[[keyLen]byte([]byte(key))]
		if !ok {
			return nil, false
		}
		return s.view(sp), true
	}
	v, ok := s.others[key]
	return v, ok
}

// put copies v in under key, which is not present.
func (s *Store) put(key string, v []byte) {
	if len(key) != keyLen {
		s.others[key] = bytes.Clone(v)
		return
	}
	n := len(v)
	last := len(s.slabs) - 1
	if last < 0 || cap(s.slabs[last])-len(s.slabs[last]) < n {
		size := minSlab
		if last >= 0 {
			size = min(2*cap(s.slabs[last]), maxSlab)
		}
		s.slabs = append(s.slabs, make([]byte, 0, max(size, n)))
		last++
	}
	off := len(s.slabs[last])
	s.slabs[last] = append(s.slabs[last], v...)
	s.nodes[[keyLen]byte([]byte(key))] = span{slab: uint32(last), off: uint32(off), n: uint32(n)}
	s.live += int64(n)
	s.used += int64(n)
}

// Get returns a copy of the value stored under key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.copyOut(ctx, func() ([]byte, bool) { return s.get(key) })
}

// copyOut returns a copy of what find finds under the read lock, or
// store.ErrNotFound.
func (s *Store) copyOut(ctx context.Context, find func() ([]byte, bool)) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	v, ok := find()
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
	_, ok := s.get(key)
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
		if _, ok := s.get(kv.Key); ok {
			continue
		}
		s.put(kv.Key, kv.Value)
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
	return s.copyOut(ctx, func() ([]byte, bool) { v, ok := s.heads[name]; return v, ok })
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
	for k, sp := range s.nodes {
		if ks := string(k[:]); strings.HasPrefix(ks, prefix) {
			snap = append(snap, kv{ks, s.view(sp)}) // stored bytes are never rewritten
		}
	}
	for k, v := range s.others {
		if strings.HasPrefix(k, prefix) {
			snap = append(snap, kv{k, v})
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

// Delete removes the given keys; missing keys are ignored. The slabs are
// compacted once less than half of what they hold is still referred to.
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
		if len(k) == keyLen {
			ka := [keyLen]byte([]byte(k))
			if sp, ok := s.nodes[ka]; ok {
				delete(s.nodes, ka)
				s.live -= int64(sp.n)
				wrote = true
			}
		} else if _, ok := s.others[k]; ok {
			delete(s.others, k)
			wrote = true
		}
	}
	if wrote {
		s.stats.BatchesWritten++
	}
	if s.used > minSlab && s.live < s.used/2 {
		s.compact()
	}
	return nil
}

// compact copies the live values into new slabs.
func (s *Store) compact() {
	old, nodes := s.slabs, s.nodes
	s.slabs, s.nodes, s.live, s.used = nil, make(map[[keyLen]byte]span, len(nodes)), 0, 0
	for k, sp := range nodes {
		s.put(string(k[:]), old[sp.slab][sp.off:sp.off+sp.n])
	}
}

// Close drops the contents. It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.nodes, s.slabs, s.others, s.heads = nil, nil, nil, nil
	return nil
}

// Stats reports the batches and bytes written; a memory store never fsyncs.
func (s *Store) Stats() store.Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stats
}
