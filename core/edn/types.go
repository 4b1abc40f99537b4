package edn

import (
	"encoding/hex"
)

// Keyword is an EDN keyword such as :name or :db/id. NS is empty for a
// keyword without a namespace. Keywords compare with ==.
type Keyword struct {
	NS, Name string
}

// String returns the keyword as EDN text: ":name" or ":ns/name".
func (k Keyword) String() string {
	if k.NS == "" {
		return ":" + k.Name
	}
	return ":" + k.NS + "/" + k.Name
}

// Symbol is an EDN symbol such as ?e, $, _, ... or clojure.string/blank?.
// NS is empty for a symbol without a namespace; the lone slash is
// Symbol{Name: "/"}. Symbols compare with ==.
type Symbol struct {
	NS, Name string
}

// String returns the symbol as EDN text: "name" or "ns/name".
func (s Symbol) String() string {
	if s.NS == "" {
		return s.Name
	}
	return s.NS + "/" + s.Name
}

// Char is an EDN character literal such as \a or \newline.
type Char rune

// List is an EDN list (a b c). Equal treats a List and a Vector with equal
// elements as equal, as Clojure does; Print keeps them apart.
type List []any

// Vector is an EDN vector [a b c].
type Vector []any

// Elems returns the elements of a vector or a list (or of a []any, the
// form Go callers build), and false for anything else.
func Elems(v any) ([]any, bool) {
	switch t := v.(type) {
	case Vector:
		return t, true
	case List:
		return t, true
	case []any:
		return t, true
	}
	return nil, false
}

// BigDec is an arbitrary-precision decimal, read from a literal with the M
// suffix. Text is the literal without the suffix and without a leading '+'
// (for 1.50M it is "1.50"); Print writes Text back unchanged, so the scale
// survives a round trip. Equal and Hash compare the numeric value, so 1.5M
// equals 1.50M. A BigDec never equals a float64 or an integer.
type BigDec struct {
	Text string
}

// UUID is the value of a #uuid literal.
type UUID [16]byte

// String returns the canonical 8-4-4-4-12 lower-case hex form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// Tagged is a tagged literal #tag value whose tag the reader does not
// interpret (everything except #inst and #uuid).
type Tagged struct {
	Tag   Symbol
	Value any
}

// MapEntry is one key/value pair of a Map.
type MapEntry struct {
	Key, Val any
}

// Map is an EDN map that keeps its entries in insertion (reading) order and
// looks keys up by value (Equal), so vectors, lists, maps and sets work as
// keys: a lookup ref [:name "x"] finds the entry whose key is the vector
// [:name "x"] (or the list (:name "x")).
//
// Entries may be read freely. Add entries only through Set: the lookup
// index notices entries appended behind its back (it is rebuilt when
// len(Entries) changes) but not keys rewritten in place. A nil *Map is an
// empty map for reading.
//
// Design: maps of up to linearMax entries (nearly every entity map in a
// transaction) have no index at all; Get compares keys with Equal one by
// one, which is faster than hashing for a handful of keywords and costs no
// memory. Larger maps build an open-addressing table of entry positions
// keyed by Hash. The rejected alternative was a Go map keyed by KeyOf
// text: it needs a string allocation per key and per lookup, and made
// reading transaction data several times slower.
type Map struct {
	Entries []MapEntry
	ix      index
}

// NewMap returns a map holding entries in order. A key that repeats
// replaces the earlier value but keeps its position, as Set does.
func NewMap(entries ...MapEntry) *Map {
	m := &Map{Entries: make([]MapEntry, 0, len(entries))}
	for _, e := range entries {
		m.Set(e.Key, e.Val)
	}
	return m
}

// Len returns the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.Entries)
}

// Get returns the value stored under a key Equal to key.
func (m *Map) Get(key any) (any, bool) {
	if m == nil {
		return nil, false
	}
	i := m.find(key, Hash(key))
	if i < 0 {
		return nil, false
	}
	return m.Entries[i].Val, true
}

// Set stores val under key. An existing entry with an Equal key keeps its
// position and gets the new value; otherwise the entry is appended.
func (m *Map) Set(key, val any) {
	h := uint64(0)
	if len(m.Entries) >= linearMax { // small maps are searched without hashing
		h = Hash(key)
	}
	if i := m.find(key, h); i >= 0 {
		m.Entries[i].Val = val
		return
	}
	m.appendEntry(key, val, h)
}

// insertNew appends key/val unless an Equal key is present; it reports
// whether it appended.
func (m *Map) insertNew(key, val any) bool {
	h := uint64(0)
	if len(m.Entries) >= linearMax {
		h = Hash(key)
	}
	if m.find(key, h) >= 0 {
		return false
	}
	m.appendEntry(key, val, h)
	return true
}

func (m *Map) key(i int) any { return m.Entries[i].Key }

// find returns the position of key, or -1. h must be Hash(key) when the map
// has more than linearMax entries.
func (m *Map) find(key any, h uint64) int {
	if len(m.Entries) <= linearMax {
		for i := range m.Entries {
			if Equal(m.Entries[i].Key, key) {
				return i
			}
		}
		return -1
	}
	m.ix.sync(len(m.Entries), m.key)
	return m.ix.lookup(h, key, m.key)
}

func (m *Map) appendEntry(key, val any, h uint64) {
	m.Entries = append(m.Entries, MapEntry{key, val})
	n := len(m.Entries)
	if n > linearMax && m.ix.n == n-1 {
		m.ix.add(n-1, h)
	}
	// Otherwise the index is absent or stale and find rebuilds it.
}

// Set is an EDN set that keeps its elements in insertion (reading) order and
// tests membership by value (Equal), so vectors and maps work as members.
// The same rules as for Map apply: read Elems freely, add through Add. A nil
// *Set is an empty set for reading.
type Set struct {
	Elems []any
	ix    index
}

// NewSet returns a set of elems in order, dropping repeats.
func NewSet(elems ...any) *Set {
	s := &Set{Elems: make([]any, 0, len(elems))}
	for _, e := range elems {
		s.Add(e)
	}
	return s
}

// Len returns the number of elements.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Elems)
}

// Has reports whether the set holds an element Equal to v.
func (s *Set) Has(v any) bool {
	if s == nil {
		return false
	}
	return s.find(v, Hash(v)) >= 0
}

// Add appends v unless the set already holds an Equal element; it reports
// whether v was added.
func (s *Set) Add(v any) bool {
	h := uint64(0)
	if len(s.Elems) >= linearMax {
		h = Hash(v)
	}
	if s.find(v, h) >= 0 {
		return false
	}
	s.Elems = append(s.Elems, v)
	n := len(s.Elems)
	if n > linearMax && s.ix.n == n-1 {
		s.ix.add(n-1, h)
	}
	return true
}

func (s *Set) elem(i int) any { return s.Elems[i] }

func (s *Set) find(v any, h uint64) int {
	if len(s.Elems) <= linearMax {
		for i, e := range s.Elems {
			if Equal(e, v) {
				return i
			}
		}
		return -1
	}
	s.ix.sync(len(s.Elems), s.elem)
	return s.ix.lookup(h, v, s.elem)
}

// linearMax is the largest collection searched without an index.
const linearMax = 8

// index is an open-addressing hash table over the positions of a
// collection's items. slots holds position+1 (0 is empty); hashes[i] is
// Hash of item i, kept so that growing never rehashes values. n is the
// number of items indexed; when it differs from the collection length the
// index is stale and sync rebuilds it.
type index struct {
	n      int
	slots  []int32
	hashes []uint64
}

// sync rebuilds the index when it does not cover exactly n items.
func (x *index) sync(n int, item func(int) any) {
	if x.n == n && x.slots != nil {
		return
	}
	x.n = 0
	x.hashes = x.hashes[:0]
	x.slots = make([]int32, tableSize(n))
	for i := 0; i < n; i++ {
		x.add(i, Hash(item(i)))
	}
}

func tableSize(n int) int {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	return size
}

// add indexes item i (which must be x.n) with hash h.
func (x *index) add(i int, h uint64) {
	x.hashes = append(x.hashes, h)
	x.n++
	if 2*x.n > len(x.slots) {
		x.slots = make([]int32, tableSize(x.n))
		for j, hj := range x.hashes {
			x.place(j, hj)
		}
		return
	}
	x.place(i, h)
}

func (x *index) place(i int, h uint64) {
	mask := uint64(len(x.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		if x.slots[s] == 0 {
			x.slots[s] = int32(i + 1)
			return
		}
	}
}

func (x *index) lookup(h uint64, v any, item func(int) any) int {
	mask := uint64(len(x.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		j := int(x.slots[s]) - 1
		if j < 0 {
			return -1
		}
		if x.hashes[j] == h && Equal(item(j), v) {
			return j
		}
	}
}
