package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/cairn-db/cairn/core/datom"
)

// epochs numbers With calls so that a writer can tell the nodes it built
// from older dirty nodes. The number never reaches the encoding.
var epochs atomic.Uint64

// batch is a sorted, de-duplicated list of operations.
type batch struct {
	ds  []datom.Datom // strictly increasing
	del []bool        // del[i]: ds[i] is a removal; nil when nothing is
}

func (b batch) sub(i, j int) batch {
	s := batch{ds: b.ds[i:j]}
	if b.del != nil {
		s.del = b.del[i:j]
	}
	return s
}

func (b batch) isDel(i int) bool { return b.del != nil && b.del[i] }

// writer carries the state of one With call.
type writer struct {
	t       *Tree
	ctx     context.Context
	cmp     func(a, b *datom.Datom) int
	target  int // Options.NodeSize
	minSize int // nodes smaller than this are merged with a neighbour
	epoch   uint64

	enc  []byte // scratch encoding, for entry sizes
	offs []int  // scratch entry offsets
	va   []byte // scratch values for identity checks
	vb   []byte
}

// With returns a tree with removes removed and adds added (in that order:
// a datom in both ends up present). Adding a datom that compares equal to a
// present one replaces it; removing an absent one does nothing. Among equal
// datoms within adds the last wins. The receiver is unchanged and the inputs
// are not retained.
//
// The batch is sorted once and merged into the tree in one pass, so the
// cost is that of the nodes it touches: a single datom copies one
// root-to-leaf path, a large batch rewrites each affected leaf once.
// Changed nodes are re-split by encoded size; a changed node that falls
// below a quarter of Options.NodeSize is merged with a neighbour. The result
// depends only on the starting tree and the arguments, never on timing or
// map order.
func (t *Tree) With(ctx context.Context, adds, removes []datom.Datom) (*Tree, error) {
	for i := range adds {
		if err := validDatom(&adds[i]); err != nil {
			return nil, err
		}
	}
	w := &writer{t: t, ctx: ctx, cmp: t.cmp, target: t.opts.NodeSize, minSize: t.opts.NodeSize / 4,
		epoch: epochs.Add(1)}
	root, level, err := t.rootRef(ctx)
	if err != nil {
		return nil, err
	}
	b := w.prepare(adds, removes, root.empty())
	if len(b.ds) == 0 {
		return t, nil
	}
	var out []ref
	if root.empty() {
		level = 0
		out = w.chunkLeaf(b.ds, true)
	} else {
		res, changed, err := w.update(root, level, b)
		if err != nil {
			return nil, err
		}
		if !changed {
			return t, nil
		}
		out = res
	}
	for len(out) > 1 {
		level++
		out = w.chunkBranch(out, level)
	}
	if len(out) == 0 {
		return t.derive(ref{}, 0), nil
	}
	r := out[0]
	for level > 0 && r.node != nil && len(r.node.kids) == 1 {
		r = r.node.kids[0]
		level--
	}
	return t.derive(r, level), nil
}

// validDatom reports whether d can be encoded into a node that decodes.
func validDatom(d *datom.Datom) error {
	if len(d.A) > maxAttrLen {
		return fmt.Errorf("%w: attribute of %d bytes", ErrInvalidDatom, len(d.A))
	}
	if err := validValue(d.V, 0); err != nil {
		return fmt.Errorf("%w: %v: %w", ErrInvalidDatom, d, err)
	}
	return nil
}

func validValue(v datom.Value, depth int) error {
	switch v.Kind() {
	case datom.KindTuple:
		if depth >= 8 {
			return fmt.Errorf("tuple nested too deep")
		}
		t := v.AsTuple()
		if len(t) > datom.MaxTupleLen {
			return fmt.Errorf("tuple of %d elements", len(t))
		}
		for _, e := range t {
			if err := validValue(e, depth+1); err != nil {
				return err
			}
		}
	case datom.KindBigInt, datom.KindBigDec:
		// The decoder is stricter than the constructors: round-trip.
		if _, _, err := datom.DecodeValue(datom.AppendValue(nil, v)); err != nil {
			return err
		}
	case datom.KindString, datom.KindKeyword, datom.KindSymbol, datom.KindBytes:
		if len(v.Text()) > datom.MaxTextLen {
			return fmt.Errorf("text of %d bytes", len(v.Text()))
		}
	}
	return nil
}

// prepare sorts and merges adds and removes into one batch. On an empty tree
// removes are dropped.
func (w *writer) prepare(adds, removes []datom.Datom, empty bool) batch {
	as := sortDatoms(adds, w.cmp)
	if empty || len(removes) == 0 {
		return batch{ds: as}
	}
	rs := sortDatoms(removes, w.cmp)
	b := batch{ds: make([]datom.Datom, 0, len(as)+len(rs)), del: make([]bool, 0, len(as)+len(rs))}
	i, j := 0, 0
	for i < len(as) || j < len(rs) {
		c := -1
		if i == len(as) {
			c = 1
		} else if j < len(rs) {
			c = w.cmp(&as[i], &rs[j])
		}
		switch {
		case c < 0:
			b.ds, b.del = append(b.ds, as[i]), append(b.del, false)
			i++
		case c > 0:
			b.ds, b.del = append(b.ds, rs[j]), append(b.del, true)
			j++
		default: // the add wins: removes apply first
			b.ds, b.del = append(b.ds, as[i]), append(b.del, false)
			i++
			j++
		}
	}
	return b
}

// update applies b to the subtree of r (at level) and returns the entries
// that replace r: none, one or several, all at the same level. changed is
// false when nothing changed (res is then nil: keep r).
func (w *writer) update(r ref, level int, b batch) (res []ref, changed bool, err error) {
	n, err := w.t.load(w.ctx, &r, level)
	if err != nil {
		return nil, false, err
	}
	if level == 0 {
		merged, changed := w.mergeLeaf(n.datoms, b)
		if !changed {
			return nil, false, nil
		}
		return w.chunkLeaf(merged, true), true, nil
	}
	kids := n.kids
	out := make([]ref, 0, len(kids)+2)
	i, p := 0, 0
	for p < len(b.ds) {
		// The child for b.ds[p]: the last one (from i) whose first datom is
		// <= it, or i when it precedes them all.
		j := i + countLE(w.cmp, kids[i+1:], &b.ds[p])
		out = append(out, kids[i:j]...)
		q := len(b.ds)
		if j+1 < len(kids) {
			q = p + searchGE(w.cmp, b.ds[p:], &kids[j+1].first)
		}
		sub, ch, err := w.update(kids[j], level-1, b.sub(p, q))
		if err != nil {
			return nil, false, err
		}
		if ch {
			changed = true
			out = append(out, sub...)
		} else {
			out = append(out, kids[j])
		}
		i, p = j+1, q
	}
	if !changed {
		return nil, false, nil
	}
	out = append(out, kids[i:]...)
	if out, err = w.fixUnderfull(out, level-1); err != nil {
		return nil, false, err
	}
	return w.chunkBranch(out, level), true, nil
}

// searchGE returns the index of the first datom >= d.
func searchGE(cmp func(a, b *datom.Datom) int, ds []datom.Datom, d *datom.Datom) int {
	lo, hi := 0, len(ds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cmp(&ds[m], d) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// gallopGE returns the index of the first datom >= d, searching from the
// front exponentially (cheap when it is near the front).
func gallopGE(cmp func(a, b *datom.Datom) int, ds []datom.Datom, d *datom.Datom) int {
	hi := 1
	for hi <= len(ds) && cmp(&ds[hi-1], d) < 0 {
		hi <<= 1
	}
	lo := hi >> 1
	hi = min(hi, len(ds))
	return lo + searchGE(cmp, ds[lo:hi], d)
}

// mergeLeaf merges b into a leaf's datoms (into a new slice) and reports
// whether anything changed.
func (w *writer) mergeLeaf(old []datom.Datom, b batch) ([]datom.Datom, bool) {
	adds := len(b.ds)
	if b.del != nil {
		adds = 0
		for _, d := range b.del {
			if !d {
				adds++
			}
		}
	}
	dst := make([]datom.Datom, 0, len(old)+adds)
	changed := false
	i := 0
	for p := range b.ds {
		op := &b.ds[p]
		j := i + gallopGE(w.cmp, old[i:], op)
		dst = append(dst, old[i:j]...)
		i = j
		eq := j < len(old) && w.cmp(&old[j], op) == 0
		if eq {
			i++
		}
		if b.isDel(p) {
			if eq {
				changed = true
			}
			continue
		}
		if !eq || !w.identical(&old[j], op) {
			changed = true
		}
		dst = append(dst, *op)
	}
	dst = append(dst, old[i:]...)
	return dst, changed
}

// identical reports whether two equal-comparing datoms encode identically.
func (w *writer) identical(a, b *datom.Datom) bool {
	if a.E != b.E || a.A != b.A || a.Tx != b.Tx || a.Added != b.Added || a.V.Kind() != b.V.Kind() {
		return false
	}
	w.va = datom.AppendValue(w.va[:0], a.V)
	w.vb = datom.AppendValue(w.vb[:0], b.V)
	return bytes.Equal(w.va, w.vb)
}

// fixUnderfull merges every underfull entry built by this writer with a
// neighbour (the right one, or the left one for the last
// entry), and repeats until none is left or only one entry remains.
func (w *writer) fixUnderfull(rs []ref, level int) ([]ref, error) {
	for i := 0; i < len(rs) && len(rs) > 1; {
		n := rs[i].node
		if n == nil || n.epoch != w.epoch || !w.underfull(n) {
			i++
			continue
		}
		a := i
		if a == len(rs)-1 {
			a--
		}
		merged, err := w.mergePair(rs[a], rs[a+1], level)
		if err != nil {
			return nil, err
		}
		rs = slices.Replace(rs, a, a+2, merged...)
		i = a
	}
	return rs, nil
}

// underfull reports whether n must be merged with a neighbour: it is
// smaller than a quarter of the target size, or a branch with one child.
func (w *writer) underfull(n *node) bool {
	return n.size < w.minSize || (n.level > 0 && len(n.kids) < 2)
}

// mergePair joins two neighbouring entries at level into one or two new
// nodes.
func (w *writer) mergePair(a, b ref, level int) ([]ref, error) {
	na, err := w.t.load(w.ctx, &a, level)
	if err != nil {
		return nil, err
	}
	nb, err := w.t.load(w.ctx, &b, level)
	if err != nil {
		return nil, err
	}
	if level == 0 {
		ds := make([]datom.Datom, 0, len(na.datoms)+len(nb.datoms))
		ds = append(append(ds, na.datoms...), nb.datoms...)
		return w.chunkLeaf(ds, true), nil
	}
	kids := make([]ref, 0, len(na.kids)+len(nb.kids))
	kids = append(append(kids, na.kids...), nb.kids...)
	if kids, err = w.fixUnderfull(kids, level-1); err != nil {
		return nil, err
	}
	return w.chunkBranch(kids, level), nil
}

// cuts splits n entries whose encoded offsets are offs (len n+1) into
// chunks and returns the end index of each chunk. Entries that fit in
// target bytes stay one chunk; more are cut into chunks of about equal size
// near fill×target, each with at least minEntries entries. The headroom
// left by fill means a node split or bulk-built is not split again by the
// next insert.
func cuts(offs []int, target, minEntries int) []int {
	n := len(offs) - 1
	total := offs[n]
	k := 1
	if total > target {
		fill := target * fillPercent / 100
		k = (total + fill - 1) / fill
	}
	k = max(min(k, n/minEntries), 1)
	ends := make([]int, 0, k)
	start := 0
	for j := 1; j < k; j++ {
		goal := total * j / k
		lo := start + minEntries                  // smallest allowed end
		hi := n - minEntries*(k-j)                // largest allowed end
		e := lo + searchInts(offs[lo:hi+1], goal) // first end with offs >= goal
		if e > hi {
			e = hi
		}
		if e > lo && goal-offs[e-1] < offs[e]-goal {
			e-- // the nearer boundary
		}
		ends = append(ends, e)
		start = e
	}
	return append(ends, n)
}

func searchInts(xs []int, x int) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// fillPercent is the fill of the nodes that a split or a bulk build makes,
// as a percentage of Options.NodeSize.
const fillPercent = 75

// Encoded header bytes, approximately, for choosing cuts.
const headerSize = 6

// restartSep returns how many bytes longer the separator of kids[i] encodes
// at the start of a node than after the separator of kids[i-1].
func (w *writer) restartSep(kids []ref, i int) int {
	if i == 0 {
		return 0
	}
	var zero datom.Datom
	w.va = appendDelta(w.va[:0], &kids[i].first, &zero)
	w.vb = appendDelta(w.vb[:0], &kids[i].first, &kids[i-1].first)
	return len(w.va) - len(w.vb)
}

// chunkLeaf builds leaves from sorted datoms. When owned is set, ds is not
// used by anyone else, and a single leaf may keep it instead of a copy.
func (w *writer) chunkLeaf(ds []datom.Datom, owned bool) []ref {
	if len(ds) == 0 {
		return nil
	}
	if cap(w.offs) <= len(ds) {
		w.enc = make([]byte, 0, 32*len(ds))
		w.offs = make([]int, 0, len(ds)+1)
	}
	enc, offs := w.enc[:0], w.offs[:0]
	var zero datom.Datom
	prev := &zero
	for i := range ds {
		offs = append(offs, len(enc))
		enc = appendDelta(enc, &ds[i], prev)
		prev = &ds[i]
	}
	offs = append(offs, len(enc))
	w.enc, w.offs = enc, offs
	ends := cuts(offs, w.target-headerSize, 1)
	out := make([]ref, len(ends))
	start := 0
	for i, e := range ends {
		// The encoding is the sequence's, except that the first datom is
		// encoded against the zero datom.
		b := make([]byte, 0, 16+offs[e]-offs[start])
		b = append(b, formatVersion, typeLeaf)
		b = binary.AppendUvarint(b, uint64(e-start))
		b = appendDelta(b, &ds[start], &zero)
		b = append(b, enc[offs[start+1]:offs[e]]...)
		var own []datom.Datom
		if owned && len(ends) == 1 && cap(ds)-len(ds) <= len(ds)/8 {
			own = ds
		} else {
			own = slices.Clone(ds[start:e])
		}
		n := &node{datoms: own, count: int64(e - start), epoch: w.epoch, enc: b, size: len(b)}
		n.mem = memEstimate(n)
		out[i] = ref{node: n, count: n.count, first: n.datoms[0]}
		start = e
	}
	return out
}

// chunkBranch builds branches at level from sorted entries (copying them).
func (w *writer) chunkBranch(kids []ref, level int) []ref {
	if len(kids) == 0 {
		return nil
	}
	enc, offs := w.enc[:0], w.offs[:0]
	var zero datom.Datom
	prev := &zero
	extra := 0
	for i := range kids {
		offs = append(offs, len(enc)+extra)
		enc = appendDelta(enc, &kids[i].first, prev)
		prev = &kids[i].first
		extra += KeySize + uvarintLen(uint64(kids[i].count))
	}
	offs = append(offs, len(enc)+extra)
	w.enc, w.offs = enc, offs
	ends := cuts(offs, w.target-headerSize, 2)
	out := make([]ref, len(ends))
	start := 0
	for i, e := range ends {
		n := &node{level: level, kids: slices.Clone(kids[start:e]), epoch: w.epoch}
		n.size = 2 + uvarintLen(uint64(level)) + uvarintLen(uint64(e-start)) + offs[e] - offs[start]
		n.size += w.restartSep(kids, start)
		for j := range n.kids {
			n.count += n.kids[j].count
		}
		n.mem = memEstimate(n)
		out[i] = ref{node: n, count: n.count, first: n.kids[0].first}
		start = e
	}
	return out
}
