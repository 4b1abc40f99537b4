package index

import (
	"context"

	"github.com/cairn-db/cairn/core/datom"
)

// Iter walks a tree's datoms in order (or in reverse order) from a seek
// position. It loads each node when it reaches it. An Iter is not safe for
// concurrent use; the tree it walks is.
type Iter struct {
	t       *Tree
	ctx     context.Context
	from    *datom.Datom
	seekTo  bool // from was given (a nil from means an end of the tree)
	reverse bool
	state   uint8 // iterNew, iterRunning, iterDone
	err     error

	path  []frame // branches from the root, with the index of the child taken
	leaf  *node
	i     int
	pbuf  [8]frame
	fromD datom.Datom
}

type frame struct {
	n *node
	i int
}

const (
	iterNew = iota
	iterRunning
	iterDone
)

// Seek returns an iterator over the datoms >= from in ascending order (all
// datoms when from is nil). Nothing is read until the first Next; ctx is used
// for every node the iterator loads.
func (t *Tree) Seek(ctx context.Context, from *datom.Datom) *Iter {
	return t.newIter(ctx, from, false)
}

// SeekReverse returns an iterator over the datoms <= from in descending
// order (all datoms, last first, when from is nil).
func (t *Tree) SeekReverse(ctx context.Context, from *datom.Datom) *Iter {
	return t.newIter(ctx, from, true)
}

func (t *Tree) newIter(ctx context.Context, from *datom.Datom, reverse bool) *Iter {
	it := &Iter{t: t, ctx: ctx, reverse: reverse}
	it.path = it.pbuf[:0]
	if from != nil {
		it.fromD = *from // the caller may reuse from
		it.from, it.seekTo = &it.fromD, true
	}
	return it
}

// Next advances to the next datom and reports whether there is one. It
// returns false at the end and on an error (see Err).
func (it *Iter) Next() bool {
	switch it.state {
	case iterDone:
		return false
	case iterNew:
		it.state = iterRunning
		if !it.seek() {
			return false
		}
	default:
		if it.reverse {
			it.i--
		} else {
			it.i++
		}
	}
	for it.i < 0 || it.i >= len(it.leaf.datoms) {
		if !it.nextLeaf() {
			return false
		}
	}
	return true
}

// Datom returns the current datom. It must not be modified, and is valid
// until the next call to Next.
func (it *Iter) Datom() *datom.Datom { return &it.leaf.datoms[it.i] }

// Err returns the error that ended the iteration, if any: a Loader error, a
// hash mismatch or corrupt node, or the context's error.
func (it *Iter) Err() error { return it.err }

func (it *Iter) fail(err error) bool {
	it.err = err
	it.state = iterDone
	it.leaf = nil
	return false
}

// seek descends from the root to the leaf that holds the seek position.
func (it *Iter) seek() bool {
	t := it.t
	if t.root.empty() {
		it.state = iterDone
		return false
	}
	n, err := t.rootNode(it.ctx)
	if err != nil {
		return it.fail(err)
	}
	for n.level > 0 {
		j := 0
		switch {
		case it.seekTo:
			j = max(countLE(t.cmp, n.kids, it.from)-1, 0)
		case it.reverse:
			j = len(n.kids) - 1
		}
		it.path = append(it.path, frame{n, j})
		if n, err = t.load(it.ctx, &n.kids[j], n.level-1); err != nil {
			return it.fail(err)
		}
	}
	it.leaf = n
	switch {
	case !it.seekTo:
		if it.reverse {
			it.i = len(n.datoms) - 1
		}
	case it.reverse:
		it.i = searchGT(t.cmp, n.datoms, it.from) - 1
	default:
		it.i = searchGE(t.cmp, n.datoms, it.from)
	}
	return true
}

// nextLeaf moves to the first datom of the next leaf (the last datom of the
// previous leaf in reverse).
func (it *Iter) nextLeaf() bool {
	if err := it.ctx.Err(); err != nil {
		return it.fail(err)
	}
	t := it.t
	// Climb to the nearest branch that has a next child.
	k := len(it.path) - 1
	for ; k >= 0; k-- {
		f := &it.path[k]
		if it.reverse && f.i > 0 {
			f.i--
			break
		}
		if !it.reverse && f.i+1 < len(f.n.kids) {
			f.i++
			break
		}
	}
	if k < 0 {
		it.state = iterDone
		it.leaf = nil
		return false
	}
	it.path = it.path[:k+1]
	f := it.path[k]
	n, err := t.load(it.ctx, &f.n.kids[f.i], f.n.level-1)
	if err != nil {
		return it.fail(err)
	}
	for n.level > 0 {
		j := 0
		if it.reverse {
			j = len(n.kids) - 1
		}
		it.path = append(it.path, frame{n, j})
		if n, err = t.load(it.ctx, &n.kids[j], n.level-1); err != nil {
			return it.fail(err)
		}
	}
	it.leaf = n
	it.i = 0
	if it.reverse {
		it.i = len(n.datoms) - 1
	}
	return true
}

func countLE(cmp func(a, b *datom.Datom) int, kids []ref, d *datom.Datom) int {
	lo, hi := 0, len(kids)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmp(&kids[m].first, d) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// searchGT returns the index of the first datom > d.
func searchGT(cmp func(a, b *datom.Datom) int, ds []datom.Datom, d *datom.Datom) int {
	lo, hi := 0, len(ds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmp(&ds[m], d) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// CountRange returns the number of datoms d with from <= d < to (nil from:
// from the start; nil to: to the end). It reads at most two root-to-leaf
// paths, using the subtree counts of the branches.
func (t *Tree) CountRange(ctx context.Context, from, to *datom.Datom) (int64, error) {
	if t.root.empty() {
		return 0, nil
	}
	hi, err := t.rank(ctx, to)
	if err != nil {
		return 0, err
	}
	var lo int64
	if from != nil {
		if lo, err = t.rank(ctx, from); err != nil {
			return 0, err
		}
	}
	return max(hi-lo, 0), nil
}

// rank returns the number of datoms < d (all of them for a nil d).
func (t *Tree) rank(ctx context.Context, d *datom.Datom) (int64, error) {
	n, err := t.rootNode(ctx)
	if err != nil {
		return 0, err
	}
	if d == nil {
		return n.count, nil
	}
	var r int64
	for n.level > 0 {
		j := countLE(t.cmp, n.kids, d) - 1
		if j < 0 {
			return r, nil
		}
		for i := range j {
			r += n.kids[i].count
		}
		if n, err = t.load(ctx, &n.kids[j], n.level-1); err != nil {
			return 0, err
		}
	}
	return r + int64(searchGE(t.cmp, n.datoms, d)), nil
}
