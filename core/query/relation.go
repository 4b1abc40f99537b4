package query

import (
	"math"

	"github.com/cairn-db/cairn/core/datom"
)

// relation is a set (or, before distinct, a bag) of tuples over named
// variables. Rows are stored flat, row-major, so a relation of n rows and
// w variables is one slice of n*w values: no per-row allocation, and scans
// stay in cache. A relation with no variables is the unit relation (n is 1:
// "true") or empty (n is 0: "false").
type relation struct {
	vars []string
	data []datom.Value
	n    int
}

func newRelation(vars []string, capRows int) *relation {
	return &relation{vars: vars, data: make([]datom.Value, 0, capRows*len(vars))}
}

func unitRelation() *relation { return &relation{n: 1} }

func (r *relation) width() int { return len(r.vars) }

func (r *relation) row(i int) []datom.Value {
	w := len(r.vars)
	return r.data[i*w : i*w+w : i*w+w]
}

func (r *relation) add(vals ...datom.Value) {
	r.data = append(r.data, vals...)
	r.n++
}

func (r *relation) col(v string) int {
	for i, x := range r.vars {
		if x == v {
			return i
		}
	}
	return -1
}

func (r *relation) has(v string) bool { return r.col(v) >= 0 }

// hkey is a hash-join key. Values that compare equal have equal keys:
// integral numbers of every kind share the long form, strings and
// keywords are keyed by their text without allocating, and everything
// else (and multi-column keys) by datom.Value.HashKey.
type hkey struct {
	t uint8
	k uint64
	s string
}

const (
	hkLong uint8 = iota + 1
	hkString
	hkKeyword
	hkBool
	hkOther
	hkMulti
)

func keyOf(v datom.Value) hkey {
	switch v.Kind() {
	case datom.KindLong:
		return hkey{t: hkLong, k: uint64(v.AsLong())}
	case datom.KindString:
		return hkey{t: hkString, s: v.Text()}
	case datom.KindKeyword:
		return hkey{t: hkKeyword, s: v.Text()}
	case datom.KindBool:
		if v.AsBool() {
			return hkey{t: hkBool, k: 1}
		}
		return hkey{t: hkBool}
	case datom.KindDouble:
		f := v.AsDouble()
		if f == math.Trunc(f) && f >= -9.2e18 && f <= 9.2e18 {
			return hkey{t: hkLong, k: uint64(int64(f))}
		}
	case datom.KindBigInt:
		if n, ok := v.Int(); ok {
			return hkey{t: hkLong, k: uint64(n)}
		}
	}
	return hkey{t: hkOther, s: v.HashKey()}
}

// keyAt returns the join key of the given columns of a row.
func keyAt(row []datom.Value, cols []int, buf []byte) (hkey, []byte) {
	if len(cols) == 1 {
		return keyOf(row[cols[0]]), buf
	}
	buf = buf[:0]
	for _, c := range cols {
		k := row[c].HashKey()
		buf = appendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
	}
	return hkey{t: hkMulti, s: string(buf)}, buf
}

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// hashIndex maps join keys to row numbers: head[key] is the first row,
// next[row] the following one (-1 ends), so building costs one map entry
// per distinct key and no per-key slices.
type hashIndex struct {
	head map[hkey]int32
	next []int32
}

func buildIndex(r *relation, cols []int) *hashIndex {
	h := &hashIndex{head: make(map[hkey]int32, r.n), next: make([]int32, r.n)}
	var buf []byte
	for i := r.n - 1; i >= 0; i-- {
		var k hkey
		k, buf = keyAt(r.row(i), cols, buf)
		if j, ok := h.head[k]; ok {
			h.next[i] = j
		} else {
			h.next[i] = -1
		}
		h.head[k] = int32(i)
	}
	return h
}

func (h *hashIndex) first(k hkey) int32 {
	if j, ok := h.head[k]; ok {
		return j
	}
	return -1
}

// shared returns the variables of a also in b, with their columns.
func shared(a, b *relation) (vars []string, ca, cb []int) {
	for i, v := range a.vars {
		if j := b.col(v); j >= 0 {
			vars = append(vars, v)
			ca = append(ca, i)
			cb = append(cb, j)
		}
	}
	return
}

// join is the natural join of a and b: a hash join on the shared
// variables (the smaller side is hashed), a product when there are none.
func (ex *exec) join(a, b *relation) (*relation, error) {
	_, ca, cb := shared(a, b)
	var extra []int // columns of b not in a
	for j, v := range b.vars {
		if a.col(v) < 0 {
			extra = append(extra, j)
		}
	}
	vars := append(append([]string{}, a.vars...), pick(b.vars, extra)...)
	out := &relation{vars: vars}
	if a.n == 0 || b.n == 0 {
		return out, nil
	}
	if len(ca) > 0 {
		out.data = make([]datom.Value, 0, max(a.n, b.n)*len(vars))
	}
	emit := func(ra, rb []datom.Value) {
		out.data = append(out.data, ra...)
		for _, j := range extra {
			out.data = append(out.data, rb[j])
		}
		out.n++
	}
	if len(ca) == 0 {
		for i := 0; i < a.n; i++ {
			if err := ex.tick(); err != nil {
				return nil, err
			}
			for j := 0; j < b.n; j++ {
				emit(a.row(i), b.row(j))
			}
			if err := ex.checkSize(out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var buf []byte
	if a.n <= b.n {
		idx := buildIndex(a, ca)
		for j := 0; j < b.n; j++ {
			if err := ex.tick(); err != nil {
				return nil, err
			}
			rb := b.row(j)
			var k hkey
			k, buf = keyAt(rb, cb, buf)
			for i := idx.first(k); i >= 0; i = idx.next[i] {
				emit(a.row(int(i)), rb)
			}
		}
	} else {
		idx := buildIndex(b, cb)
		for i := 0; i < a.n; i++ {
			if err := ex.tick(); err != nil {
				return nil, err
			}
			ra := a.row(i)
			var k hkey
			k, buf = keyAt(ra, ca, buf)
			for j := idx.first(k); j >= 0; j = idx.next[j] {
				emit(ra, b.row(int(j)))
			}
		}
	}
	return out, ex.checkSize(out)
}

func pick(xs []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// project returns the relation over vars (all in r), without removing
// duplicates.
func (r *relation) project(vars []string) *relation {
	cols := make([]int, len(vars))
	for i, v := range vars {
		cols[i] = r.col(v)
	}
	out := &relation{vars: vars, data: make([]datom.Value, 0, r.n*len(vars)), n: r.n}
	for i := 0; i < r.n; i++ {
		row := r.row(i)
		for _, c := range cols {
			out.data = append(out.data, row[c])
		}
	}
	return out
}

// distinct removes duplicate rows.
func (r *relation) distinct() *relation {
	if r.n <= 1 {
		return r
	}
	w := len(r.vars)
	if w == 0 {
		return &relation{n: 1}
	}
	cols := make([]int, w)
	for i := range cols {
		cols[i] = i
	}
	seen := make(map[hkey]struct{}, r.n)
	out := &relation{vars: r.vars, data: make([]datom.Value, 0, len(r.data))}
	var buf []byte
	for i := 0; i < r.n; i++ {
		var k hkey
		k, buf = keyAt(r.row(i), cols, buf)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out.data = append(out.data, r.row(i)...)
		out.n++
	}
	return out
}

// subtract removes from a every row that agrees with some row of b on
// their shared variables (an anti-join).
func (a *relation) subtract(b *relation) *relation {
	_, ca, cb := shared(a, b)
	if b.n == 0 {
		return a
	}
	if len(ca) == 0 { // b non-empty and independent: removes everything
		return &relation{vars: a.vars}
	}
	idx := buildIndex(b, cb)
	out := &relation{vars: a.vars}
	var buf []byte
	for i := 0; i < a.n; i++ {
		var k hkey
		k, buf = keyAt(a.row(i), ca, buf)
		if idx.first(k) < 0 {
			out.data = append(out.data, a.row(i)...)
			out.n++
		}
	}
	return out
}

// union appends b's rows to a (b's columns reordered to a's variables).
func (a *relation) union(b *relation) *relation {
	if b.n == 0 {
		return a
	}
	cols := make([]int, len(a.vars))
	for i, v := range a.vars {
		cols[i] = b.col(v)
	}
	for i := 0; i < b.n; i++ {
		row := b.row(i)
		for _, c := range cols {
			a.data = append(a.data, row[c])
		}
		a.n++
	}
	return a
}
