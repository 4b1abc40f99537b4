package pull

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query/builtin"
	"github.com/cairn-db/cairn/core/schema"
)

// Iterator walks datoms in index order; Datom's result is valid until the
// next call to Next, and Err reports what ended the walk early. It is an
// alias of an unnamed interface so that any package may declare the same
// method set and still satisfy Source.
type Iterator = interface {
	Next() bool
	Datom() *datom.Datom
	Err() error
}

// Source is what pull reads: the schema and prefix scans of an index.
// Components are in index order (EAVT: e a v; AEVT: a e v; AVET: a v e);
// attributes are keyword values, entity ids longs. A database view that
// shows history also yields retractions (Added false); pull skips them.
type Source interface {
	Schema() *schema.Schema
	Datoms(ctx context.Context, order datom.Order, components ...datom.Value) Iterator
}

// Pull returns the map pattern selects for entity eid (an entity id, a
// lookup ref [:attr value] or an ident keyword), or nil when nothing is
// found. pattern is EDN text, a parsed EDN vector or a *Pattern.
func Pull(ctx context.Context, src Source, pattern any, eid any) (res any, err error) {
	defer recoverErr(&err)
	p, err := ParsePattern(pattern)
	if err != nil {
		return nil, err
	}
	pl := getPuller(ctx, src)
	defer putPuller(pl)
	e, ok, err := pl.resolve(eid)
	if err != nil || !ok {
		return nil, err
	}
	m, err := pl.Entity(e, p)
	if err != nil || m == nil {
		return nil, err
	}
	return m, nil
}

// PullMany pulls pattern for each of eids, keeping their order; an entity
// that is not found gives nil in its place.
func PullMany(ctx context.Context, src Source, pattern any, eids any) (res any, err error) {
	defer recoverErr(&err)
	p, err := ParsePattern(pattern)
	if err != nil {
		return nil, err
	}
	if s, ok := eids.(string); ok {
		v, err := edn.ReadString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidEntity, err)
		}
		eids = v
	}
	var list []any
	switch t := eids.(type) {
	case edn.Vector:
		list = t
	case edn.List:
		list = t
	case []any:
		list = t
	case []int64:
		for _, e := range t {
			list = append(list, e)
		}
	default:
		return nil, fmt.Errorf("%w: expected a collection of entity ids, got %T", ErrInvalidEntity, eids)
	}
	pl := getPuller(ctx, src)
	defer putPuller(pl)
	out := make(edn.Vector, len(list))
	if sk, ok := src.(Seeker); ok && len(list) >= 32 {
		return pl.many(sk, p, list, out)
	}
	for i, eid := range list {
		e, ok, err := pl.resolve(eid)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m, err := pl.Entity(e, p)
		if err != nil {
			return nil, err
		}
		if m != nil {
			out[i] = m
		}
	}
	return out, nil
}

// many pulls a long list of entities in ascending id order, reading
// their datoms through one cursor, and puts each result at its place.
func (pl *Puller) many(sk Seeker, p *Pattern, list []any, out edn.Vector) (edn.Vector, error) {
	type item struct {
		e int64
		i int
	}
	items := make([]item, 0, len(list))
	sorted := true
	for i, eid := range list {
		e, ok, err := pl.resolve(eid)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if n := len(items); n > 0 && items[n-1].e > e {
			sorted = false
		}
		items = append(items, item{e, i})
	}
	if !sorted {
		slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.e, b.e) })
	}
	cur := NewCursor(pl.ctx, sk, "", false)
	var buf []datom.Datom
	for k, it := range items {
		if k == 0 || items[k-1].e != it.e {
			var err error
			if buf, err = cur.Append(buf[:0], it.e); err != nil {
				return nil, err
			}
		}
		m, err := pl.entityWith(it.e, p, nil, 0, buf)
		if err != nil {
			return nil, err
		}
		if m != nil {
			out[it.i] = m
		}
	}
	return out, nil
}

func recoverErr(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: internal error: %v", ErrInvalidPattern, r)
	}
}

// Puller pulls patterns from one source; the query engine keeps one per
// query so that a (pull ?e pattern) find element shares its buffers. It
// is not safe for concurrent use.
type Puller struct {
	ctx    context.Context
	src    Source
	schema *schema.Schema
	env    *builtin.Env
	n      int             // datoms read, for cancellation checks
	bufs   [][]datom.Datom // per nesting depth: an entity's datoms, reused
	bufs0  [4][]datom.Datom
	env0   builtin.Env // env of a pooled Puller
}

// NewPuller returns a Puller over src.
func NewPuller(ctx context.Context, src Source) *Puller { return newPuller(ctx, src) }

// pullers keeps Pullers (and their per-depth datom buffers) between the
// top-level Pull and PullMany calls: a single-entity pull is a few
// microseconds of work, and allocating a Puller with fresh buffers was a
// large part of its garbage (most of it in the js/wasm build).
var pullers = sync.Pool{New: func() any { return new(Puller) }}

func getPuller(ctx context.Context, src Source) *Puller {
	pl := pullers.Get().(*Puller)
	bufs := pl.bufs
	if bufs == nil {
		bufs = pl.bufs0[:0]
	}
	*pl = Puller{ctx: ctx, src: src, schema: src.Schema(), env: &pl.env0, bufs: bufs, bufs0: pl.bufs0}
	return pl
}

// putPuller returns pl to the pool; the results it built do not refer to
// it (values are copied out of its buffers).
func putPuller(pl *Puller) {
	pl.ctx, pl.src, pl.schema, pl.env, pl.env0 = nil, nil, nil, nil, builtin.Env{}
	pullers.Put(pl)
}

func newPuller(ctx context.Context, src Source) *Puller {
	pl := &Puller{ctx: ctx, src: src, schema: src.Schema(), env: &builtin.Env{}}
	pl.bufs = pl.bufs0[:0]
	return pl
}

func (pl *Puller) attr(a string) *schema.Attr {
	at, _ := pl.schema.Attr(a)
	return at
}

// resolve turns an entity reference into an id; ok is false when a lookup
// ref or ident matches nothing.
func (pl *Puller) resolve(eid any) (int64, bool, error) {
	v, err := pl.env.FromEDN(eid)
	if err != nil {
		return 0, false, fmt.Errorf("%w: %v", ErrInvalidEntity, eid)
	}
	return pl.ResolveValue(v)
}

// ResolveValue resolves an entity reference given as a datom value.
func (pl *Puller) ResolveValue(v datom.Value) (int64, bool, error) {
	switch v.Kind() {
	case datom.KindLong:
		return v.AsLong(), true, nil
	case datom.KindDouble, datom.KindBigInt:
		if n, ok := v.Int(); ok {
			return n, true, nil
		}
	case datom.KindKeyword:
		return pl.lookup("db/ident", v)
	case datom.KindTuple:
		t := v.AsTuple()
		if len(t) == 2 && t[0].Kind() == datom.KindKeyword {
			a := pl.attr(t[0].Text())
			if a == nil || a.Unique == schema.UniqueNone {
				return 0, false, fmt.Errorf("%w: lookup ref attribute should be marked as :db/unique: %s", ErrInvalidEntity, v)
			}
			if t[1].IsNil() {
				return 0, false, nil
			}
			return pl.lookup(t[0].Text(), t[1])
		}
	case datom.KindNil:
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("%w: expected an entity id, lookup ref or ident, got %s", ErrInvalidEntity, v)
}

func (pl *Puller) lookup(attr string, v datom.Value) (int64, bool, error) {
	it := pl.src.Datoms(pl.ctx, datom.AVET, datom.Keyword(attr), v)
	for it.Next() {
		if d := it.Datom(); d.Added {
			return d.E, true, nil
		}
	}
	return 0, false, it.Err()
}

// datoms collects the added datoms of a prefix scan.
func (pl *Puller) datoms(order datom.Order, comps ...datom.Value) ([]datom.Datom, error) {
	return pl.appendDatoms(nil, order, comps...)
}

// appendDatoms appends the added datoms of a prefix scan to out.
func (pl *Puller) appendDatoms(out []datom.Datom, order datom.Order, comps ...datom.Value) ([]datom.Datom, error) {
	it := pl.src.Datoms(pl.ctx, order, comps...)
	for it.Next() {
		if pl.n++; pl.n&1023 == 0 {
			if err := pl.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if d := it.Datom(); d.Added {
			out = append(out, *d)
		}
	}
	return out, it.Err()
}

// frame is the recursion state: the entities expanded through recursive
// attributes on the current path, and the depth reached per attribute.
type frame struct {
	id     int64
	attr   string
	depth  int
	parent *frame
}

func (f *frame) seen(id int64) bool {
	for ; f != nil; f = f.parent {
		if f.id == id {
			return true
		}
	}
	return false
}

func (f *frame) depthOf(attr string) int {
	for ; f != nil; f = f.parent {
		if f.attr == attr {
			return f.depth
		}
	}
	return 0
}

// Entity pulls p for entity e and returns the map, or nil (not an error)
// when the pattern selects nothing. With a wildcard the result always
// holds :db/id.
func (pl *Puller) Entity(e int64, p *Pattern) (*edn.Map, error) {
	return pl.entity(e, p, nil, 0)
}

var dbID = edn.Keyword{NS: "db", Name: "id"}

func (pl *Puller) entity(e int64, p *Pattern, fr *frame, depth int) (*edn.Map, error) {
	return pl.entityWith(e, p, fr, depth, nil)
}

// entityWith is entity with, when pre is not nil, the entity's datoms read
// already (EAVT order, added only).
func (pl *Puller) entityWith(e int64, p *Pattern, fr *frame, depth int, pre []datom.Datom) (*edn.Map, error) {
	if depth > 10_000 {
		return nil, fmt.Errorf("%w: pull nested deeper than 10000 levels", ErrInvalidPattern)
	}
	m := &edn.Map{Entries: make([]edn.MapEntry, 0, len(p.specs))}
	// With a wildcard or several forward attributes, one seek reads all
	// of the entity's datoms; the attributes are then cut from them
	// instead of seeking once per attribute.
	var all []datom.Datom
	haveAll := false
	if pre != nil {
		all, haveAll = pre, true
	} else if p.wildcard || p.forwardSpecs() >= 2 {
		for len(pl.bufs) <= depth {
			pl.bufs = append(pl.bufs, make([]datom.Datom, 0, 8))
		}
		var err error
		if all, err = pl.appendDatoms(pl.bufs[depth][:0], datom.EAVT, datom.Long(e)); err != nil {
			return nil, err
		}
		pl.bufs[depth] = all
		haveAll = true
	}
	if p.wildcard {
		m.Set(dbID, e)
		for i := 0; i < len(all); {
			j := i
			for j < len(all) && all[j].A == all[i].A {
				j++
			}
			a := all[i].A
			if !p.explicit(a) {
				v, err := pl.wildValue(a, all[i:j], fr, depth)
				if err != nil {
					return nil, err
				}
				m.Set(datom.EDNKeyword(a), v)
			}
			i = j
		}
	}
	for _, s := range p.specs {
		var ds []datom.Datom
		if haveAll && !s.reverse && !s.isID {
			ds = attrDatoms(all, s.attr)
		}
		v, ok, err := pl.specValue(e, p, s, fr, depth, ds, haveAll)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m.Set(s.key, v)
	}
	if m.Len() == 0 {
		return nil, nil
	}
	return m, nil
}

// forwardSpecs counts the pattern's forward attributes (not :db/id).
func (p *Pattern) forwardSpecs() int {
	n := 0
	for _, s := range p.specs {
		if !s.reverse && !s.isID {
			n++
		}
	}
	return n
}

// attrDatoms returns the run of an entity's EAVT datoms with attribute a.
func attrDatoms(all []datom.Datom, a string) []datom.Datom {
	i := 0
	if len(all) > 8 {
		i, _ = slices.BinarySearchFunc(all, a, func(d datom.Datom, a string) int { return strings.Compare(d.A, a) })
	} else { // an entity's few datoms: a scan is cheaper than the search
		for i < len(all) && all[i].A < a {
			i++
		}
	}
	j := i
	for j < len(all) && all[j].A == a {
		j++
	}
	return all[i:j:j]
}

// explicit reports whether the pattern names forward attribute a itself.
func (p *Pattern) explicit(a string) bool {
	for _, s := range p.specs {
		if !s.reverse && !s.isID && s.attr == a {
			return true
		}
	}
	return false
}

var wildcard = &Pattern{wildcard: true}

// wildValue is the value of attribute a under a wildcard: refs as
// {:db/id n}, components expanded.
func (pl *Puller) wildValue(a string, ds []datom.Datom, fr *frame, depth int) (any, error) {
	at := pl.attr(a)
	one := func(d *datom.Datom) (any, error) {
		if at != nil && at.ValueType == schema.TypeRef {
			id := d.V.AsLong()
			if at.IsComponent {
				if fr.seen(id) {
					return edn.NewMap(edn.MapEntry{Key: dbID, Val: id}), nil
				}
				m, err := pl.entity(id, wildcard, &frame{id: id, parent: fr}, depth+1)
				if err != nil || m == nil {
					return edn.NewMap(edn.MapEntry{Key: dbID, Val: id}), err
				}
				return m, nil
			}
			return edn.NewMap(edn.MapEntry{Key: dbID, Val: id}), nil
		}
		return pl.env.ToEDN(d.V), nil
	}
	if at != nil && at.Cardinality == schema.CardinalityMany {
		out := make(edn.Vector, 0, len(ds))
		for i := range ds {
			v, err := one(&ds[i])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return one(&ds[len(ds)-1])
}

// specValue computes one explicit attribute; ok is false when it is absent
// and has no default.
// With haveAll, ds holds the entity's datoms of the attribute (forward
// specs), read already.
func (pl *Puller) specValue(e int64, p *Pattern, s *spec, fr *frame, depth int, ds []datom.Datom, haveAll bool) (any, bool, error) {
	if s.isID {
		return pl.xform(s, e)
	}
	at := pl.attr(s.attr)
	isRef := at != nil && at.ValueType == schema.TypeRef
	var ids []int64
	var vals []datom.Value
	many := false
	if s.reverse {
		ds, err := pl.datoms(datom.AVET, datom.Keyword(s.attr), datom.Long(e))
		if err != nil {
			return nil, false, err
		}
		isRef = true
		many = at == nil || !at.IsComponent
		for _, d := range ds {
			ids = append(ids, d.E)
		}
	} else {
		if !haveAll {
			// The depth's buffer is free: the entity's datoms were not
			// read at this depth, and ds is consumed before recursing.
			for len(pl.bufs) <= depth {
				pl.bufs = append(pl.bufs, make([]datom.Datom, 0, 4))
			}
			var err error
			if ds, err = pl.appendDatoms(pl.bufs[depth][:0], datom.EAVT, datom.Long(e), datom.Keyword(s.attr)); err != nil {
				return nil, false, err
			}
			pl.bufs[depth] = ds
		}
		many = at != nil && at.Cardinality == schema.CardinalityMany
		if !many && len(ds) > 1 {
			ds = ds[len(ds)-1:]
		}
		if !many && !isRef {
			if len(ds) == 0 {
				if s.hasDef {
					return s.def, true, nil
				}
				return nil, false, nil
			}
			return pl.xform(s, pl.env.ToEDN(ds[0].V))
		}
		for _, d := range ds {
			if isRef {
				ids = append(ids, d.V.AsLong())
			} else {
				vals = append(vals, d.V)
			}
		}
	}
	n := len(ids) + len(vals)
	if n == 0 {
		if s.hasDef {
			return s.def, true, nil
		}
		return nil, false, nil
	}
	if many && s.limit >= 0 {
		if len(ids) > s.limit {
			ids = ids[:s.limit]
		}
		if len(vals) > s.limit {
			vals = vals[:s.limit]
		}
	}
	var out edn.Vector
	if isRef {
		out = make(edn.Vector, 0, len(ids))
		for _, id := range ids {
			v, ok, err := pl.refValue(id, p, s, at, fr, depth)
			if err != nil {
				return nil, false, err
			}
			if ok {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			if s.hasDef {
				return s.def, true, nil
			}
			return nil, false, nil
		}
	} else {
		out = make(edn.Vector, len(vals))
		for i, v := range vals {
			out[i] = pl.env.ToEDN(v)
		}
	}
	if many {
		return pl.xform(s, out)
	}
	return pl.xform(s, out[0])
}

// refValue pulls a referenced entity: through the nested pattern, the
// enclosing pattern for recursion, the wildcard for components, or as
// {:db/id n}.
func (pl *Puller) refValue(id int64, p *Pattern, s *spec, at *schema.Attr, fr *frame, depth int) (any, bool, error) {
	idMap := func() *edn.Map { return edn.NewMap(edn.MapEntry{Key: dbID, Val: id}) }
	switch {
	case s.recurse:
		if fr.seen(id) {
			return idMap(), true, nil
		}
		d := fr.depthOf(s.attr) + 1
		if s.depth > 0 && d > s.depth {
			return nil, false, nil
		}
		m, err := pl.entity(id, p, &frame{id: id, attr: s.attr, depth: d, parent: fr}, depth+1)
		return m, m != nil, err
	case s.sub != nil:
		m, err := pl.entity(id, s.sub, fr, depth+1)
		return m, m != nil, err
	case at != nil && at.IsComponent && !s.reverse:
		if fr.seen(id) {
			return idMap(), true, nil
		}
		m, err := pl.entity(id, wildcard, &frame{id: id, parent: fr}, depth+1)
		return m, m != nil, err
	}
	return idMap(), true, nil
}

func (pl *Puller) xform(s *spec, v any) (any, bool, error) {
	if s.xform == "" {
		return v, true, nil
	}
	fn, ok := builtin.Lookup(s.xform)
	if !ok {
		return nil, false, fmt.Errorf("%w: unknown :xform function %s", ErrInvalidPattern, s.xform)
	}
	arg, err := pl.env.FromEDN(v)
	if err != nil {
		return nil, false, err
	}
	r, err := fn(pl.env, []datom.Value{arg})
	if err != nil {
		return nil, false, fmt.Errorf("%w: :xform %s: %w", ErrInvalidPattern, s.xform, err)
	}
	return pl.env.ToEDN(r), true, nil
}
