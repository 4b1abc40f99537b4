package index

import (
	"slices"

	"github.com/cairn-db/cairn/core/datom"
)

// sortBlock is the number of datoms sorted in place at a time: small enough
// that the comparisons of one block hit the CPU cache.
const sortBlock = 4096

// sortDatoms returns a sorted copy of ds without duplicates (of datoms that
// compare equal, the last one in ds is kept). The input is not modified.
//
// A comparison sort over a large slice of 100-byte datoms is dominated by
// cache misses, so large inputs are sorted in cache-sized blocks that are
// then merged with a loser tree, reading every block sequentially.
func sortDatoms(ds []datom.Datom, cmp func(a, b *datom.Datom) int) []datom.Datom {
	if len(ds) == 0 {
		return nil
	}
	inOrder := true
	for i := 1; i < len(ds); i++ {
		if cmp(&ds[i-1], &ds[i]) >= 0 {
			inOrder = false
			break
		}
	}
	if inOrder {
		return slices.Clone(ds)
	}
	runs := make([]datom.Datom, len(ds))
	perm := make([]int32, min(len(ds), sortBlock))
	for s := 0; s < len(ds); s += sortBlock {
		blk := ds[s:min(s+sortBlock, len(ds))]
		p := perm[:len(blk)]
		for i := range p {
			p[i] = int32(i)
		}
		slices.SortFunc(p, func(a, b int32) int {
			if c := cmp(&blk[a], &blk[b]); c != 0 {
				return c
			}
			return int(a - b) // stable: equal datoms keep their order
		})
		for i, j := range p {
			runs[s+i] = blk[j]
		}
	}
	out := make([]datom.Datom, 0, len(ds))
	if len(ds) <= sortBlock {
		return dedupLast(runs, out, cmp)
	}
	m := newMerger(runs, sortBlock, cmp)
	for {
		d := m.next()
		if d == nil {
			return out
		}
		if len(out) > 0 && cmp(&out[len(out)-1], d) == 0 {
			out[len(out)-1] = *d // the later one wins
		} else {
			out = append(out, *d)
		}
	}
}

func dedupLast(sorted, out []datom.Datom, cmp func(a, b *datom.Datom) int) []datom.Datom {
	for i := range sorted {
		if i+1 < len(sorted) && cmp(&sorted[i], &sorted[i+1]) == 0 {
			continue
		}
		out = append(out, sorted[i])
	}
	return out
}

// merger merges sorted runs of a slice with a loser tree: one comparison
// per level for each datom, and equal datoms come out in run order.
type merger struct {
	a        []datom.Datom
	pos, end []int
	tree     []int // tree[0]: the winner; tree[1:]: the loser at each node
	k        int
	cmp      func(a, b *datom.Datom) int
}

func newMerger(a []datom.Datom, run int, cmp func(a, b *datom.Datom) int) *merger {
	k := (len(a) + run - 1) / run
	m := &merger{a: a, pos: make([]int, k), end: make([]int, k), tree: make([]int, k), k: k, cmp: cmp}
	for r := range k {
		m.pos[r], m.end[r] = r*run, min((r+1)*run, len(a))
	}
	m.tree[0] = m.build(1)
	return m
}

// less reports whether run x's head goes before run y's.
func (m *merger) less(x, y int) bool {
	if m.pos[x] == m.end[x] {
		return false
	}
	if m.pos[y] == m.end[y] {
		return true
	}
	if c := m.cmp(&m.a[m.pos[x]], &m.a[m.pos[y]]); c != 0 {
		return c < 0
	}
	return x < y
}

func (m *merger) build(n int) int {
	if n >= m.k {
		return n - m.k
	}
	l, r := m.build(2*n), m.build(2*n+1)
	if m.less(l, r) {
		m.tree[n] = r
		return l
	}
	m.tree[n] = l
	return r
}

// next returns the next datom, or nil when all runs are done.
func (m *merger) next() *datom.Datom {
	w := m.tree[0]
	if m.pos[w] == m.end[w] {
		return nil
	}
	d := &m.a[m.pos[w]]
	m.pos[w]++
	for t := (w + m.k) / 2; t >= 1; t /= 2 {
		if m.less(m.tree[t], w) {
			m.tree[t], w = w, m.tree[t]
		}
	}
	m.tree[0] = w
	return d
}
