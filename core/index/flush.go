package index

// Node is one encoded node: its bytes and the key they are stored under
// (the raw 32-byte SHA-256 of Bytes, as a string).
type Node struct {
	Key   string
	Bytes []byte
}

// Flush encodes every dirty node of the tree and returns a clean tree whose
// Root is the key of its root node, with the new nodes in children-before-
// parents order (write them in that order, and the store keeps its closure
// invariant). Only dirty nodes are returned: after a one-datom With on a
// flushed tree that splits and merges nothing, that is Depth nodes.
//
// Flush reads nothing and changes nothing reachable from t or any other tree
// value: it builds clean copies of dirty branches, so it is safe while other
// goroutines read t. The new nodes are put in the Cache; the returned tree
// reads nodes the Cache has dropped through the Loader, so store the nodes
// before reading far through the returned tree. Flushing a clean tree
// returns it unchanged and no nodes.
func (t *Tree) Flush() (*Tree, []Node, error) {
	if !t.Dirty() {
		return t, nil, nil
	}
	var nodes []Node
	r, top := flushRef(t.root, t.opts.Cache, &nodes)
	nt := t.derive(r, t.level)
	nt.top.Store(top)
	return nt, nodes, nil
}

// flushRef encodes the dirty subtree of r children-first and returns its
// clean ref and node.
func flushRef(r ref, c *Cache, out *[]Node) (ref, *node) {
	n := r.node
	var b []byte
	if n.level == 0 {
		b = n.enc
		if b == nil { // not built by this version of chunkLeaf
			b = encodeNode(n)
		}
		clean := *n
		clean.enc, clean.epoch = nil, 0
		n = &clean
	} else {
		kids := make([]ref, len(n.kids))
		for i, k := range n.kids {
			if k.node != nil {
				k, _ = flushRef(k, c, out)
			}
			kids[i] = k
		}
		clean := *n
		clean.kids, clean.epoch = kids, 0
		clean.mem = memEstimate(&clean)
		n = &clean
		b = encodeNode(n)
	}
	key := hashKey(b)
	*out = append(*out, Node{Key: key, Bytes: b})
	c.put(key, n)
	return ref{key: key, count: r.count, first: r.first}, n
}
