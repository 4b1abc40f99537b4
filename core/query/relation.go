package query

import (
	"hash/maphash"
	"math"
	"math/bits"
	"slices"

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
	set  bool // the rows are known to be distinct, so distinct is a no-op
}

func newRelation(vars []string, capRows int) *relation {
	return &relation{vars: vars, data: make([]datom.Value, 0, capRows*len(vars))}
}

func unitRelation() *relation { return &relation{n: 1, set: true} }

func (r *relation) width() int { return len(r.vars) }

func (r *relation) row(i int) []datom.Value {
	w := len(r.vars)
	return r.data[i*w : i*w+w : i*w+w]
}

// reserve makes room for k more values, doubling the capacity (append
// grows large slices by only a quarter, copying them many times over).
func (r *relation) reserve(k int) {
	if cap(r.data)-len(r.data) >= k {
		return
	}
	c := max(2*cap(r.data), len(r.data)+k, 64)
	d := make([]datom.Value, len(r.data), c)
	copy(d, r.data)
	r.data = d
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

// hkey is the join key of one value. Values that compare equal have equal
// keys: integral numbers of every kind share the long form, strings and
// keywords are keyed by their text without allocating, and everything
// else by datom.Value.HashKey. The hash index (below) hashes and compares
// rows with it, column by column.
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
	case datom.KindBigInt, datom.KindBigDec:
		if n, ok := v.Int(); ok {
			return hkey{t: hkLong, k: uint64(n)}
		}
	}
	return hkey{t: hkOther, s: v.HashKey()}
}

// keyEq reports whether two values are equal as join keys (keyOf equal),
// without allocating for the common kinds.
func keyEq(a, b datom.Value) bool {
	if a.Kind() == b.Kind() {
		switch a.Kind() {
		case datom.KindLong:
			return a.AsLong() == b.AsLong()
		case datom.KindString, datom.KindKeyword:
			return a.Text() == b.Text()
		case datom.KindBool:
			return a.AsBool() == b.AsBool()
		}
	}
	return keyOf(a) == keyOf(b)
}

var hashSeed = maphash.MakeSeed()

// hashVal hashes v consistently with keyEq.
func hashVal(v datom.Value) uint64 {
	switch v.Kind() {
	case datom.KindLong:
		return mix64(uint64(v.AsLong()) ^ uint64(hkLong)<<59)
	case datom.KindString:
		return maphash.String(hashSeed, v.Text())
	case datom.KindKeyword:
		return ^maphash.String(hashSeed, v.Text())
	}
	k := keyOf(v)
	switch k.t {
	case hkLong, hkBool:
		return mix64(k.k ^ uint64(k.t)<<59)
	case hkString:
		return maphash.String(hashSeed, k.s)
	case hkKeyword:
		return ^maphash.String(hashSeed, k.s)
	}
	return maphash.String(hashSeed, k.s) + uint64(k.t)
}

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// rowHash hashes the given columns of a row.
func rowHash(row []datom.Value, cols []int) uint64 {
	if len(cols) == 1 {
		return hashVal(row[cols[0]])
	}
	h := uint64(0x9e3779b97f4a7c15)
	for _, c := range cols {
		h = (h^hashVal(row[c]))*0x100000001b3 + 0x9e3779b97f4a7c15
	}
	return mix64(h)
}

// rowsEq compares row a's columns ca with row b's columns cb as join keys.
func rowsEq(a []datom.Value, ca []int, b []datom.Value, cb []int) bool {
	for k, c := range ca {
		if !keyEq(a[c], b[cb[k]]) {
			return false
		}
	}
	return true
}

// hashIndex is a hash table over the rows of a relation keyed by some of
// its columns: buckets hold the first row of a chain (plus one, 0 is
// empty), next[row] the following one (-1 ends). Rows carry their full
// hash, so chains compare values only on a hash match. Nothing is
// allocated per row.
type hashIndex struct {
	r       *relation
	cols    []int
	buckets []int32
	next    []int32
	hashes  []uint64
	shift   uint
}

func newHashIndex(r *relation, cols []int, capRows int) *hashIndex {
	h := &hashIndex{r: r, cols: cols, next: make([]int32, 0, capRows), hashes: make([]uint64, 0, capRows)}
	h.resize(capRows)
	return h
}

func (h *hashIndex) resize(rows int) {
	size := 8
	for size < rows*2 {
		size <<= 1
	}
	h.shift = uint(64 - bits.TrailingZeros(uint(size)))
	h.buckets = make([]int32, size)
	for i := range h.next {
		h.link(int32(i), h.hashes[i])
	}
}

func (h *hashIndex) bucket(hv uint64) uint64 { return (hv * 0x9e3779b97f4a7c15) >> h.shift }

func (h *hashIndex) link(i int32, hv uint64) {
	b := h.bucket(hv)
	h.next[i] = h.buckets[b] - 1
	h.buckets[b] = i + 1
}

// insert adds row i of the relation (the next row number) with hash hv.
func (h *hashIndex) insert(i int32, hv uint64) {
	h.next = append(h.next, -1)
	h.hashes = append(h.hashes, hv)
	if len(h.next)*2 > len(h.buckets) {
		h.resize(len(h.next))
		return
	}
	h.link(i, hv)
}

func buildIndex(r *relation, cols []int) *hashIndex {
	h := newHashIndex(r, cols, r.n)
	for i := 0; i < r.n; i++ {
		h.insert(int32(i), rowHash(r.row(i), cols))
	}
	return h
}

// first returns the first row whose key equals the columns cols of row
// (of hash hv), or -1.
func (h *hashIndex) first(hv uint64, row []datom.Value, cols []int) int32 {
	return h.scan(h.buckets[h.bucket(hv)]-1, hv, row, cols)
}

// nextMatch returns the row after i with the same key, or -1.
func (h *hashIndex) nextMatch(i int32, hv uint64, row []datom.Value, cols []int) int32 {
	return h.scan(h.next[i], hv, row, cols)
}

func (h *hashIndex) scan(i int32, hv uint64, row []datom.Value, cols []int) int32 {
	for ; i >= 0; i = h.next[i] {
		if h.hashes[i] == hv && rowsEq(h.r.row(int(i)), h.cols, row, cols) {
			return i
		}
	}
	return -1
}

// addDistinct appends row to the index's relation unless a row with the
// same key (all of the relation's columns) is there; it reports whether
// the row was added, and the number of the row holding the key.
func (h *hashIndex) addDistinct(row []datom.Value, cols []int) (int32, bool) {
	hv := rowHash(row, cols)
	if j := h.first(hv, row, cols); j >= 0 {
		return j, false
	}
	for _, c := range cols {
		h.r.data = append(h.r.data, row[c])
	}
	h.r.n++
	h.insert(int32(h.r.n-1), hv)
	return int32(h.r.n - 1), true
}

func allCols(w int) []int {
	cols := make([]int, w)
	for i := range cols {
		cols[i] = i
	}
	return cols
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
	out := &relation{vars: vars, set: a.set && b.set}
	if a.n == 0 || b.n == 0 {
		return out, nil
	}
	if len(ca) > 0 {
		out.data = make([]datom.Value, 0, max(a.n, b.n)*len(vars))
	}
	emit := func(ra, rb []datom.Value) {
		out.reserve(len(vars))
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
	if a.n <= b.n {
		idx := buildIndex(a, ca)
		for j := 0; j < b.n; j++ {
			if err := ex.tick(); err != nil {
				return nil, err
			}
			rb := b.row(j)
			hv := rowHash(rb, cb)
			for i := idx.first(hv, rb, cb); i >= 0; i = idx.nextMatch(i, hv, rb, cb) {
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
			hv := rowHash(ra, ca)
			for j := idx.first(hv, ra, ca); j >= 0; j = idx.nextMatch(j, hv, ra, ca) {
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
	same := len(vars) == len(r.vars)
	for i, v := range vars {
		cols[i] = r.col(v)
		if cols[i] != i {
			same = false
		}
	}
	if same {
		return r
	}
	// A permutation of all the columns keeps the rows distinct.
	perm := len(vars) == len(r.vars) && len(uniq(vars)) == len(vars)
	out := &relation{vars: vars, data: make([]datom.Value, 0, r.n*len(vars)), n: r.n, set: r.set && perm}
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
	if r.n <= 1 || r.set {
		return r
	}
	w := len(r.vars)
	if w == 0 {
		return &relation{n: 1, set: true}
	}
	cols := allCols(w)
	out := &relation{vars: r.vars, data: make([]datom.Value, 0, len(r.data)), set: true}
	idx := newHashIndex(out, cols, r.n)
	for i := 0; i < r.n; i++ {
		idx.addDistinct(r.row(i), cols)
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
		return &relation{vars: a.vars, set: true}
	}
	idx := buildIndex(b, cb)
	out := &relation{vars: a.vars, set: a.set}
	for i := 0; i < a.n; i++ {
		ra := a.row(i)
		if idx.first(rowHash(ra, ca), ra, ca) < 0 {
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
	a.set = false
	a.data = slices.Grow(a.data, b.n*len(a.vars))
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
