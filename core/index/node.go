package index

import (
	"unsafe"

	"github.com/cairn-db/cairn/core/datom"
)

// node is one decoded B+-tree node. A node is immutable once built: it is
// shared between tree values, goroutines and the Cache.
type node struct {
	level  int           // 0 for a leaf
	datoms []datom.Datom // leaf entries, strictly increasing
	kids   []ref         // branch entries, ordered by first datom
	count  int64         // datoms in the subtree
	size   int           // encoded size in bytes (approximate for new nodes)
	mem    int64         // estimated memory of the decoded node
	epoch  uint64        // the With call that built it (0 for decoded nodes)
	enc    []byte        // a new leaf's encoding, made while splitting; nil once clean
}

// ref is a branch entry: a child, its subtree count and its first datom.
// A clean ref has a key and no node; a dirty ref (built by With, not yet
// flushed) has a node and no key. Clean nodes never point at nodes, so that
// the Cache's byte bound is the memory it holds.
type ref struct {
	key   string
	node  *node
	count int64
	first datom.Datom
}

func (r *ref) empty() bool { return r.key == "" && r.node == nil }

// first returns the node's first datom.
func (n *node) first() *datom.Datom {
	if n.level == 0 {
		return &n.datoms[0]
	}
	return &n.kids[0].first
}

func (n *node) entries() int {
	if n.level == 0 {
		return len(n.datoms)
	}
	return len(n.kids)
}

const (
	nodeOverhead = int64(unsafe.Sizeof(node{})) + 64 + KeySize // + cache entry, key
	datomMem     = int64(unsafe.Sizeof(datom.Datom{}))
	refMem       = int64(unsafe.Sizeof(ref{}))
	valueMem     = int64(unsafe.Sizeof(datom.Value{}))
)

// memEstimate estimates the bytes a decoded node holds.
func memEstimate(n *node) int64 {
	m := nodeOverhead
	if n.level == 0 {
		m += int64(cap(n.datoms)) * datomMem
		prevA := ""
		for i := range n.datoms {
			d := &n.datoms[i]
			if d.A != prevA {
				m += int64(len(d.A))
				prevA = d.A
			}
			m += payloadMem(d.V)
		}
		return m
	}
	m += int64(cap(n.kids)) * refMem
	for i := range n.kids {
		m += int64(len(n.kids[i].key)) + int64(len(n.kids[i].first.A)) + payloadMem(n.kids[i].first.V)
	}
	return m
}

// payloadMem estimates the heap bytes a value points to.
func payloadMem(v datom.Value) int64 {
	switch v.Kind() {
	case datom.KindTuple:
		t := v.AsTuple()
		m := int64(len(t)) * valueMem
		for _, e := range t {
			m += payloadMem(e)
		}
		return m
	case datom.KindNil, datom.KindBool, datom.KindLong, datom.KindDouble, datom.KindInstant:
		return 0
	default:
		return int64(len(v.Text()))
	}
}
