package index

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/cairn-db/cairn/core/datom"
)

// Loader reads stored nodes by key. A store.Store satisfies it.
type Loader interface {
	// Get returns the bytes stored under key, or an error (the store's
	// not-found error when the key is absent).
	Get(ctx context.Context, key string) ([]byte, error)
}

// Options configure a tree. The zero value is usable: no Loader (the tree
// lives in memory until flushed), a private cache, 4 KiB nodes.
type Options struct {
	// Loader reads nodes that are not in memory or in the Cache.
	Loader Loader
	// Cache keeps decoded nodes; nil means a private cache of
	// DefaultCacheBytes. Trees derived by With and Flush share their
	// parent's cache.
	Cache *Cache
	// NodeSize is the target encoded size of a node in bytes; 0 means
	// DefaultNodeSize. Values are clamped to [MinNodeSize, MaxNodeSize].
	// 1 KiB keeps the copy-on-write of a leaf cheap for small transactions
	// (delta-encoded datoms are small, so a 4 KiB leaf holds hundreds) and
	// keeps what a small commit ships to subscribers small; measured with
	// make bench, it was also faster for bulk loads and queries than 2 and
	// 4 KiB.
	NodeSize int
}

// Node size bounds.
const (
	DefaultNodeSize = 1024
	MinNodeSize     = 256
	MaxNodeSize     = 1 << 20
)

func (o Options) withDefaults() Options {
	if o.NodeSize == 0 {
		o.NodeSize = DefaultNodeSize
	}
	o.NodeSize = min(max(o.NodeSize, MinNodeSize), MaxNodeSize)
	if o.Cache == nil {
		o.Cache = NewCache(DefaultCacheBytes)
	}
	return o
}

// Tree is an immutable, persistent B+-tree of datoms ordered by a
// comparator. Datoms that compare equal are one entry.
//
// A Tree value never changes: With returns a new tree that shares every
// unchanged node with the old one, and Flush returns a new tree whose nodes
// are all stored under their content keys. Any number of goroutines may read
// one Tree concurrently.
//
// The nodes of a tree are either dirty (built by With, held in memory,
// referenced by pointer) or clean (encoded, referenced by key, read through
// the Cache and the Loader). A clean node never points at another node, so
// memory for clean nodes is exactly what the Cache bounds. The alternative,
// keeping decoded children linked from their parents, was rejected because
// a long-lived tree value would then pin every node it ever read.
type Tree struct {
	cmp   func(a, b *datom.Datom) int
	opts  Options
	root  ref // empty for an empty tree; count < 0 when not yet read
	level int // level of the root; -1 when not yet read

	top atomic.Pointer[node] // the root node, once read
}

// New returns an empty tree ordered by cmp (see datom.Comparator).
func New(cmp func(a, b *datom.Datom) int, opts Options) *Tree {
	return &Tree{cmp: cmp, opts: opts.withDefaults()}
}

// Open returns the tree stored under root ("" is the empty tree). It reads
// nothing: nodes are loaded through opts.Loader when first needed.
func Open(root string, cmp func(a, b *datom.Datom) int, opts Options) *Tree {
	t := New(cmp, opts)
	if root != "" {
		t.root = ref{key: root, count: -1}
		t.level = -1
	}
	return t
}

// derive returns a tree with the same comparator and options.
func (t *Tree) derive(root ref, level int) *Tree {
	return &Tree{cmp: t.cmp, opts: t.opts, root: root, level: level}
}

// Root returns the key of the root node: "" for an empty tree and for a
// dirty tree (one with nodes that have not been flushed).
func (t *Tree) Root() string { return t.root.key }

// Dirty reports whether the tree has nodes that Flush has not yet encoded.
func (t *Tree) Dirty() bool { return t.root.node != nil }

// Count returns the number of datoms in the tree. For a tree from Open it
// reads the root node on first use (the counts live in the nodes) and
// returns -1 when that read fails; a later read reports the error.
func (t *Tree) Count() int64 {
	if t.root.empty() {
		return 0
	}
	if t.root.count >= 0 {
		return t.root.count
	}
	n, err := t.rootNode(context.Background())
	if err != nil {
		return -1
	}
	return n.count
}

// Depth returns the number of levels (0 for an empty tree, 1 for a single
// leaf). Like Count, it reads the root of a tree from Open on first use and
// returns -1 when that fails.
func (t *Tree) Depth() int {
	if t.root.empty() {
		return 0
	}
	if t.level >= 0 {
		return t.level + 1
	}
	n, err := t.rootNode(context.Background())
	if err != nil {
		return -1
	}
	return n.level + 1
}

// rootNode returns the root node of a non-empty tree.
func (t *Tree) rootNode(ctx context.Context) (*node, error) {
	if t.root.node != nil {
		return t.root.node, nil
	}
	if n := t.top.Load(); n != nil {
		return n, nil
	}
	n, err := t.load(ctx, &t.root, t.level)
	if err != nil {
		return nil, err
	}
	t.top.Store(n)
	return n, nil
}

// rootRef returns the root entry and level with count and first known.
func (t *Tree) rootRef(ctx context.Context) (ref, int, error) {
	if t.root.empty() || t.root.count >= 0 {
		return t.root, t.level, nil
	}
	n, err := t.rootNode(ctx)
	if err != nil {
		return ref{}, 0, err
	}
	return ref{key: t.root.key, count: n.count, first: *n.first()}, n.level, nil
}

// load returns the node of r, which must be at level (level < 0: unknown).
// Nodes read from the Loader are verified against their key, decoded,
// checked against the comparator, and cached.
func (t *Tree) load(ctx context.Context, r *ref, level int) (*node, error) {
	if r.node != nil {
		return r.node, nil
	}
	n := t.opts.Cache.get(r.key)
	if n == nil {
		if t.opts.Loader == nil {
			return nil, fmt.Errorf("%w: node %x", ErrNoLoader, shortKey(r.key))
		}
		b, err := t.opts.Loader.Get(ctx, r.key)
		if err != nil {
			return nil, fmt.Errorf("index: load node %x: %w", shortKey(r.key), err)
		}
		if err := verify(r.key, b); err != nil {
			return nil, err
		}
		if n, err = decodeNode(b); err != nil {
			return nil, fmt.Errorf("node %x: %w", shortKey(r.key), err)
		}
		if err := t.checkOrder(n); err != nil {
			return nil, fmt.Errorf("node %x: %w", shortKey(r.key), err)
		}
		t.opts.Cache.put(r.key, n)
	}
	if level >= 0 && n.level != level {
		return nil, corruptf("node %x: level %d, want %d", shortKey(r.key), n.level, level)
	}
	if r.count >= 0 && (n.count != r.count || t.cmp(n.first(), &r.first) != 0) {
		return nil, corruptf("node %x: count or first datom differs from its parent's entry", shortKey(r.key))
	}
	return n, nil
}

// checkOrder checks that a decoded node's entries are strictly increasing.
func (t *Tree) checkOrder(n *node) error {
	if n.level == 0 {
		for i := 1; i < len(n.datoms); i++ {
			if t.cmp(&n.datoms[i-1], &n.datoms[i]) >= 0 {
				return corruptf("datoms %d and %d out of order", i-1, i)
			}
		}
		return nil
	}
	for i := 1; i < len(n.kids); i++ {
		if t.cmp(&n.kids[i-1].first, &n.kids[i].first) >= 0 {
			return corruptf("children %d and %d out of order", i-1, i)
		}
	}
	return nil
}
