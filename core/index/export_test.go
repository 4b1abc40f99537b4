package index

import (
	"bytes"
	"context"
	"fmt"
)

// DecodeNode decodes encoded node bytes and returns the canonical encoding
// of what it decoded (test seam for the codec and the fuzz target).
func DecodeNode(b []byte) ([]byte, error) {
	n, err := decodeNode(b)
	if err != nil {
		return nil, err
	}
	return encodeNode(n), nil
}

// TreeStats describe a tree's shape, for tests.
type TreeStats struct {
	Nodes, Leaves, Dirty int
	Underfull            int // non-root nodes smaller than NodeSize/4, or branches with one child
	MaxSize              int // largest node size
}

// Check walks the whole tree and verifies its invariants: levels, counts,
// first datoms, strict order across leaves, and node sizes.
func (t *Tree) Check(ctx context.Context) (TreeStats, error) {
	var st TreeStats
	if t.root.empty() {
		return st, nil
	}
	root, level, err := t.rootRef(ctx)
	if err != nil {
		return st, err
	}
	if level+1 != t.Depth() {
		return st, fmt.Errorf("depth %d, root level %d", t.Depth(), level)
	}
	var last *node
	var lastI int
	var walk func(r ref, level int, isRoot bool) error
	walk = func(r ref, level int, isRoot bool) error {
		n, err := t.load(ctx, &r, level)
		if err != nil {
			return err
		}
		st.Nodes++
		if r.node != nil {
			st.Dirty++
		}
		size := n.size
		if r.node == nil || n.level == 0 {
			size = len(encodeNode(n))
			if n.enc != nil && !bytes.Equal(n.enc, encodeNode(n)) {
				return fmt.Errorf("leaf encoded while splitting differs from encodeNode")
			}
			if size != n.size {
				return fmt.Errorf("level %d node: size %d, encoded %d", n.level, n.size, size)
			}
		}
		st.MaxSize = max(st.MaxSize, size)
		if !isRoot && (size < t.opts.NodeSize/4 || (n.level > 0 && len(n.kids) < 2)) {
			st.Underfull++
		}
		if err := t.checkOrder(n); err != nil {
			return err
		}
		if n.level == 0 {
			st.Leaves++
			if len(n.datoms) == 0 {
				return fmt.Errorf("empty leaf")
			}
			if last != nil && t.cmp(&last.datoms[lastI], &n.datoms[0]) >= 0 {
				return fmt.Errorf("leaves out of order")
			}
			last, lastI = n, len(n.datoms)-1
			return nil
		}
		if isRoot && len(n.kids) < 2 {
			return fmt.Errorf("root branch with %d children", len(n.kids))
		}
		var sum int64
		for _, k := range n.kids {
			if (k.key == "") == (k.node == nil) {
				return fmt.Errorf("child with key %q and node %v", k.key, k.node != nil)
			}
			sum += k.count
			if err := walk(k, level-1, false); err != nil {
				return err
			}
		}
		if sum != n.count {
			return fmt.Errorf("count %d, children sum %d", n.count, sum)
		}
		return nil
	}
	return st, walk(root, level, true)
}

// Dump prints the tree's shape (level, size, entries, dirty) for debugging.
func (t *Tree) Dump(ctx context.Context) string {
	var out []byte
	var walk func(r ref, level int, indent string)
	walk = func(r ref, level int, indent string) {
		n, err := t.load(ctx, &r, level)
		if err != nil {
			out = fmt.Appendf(out, "%serr %v\n", indent, err)
			return
		}
		size := n.size
		if r.node == nil {
			size = len(encodeNode(n))
		}
		out = fmt.Appendf(out, "%sL%d size=%d entries=%d dirty=%v epoch=%d\n", indent, n.level, size, n.entries(), r.node != nil, n.epoch)
		for _, k := range n.kids {
			walk(k, level-1, indent+"  ")
		}
	}
	root, level, _ := t.rootRef(ctx)
	walk(root, level, "")
	return string(out)
}

// SortDatoms exposes the batch sort.
var SortDatoms = sortDatoms
