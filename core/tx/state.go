package tx

import (
	"slices"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
)

// proc is the state of one run of a transaction: the snapshot plus an
// overlay of everything the transaction has done so far. Reads go through
// the overlay, so each operation sees the effect of the ones before it
// (DataScript's db-after).
//
// The overlay has two halves, both filled lazily from the snapshot:
//
//   - ea, keyed by (entity, attribute): the snapshot's datoms (base) and
//     the current ones (cur). Every read or write of an (e, a) pair goes
//     through it, and the net effect (Result.Adds/Retracts) is the
//     difference between base and cur.
//   - av, keyed by (attribute, value), only for unique and ref attributes:
//     the entities holding that value. Unique checks, upserts, lookup refs
//     and the reverse refs of :db/retractEntity read it. Changes made
//     before the snapshot was asked are kept as pending adds/removes, so a
//     ref to a fresh entity costs no snapshot read.
//
// Both maps are keyed by plain strings and ints, so a transaction of n
// operations costs O(n) map operations and O(n) snapshot reads at most.
type proc struct {
	snap    Snapshot
	sch     *schema.Schema
	opts    Options
	check   bool // check values against the schema
	txID    int64
	snapEid int64
	snapTx  int64
	maxEid  int64

	tempids      map[any]int64
	valueTempids map[int64]any
	redundant    map[int64]struct{} // entities named by re-asserted datoms and upserts

	txData   []datom.Datom
	ents     map[int64]*entState
	order    []*eaState // every (e, a) touched, in first-touch order
	slab     []eaState  // preallocated states
	slabSize int        // size of the last slab
	av       map[avKey]*avState

	tuples tupleQueue
	stack  []any
}

// entState is the overlay of one entity: the attributes touched so far.
// Attributes are searched linearly (entities have a handful), with a map
// once an entity grows wide.
type entState struct {
	attrs    []*eaState
	byA      map[string]*eaState
	asserted bool // the transaction asserted a datom about it
}

const maxLinearAttrs = 12

func (es *entState) get(a string) *eaState {
	if es.byA != nil {
		return es.byA[a]
	}
	for _, st := range es.attrs {
		if st.a == a {
			return st
		}
	}
	return nil
}

type eaState struct {
	e    int64
	a    string
	base []datom.Datom // in the snapshot
	cur  []datom.Datom // now
	idx  map[string]int
	one  [1]datom.Datom // cur's storage while it holds one datom
}

// maxLinear is the number of values of one (e, a) searched without a map.
const maxLinear = 16

func (s *eaState) find(v datom.Value) int {
	if len(s.cur) <= maxLinear {
		for i := range s.cur {
			if s.cur[i].V.Equal(v) {
				return i
			}
		}
		return -1
	}
	if s.idx == nil {
		s.idx = make(map[string]int, len(s.cur))
		for i := range s.cur {
			s.idx[s.cur[i].V.HashKey()] = i
		}
	}
	if i, ok := s.idx[v.HashKey()]; ok {
		return i
	}
	return -1
}

func (s *eaState) add(d datom.Datom) {
	s.cur = append(s.cur, d)
	if s.idx != nil {
		s.idx[d.V.HashKey()] = len(s.cur) - 1
	}
}

func (s *eaState) remove(i int) {
	s.cur = slices.Delete(s.cur, i, i+1)
	s.idx = nil
}

// sorted returns the current datoms in value order.
func (s *eaState) sorted() []datom.Datom {
	ds := slices.Clone(s.cur)
	slices.SortFunc(ds, func(a, b datom.Datom) int { return datom.Compare(a.V, b.V) })
	return ds
}

// avKey identifies (attribute, value) up to Value.Equal: integral numbers
// of every kind key as longs, strings and keywords by their text (no
// allocation), everything else by Value.HashKey.
type avKey struct {
	a    string
	kind datom.Kind
	n    int64
	s    string
}

func keyOf(a string, v datom.Value) avKey {
	switch k := v.Kind(); k {
	case datom.KindString, datom.KindKeyword, datom.KindSymbol:
		return avKey{a: a, kind: k, s: v.Text()}
	case datom.KindLong:
		return avKey{a: a, kind: datom.KindLong, n: v.AsLong()}
	}
	if v.Kind().IsNumber() {
		if n, ok := v.Int(); ok {
			return avKey{a: a, kind: datom.KindLong, n: n}
		}
	}
	return avKey{a: a, kind: datom.KindTuple + 1, s: v.HashKey()}
}

type avState struct {
	loaded  bool
	es      []int64 // when loaded
	added   []int64 // pending, when not loaded
	removed []int64
}

func newProc(snap Snapshot, opts Options, seed map[any]int64, txDataHint []any) *proc {
	sch := snap.Schema()
	p := &proc{
		snap:         snap,
		sch:          sch,
		opts:         opts,
		check:        opts.Mode == ModeDatahike || sch.Flexibility() == schema.FlexWrite,
		txID:         snap.MaxTx() + 1,
		snapEid:      snap.MaxEid(),
		snapTx:       snap.MaxTx(),
		tempids:      make(map[any]int64, len(seed)),
		valueTempids: map[int64]any{},
		redundant:    map[int64]struct{}{},
		av:           map[avKey]*avState{},
	}
	n := sizeHint(txDataHint)
	p.ents = make(map[int64]*entState, n/2)
	p.order = make([]*eaState, 0, n)
	p.txData = make([]datom.Datom, 0, n)
	if p.txID <= datom.Tx0 {
		p.txID = datom.Tx0 + 1
	}
	p.maxEid = p.snapEid
	for k, v := range seed {
		p.tempids[k] = v
	}
	return p
}

// sizeHint estimates the number of datoms of a transaction, to size the
// overlay up front.
func sizeHint(txData []any) int {
	n := 0
	for _, x := range txData {
		if m, ok := x.(*edn.Map); ok {
			n += m.Len()
		} else {
			n++
		}
	}
	return min(n, 1<<20)
}

func (p *proc) snapErr(err error) error {
	return &Error{Kind: ErrSnapshot, Err: err}
}

// isNew reports whether e cannot have datoms in the snapshot.
func (p *proc) isNew(e int64) bool {
	if e < datom.Tx0 {
		return e > p.snapEid
	}
	return e > p.snapTx
}

// state returns the overlay of (e, a), reading the snapshot the first time.
func (p *proc) state(e int64, a string) (*eaState, error) {
	es := p.ents[e]
	if es != nil {
		if st := es.get(a); st != nil {
			return st, nil
		}
	}
	var base []datom.Datom
	if !p.isNew(e) {
		ds, err := p.snap.Datoms(e, a)
		if err != nil {
			return nil, p.snapErr(err)
		}
		base = ds
	}
	return p.newState(es, e, a, base), nil
}

// lookup returns the overlay of (e, a) if it exists.
func (p *proc) lookup(e int64, a string) *eaState {
	if es := p.ents[e]; es != nil {
		return es.get(a)
	}
	return nil
}

func (p *proc) newState(es *entState, e int64, a string, base []datom.Datom) *eaState {
	if es == nil {
		es = &entState{}
		p.ents[e] = es
	}
	if len(p.slab) == 0 {
		// Slabs grow with the transaction: small transactions allocate
		// little, large ones amortise.
		p.slabSize = min(max(2*p.slabSize, 8), 256)
		p.slab = make([]eaState, p.slabSize)
	}
	st := &p.slab[0]
	p.slab = p.slab[1:]
	st.e, st.a, st.base = e, a, base
	if len(base) > 0 {
		st.cur = slices.Clone(base)
	} else {
		st.cur = st.one[:0:1]
	}
	es.attrs = append(es.attrs, st)
	if es.byA != nil {
		es.byA[a] = st
	} else if len(es.attrs) > maxLinearAttrs {
		es.byA = make(map[string]*eaState, 2*len(es.attrs))
		for _, x := range es.attrs {
			es.byA[x.a] = x
		}
	}
	p.order = append(p.order, st)
	return st
}

// entityDatoms returns all current datoms of e in EAVT order.
func (p *proc) entityDatoms(e int64) ([]datom.Datom, error) {
	if !p.isNew(e) {
		ds, err := p.snap.Datoms(e, "")
		if err != nil {
			return nil, p.snapErr(err)
		}
		for i := 0; i < len(ds); {
			j := i
			for j < len(ds) && ds[j].A == ds[i].A {
				j++
			}
			if ds[i].E == e && p.lookup(e, ds[i].A) == nil {
				p.newState(p.ents[e], e, ds[i].A, slices.Clip(ds[i:j]))
			}
			i = j
		}
	}
	es := p.ents[e]
	if es == nil {
		return nil, nil
	}
	attrs := slices.Clone(es.attrs)
	slices.SortFunc(attrs, func(x, y *eaState) int { return strings.Compare(x.a, y.a) })
	var out []datom.Datom
	for _, st := range attrs {
		out = append(out, st.sorted()...)
	}
	return out, nil
}

// tracked reports whether the av overlay covers attribute a.
func (p *proc) tracked(a string) bool { return p.sch.IsUnique(a) || p.sch.IsRef(a) }

// avOf returns the overlay state of attribute a with value v, made on
// first use.
func (p *proc) avOf(a string, v datom.Value) *avState {
	k := keyOf(a, v)
	st := p.av[k]
	if st == nil {
		st = &avState{}
		p.av[k] = st
	}
	return st
}

// holders returns the entities that currently have value v for a
// (a tracked attribute).
func (p *proc) holders(a string, v datom.Value) ([]int64, error) {
	st := p.avOf(a, v)
	if st.loaded {
		return st.es, nil
	}
	var es []int64
	if !(p.sch.IsRef(a) && v.Kind() == datom.KindLong && p.isNew(v.AsLong())) {
		ds, err := p.snap.ByValue(a, v)
		if err != nil {
			return nil, p.snapErr(err)
		}
		for _, d := range ds {
			if d.A == a && d.V.Equal(v) && !slices.Contains(es, d.E) {
				es = append(es, d.E)
			}
		}
	}
	for _, e := range st.removed {
		if i := slices.Index(es, e); i >= 0 {
			es = slices.Delete(es, i, i+1)
		}
	}
	for _, e := range st.added {
		if !slices.Contains(es, e) {
			es = append(es, e)
		}
	}
	st.loaded, st.es, st.added, st.removed = true, es, nil, nil
	return es, nil
}

func (p *proc) avChange(a string, v datom.Value, e int64, add bool) {
	if !p.tracked(a) {
		return
	}
	st := p.avOf(a, v)
	if st.loaded {
		if add {
			st.es = append(st.es, e)
		} else if i := slices.Index(st.es, e); i >= 0 {
			st.es = slices.Delete(st.es, i, i+1)
		}
		return
	}
	from, to := &st.removed, &st.added
	if !add {
		from, to = to, from
	}
	if i := slices.Index(*from, e); i >= 0 {
		*from = slices.Delete(*from, i, i+1)
	} else {
		*to = append(*to, e)
	}
}

// reportAdd asserts d (which is not present), checking uniqueness.
func (p *proc) reportAdd(st *eaState, d datom.Datom, op any) error {
	if p.sch.IsUnique(d.A) {
		es, err := p.holders(d.A, d.V)
		if err != nil {
			return err
		}
		if len(es) > 0 {
			return newErr(ErrUniqueConflict, op, "cannot add %s: [%d :%s %s] already exists",
				show(d), es[0], d.A, d.V)
		}
	}
	d.Tx, d.Added = p.txID, true
	st.add(d)
	if es := p.ents[d.E]; es != nil {
		es.asserted = true
	}
	p.avChange(d.A, d.V, d.E, true)
	p.txData = append(p.txData, d)
	if d.E > p.maxEid && d.E < datom.Tx0 {
		p.maxEid = d.E
	}
	return p.queueTuples(d.E, d.A, d.V)
}

// reportRetract retracts the current datom at position i of st.
func (p *proc) reportRetract(st *eaState, i int) error {
	d := st.cur[i]
	st.remove(i)
	p.avChange(d.A, d.V, d.E, false)
	p.txData = append(p.txData, datom.Datom{E: d.E, A: d.A, V: d.V, Tx: p.txID})
	return p.queueTuples(d.E, d.A, datom.Nil)
}

// allocate records that id (a tempid, tx id or explicit id) is eid.
func (p *proc) allocate(id any, eid int64) {
	if isTempid(id) || isTxID(id) {
		p.tempids[id] = eid
	}
	if eid > p.maxEid && eid < datom.Tx0 {
		p.maxEid = eid
	}
}

func (p *proc) nextEid() int64 { return p.maxEid + 1 }

// entid resolves an entity reference: a positive id, an ident keyword, or
// a lookup ref [attr value]. found is false when it names nothing.
func (p *proc) entid(ref any, op any) (eid int64, found bool, err error) {
	if id, ok := entityID(ref); ok {
		return id, true, nil
	}
	switch x := ref.(type) {
	case edn.Keyword:
		es, err := p.holders("db/ident", datom.Keyword(datom.KeywordText(x)))
		if err != nil || len(es) == 0 {
			return 0, false, err
		}
		return es[0], true, nil
	case int64, float64, int:
		return 0, false, newErr(ErrInvalidTxData, op, "entity id %s out of range", show(ref))
	}
	xs, ok := edn.Elems(ref)
	if !ok {
		return 0, false, newErr(ErrInvalidTxData, op, "expected an entity id or lookup ref, got %s", show(ref))
	}
	if len(xs) != 2 {
		return 0, false, newErr(ErrLookupRef, op, "lookup ref %s must have 2 elements", show(ref))
	}
	k, ok := xs[0].(edn.Keyword)
	if !ok {
		return 0, false, newErr(ErrLookupRef, op, "lookup ref %s must start with an attribute", show(ref))
	}
	a := datom.KeywordText(k)
	if !p.sch.IsUnique(a) {
		return 0, false, newErr(ErrLookupRef, op, "lookup ref attribute :%s is not unique", a)
	}
	if xs[1] == nil {
		return 0, false, nil
	}
	var v datom.Value
	if p.sch.IsRef(a) {
		id, found, err := p.entid(xs[1], op)
		if err != nil || !found {
			return 0, false, err
		}
		v = datom.Long(id)
	} else {
		v, err = toValue(xs[1])
		if err != nil {
			return 0, false, nil // nothing can hold such a value
		}
	}
	es, err := p.holders(a, v)
	if err != nil || len(es) == 0 {
		return 0, false, err
	}
	return es[0], true, nil
}

// entidStrict is entid for places where the entity must exist.
func (p *proc) entidStrict(ref any, op any) (int64, error) {
	eid, found, err := p.entid(ref, op)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, newErr(ErrLookupRef, op, "nothing found for entity id %s", show(ref))
	}
	return eid, nil
}

// value converts v for attribute a: refs resolve to entity ids; other
// values convert and, when checking, must match the attribute's type.
func (p *proc) value(a string, v any, op any, internal bool) (datom.Value, error) {
	if v == nil {
		return datom.Nil, newErr(ErrInvalidTxData, op, "cannot store nil as a value of :%s", a)
	}
	attr, known := p.sch.Attr(a)
	if known && attr.ValueType == schema.TypeRef {
		if dv, ok := v.(datom.Value); ok {
			return dv, nil
		}
		id, err := p.entidStrict(v, op)
		return datom.Long(id), err
	}
	dv, err := toValue(v)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Op == "" {
			e.Op = show(op)
		}
		return dv, err
	}
	if internal || !p.check {
		return dv, nil
	}
	if !known {
		if p.sch.Flexibility() == schema.FlexWrite {
			return dv, newErr(ErrUnknownAttribute, op, ":%s is not in the schema", a)
		}
		return dv, nil
	}
	w, ok := checkType(attr, dv)
	if !ok {
		return dv, newErr(ErrValueType, op, "value %s does not match :%s of :%s", dv, attr.ValueType, a)
	}
	return w, nil
}

// attrName validates an attribute position.
func attrName(v any, op any) (string, error) {
	k, ok := v.(edn.Keyword)
	if !ok || k.Name == "" {
		return "", newErr(ErrInvalidTxData, op, "bad attribute %s, expected a keyword", show(v))
	}
	a := datom.KeywordText(k)
	if a == "db/id" {
		return "", newErr(ErrInvalidTxData, op, ":db/id is not an attribute")
	}
	return a, nil
}

// reverseOf returns the forward attribute of a reverse one (:_friend →
// friend, :ns/_name → ns/name).
func reverseOf(a string) (string, bool) {
	i := strings.LastIndexByte(a, '/')
	name := a[i+1:]
	if len(name) < 2 || name[0] != '_' {
		return "", false
	}
	return a[:i+1] + name[1:], true
}

// reverseName returns the reverse attribute of a forward one, or the
// forward one of a reverse one.
func reverseName(a string) string {
	if f, ok := reverseOf(a); ok {
		return f
	}
	i := strings.LastIndexByte(a, '/')
	return a[:i+1] + "_" + a[i+1:]
}
