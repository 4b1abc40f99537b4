package main

import (
	"bytes"
	"context"
	"sort"
	"strings"
	gosync "sync"

	"github.com/cairn-db/cairn/store"
)

// nodePool holds the values of many in-memory replicas of one database
// once: entries are content-addressed (a key is its value's hash), so
// replicas that received the same node share its bytes. It keeps 1,000
// replicas of a growing database in memory on a small machine.
type nodePool struct {
	mu gosync.RWMutex
	m  map[string][]byte
}

func newNodePool() *nodePool { return &nodePool{m: map[string][]byte{}} }

// pooledStore is one replica's store.Store over a nodePool: its own key
// set and heads, shared values. It does the work of store/mem on writes
// (each value is copied in) so the peers' CPU cost is unchanged; only the
// duplicate copies are dropped afterwards.
type pooledStore struct {
	pool   *nodePool
	mu     gosync.RWMutex
	keys   map[string]struct{}
	heads  map[string][]byte
	closed bool
}

var _ store.Store = (*pooledStore)(nil)

func (p *nodePool) store() *pooledStore {
	return &pooledStore{pool: p, keys: map[string]struct{}{}, heads: map[string][]byte{}}
}

func (s *pooledStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	_, ok := s.keys[key]
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, store.ErrClosed
	}
	if !ok {
		return nil, store.ErrNotFound
	}
	s.pool.mu.RLock()
	v := s.pool.m[key]
	s.pool.mu.RUnlock()
	return bytes.Clone(v), nil
}

func (s *pooledStore) Has(ctx context.Context, key string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false, store.ErrClosed
	}
	_, ok := s.keys[key]
	return ok, nil
}

func (s *pooledStore) Write(ctx context.Context, b store.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	vals := make([][]byte, len(b.Puts))
	for i, kv := range b.Puts {
		vals[i] = bytes.Clone(kv.Value)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	if h := b.Head; h != nil {
		cur, ok := s.heads[h.Name]
		if (len(h.Old) == 0 && ok) || (len(h.Old) > 0 && (!ok || string(cur) != string(h.Old))) {
			return store.ErrHeadConflict
		}
	}
	if len(b.Puts) > 0 {
		s.pool.mu.Lock()
		for i, kv := range b.Puts {
			if _, ok := s.pool.m[kv.Key]; !ok {
				s.pool.m[kv.Key] = vals[i]
			}
			s.keys[kv.Key] = struct{}{}
		}
		s.pool.mu.Unlock()
	}
	if h := b.Head; h != nil {
		s.heads[h.Name] = bytes.Clone(h.New)
	}
	return nil
}

func (s *pooledStore) Head(ctx context.Context, name string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	h, ok := s.heads[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return bytes.Clone(h), nil
}

func (s *pooledStore) Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error {
	s.mu.RLock()
	var ks []string
	for k := range s.keys {
		if strings.HasPrefix(k, prefix) {
			ks = append(ks, k)
		}
	}
	s.mu.RUnlock()
	sort.Strings(ks)
	for _, k := range ks {
		s.pool.mu.RLock()
		v := s.pool.m[k]
		s.pool.mu.RUnlock()
		if err := fn(k, bytes.Clone(v)); err != nil {
			return err
		}
	}
	return nil
}

func (s *pooledStore) Delete(ctx context.Context, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.keys, k)
	}
	return nil
}

func (s *pooledStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
