package index

import (
	"sync"
	"sync/atomic"
)

// DefaultCacheBytes is the size of the private cache a tree gets when its
// Options have no Cache.
const DefaultCacheBytes = 64 << 20

// Cache keeps decoded nodes by key, bounded by an estimate of their memory,
// with least-recently-used eviction. It is safe for concurrent use and may
// be shared by any number of trees (nodes are immutable and keyed by
// content, so trees of different indices and databases can share one).
//
// The cache is split into shards by the first byte of the key (keys are
// SHA-256 digests, so shards fill evenly); each shard has an equal part of
// the byte budget and its own lock. A node larger than a shard's budget is
// not cached.
type Cache struct {
	shards    []cacheShard
	hits      atomic.Int64
	misses    atomic.Int64
	evictions atomic.Int64
}

type cacheShard struct {
	mu    sync.Mutex
	items map[string]*cacheEntry
	lru   cacheEntry // sentinel: lru.next is the most recently used
	bytes int64
	max   int64
	_     [32]byte // keep shards on separate cache lines
}

type cacheEntry struct {
	key        string
	n          *node
	prev, next *cacheEntry
}

// CacheStats are a cache's counters.
type CacheStats struct {
	Hits      int64 // lookups that found the node
	Misses    int64 // lookups that did not
	Evictions int64 // nodes dropped to stay within the bound
	Bytes     int64 // estimated memory of the cached nodes
	Entries   int64 // cached nodes
}

// NewCache returns a cache that holds decoded nodes up to an estimated
// maxBytes of memory. maxBytes <= 0 gives a cache that holds nothing.
func NewCache(maxBytes int64) *Cache {
	ns := 16
	if maxBytes < 4<<20 {
		ns = 1
	}
	c := &Cache{shards: make([]cacheShard, ns)}
	for i := range c.shards {
		s := &c.shards[i]
		s.max = maxBytes / int64(ns)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return c
}

func (c *Cache) shard(key string) *cacheShard {
	if len(c.shards) == 1 || key == "" {
		return &c.shards[0]
	}
	return &c.shards[int(key[0])%len(c.shards)]
}

func (c *Cache) get(key string) *node {
	s := c.shard(key)
	s.mu.Lock()
	e := s.items[key]
	if e != nil {
		if s.lru.next != e {
			e.unlink()
			s.pushFront(e)
		}
		n := e.n
		s.mu.Unlock()
		c.hits.Add(1)
		return n
	}
	s.mu.Unlock()
	c.misses.Add(1)
	return nil
}

func (c *Cache) put(key string, n *node) {
	s := c.shard(key)
	if n.mem > s.max {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.items[key]; e != nil {
		if s.lru.next != e {
			e.unlink()
			s.pushFront(e)
		}
		return
	}
	if s.items == nil {
		s.items = make(map[string]*cacheEntry)
	}
	for s.bytes+n.mem > s.max {
		old := s.lru.prev
		old.unlink()
		delete(s.items, old.key)
		s.bytes -= old.n.mem
		c.evictions.Add(1)
	}
	e := &cacheEntry{key: key, n: n}
	s.items[key] = e
	s.pushFront(e)
	s.bytes += n.mem
}

func (e *cacheEntry) unlink() {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (s *cacheShard) pushFront(e *cacheEntry) {
	e.prev = &s.lru
	e.next = s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	st := CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evictions.Load()}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		st.Bytes += s.bytes
		st.Entries += int64(len(s.items))
		s.mu.Unlock()
	}
	return st
}
