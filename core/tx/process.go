package tx

import (
	"slices"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
)

// entity is an entity map of tx-data: its :db/id and its other entries in
// the map's order. Attributes may be reverse (:_friend).
type entity struct {
	id    any
	hasID bool
	attrs []string
	vals  []any
}

func (m *entity) String() string {
	var b strings.Builder
	b.WriteByte('{')
	if m.hasID {
		b.WriteString(":db/id ")
		b.WriteString(edn.Print(m.id))
	}
	for i, a := range m.attrs {
		if i > 0 || m.hasID {
			b.WriteByte(' ')
		}
		b.WriteString(datom.EDNKeyword(a).String())
		b.WriteByte(' ')
		b.WriteString(edn.Print(m.vals[i]))
		if b.Len() > maxShow {
			break
		}
	}
	b.WriteByte('}')
	return b.String()
}

func parseEntity(m *edn.Map) (*entity, error) {
	ent := &entity{attrs: make([]string, 0, m.Len()), vals: make([]any, 0, m.Len())}
	for _, kv := range m.Entries {
		k, ok := kv.Key.(edn.Keyword)
		if !ok || k.Name == "" {
			return nil, newErr(ErrInvalidTxData, m, "bad attribute %s, expected a keyword", show(kv.Key))
		}
		a := datom.KeywordText(k)
		if a == "db/id" {
			ent.id, ent.hasID = kv.Val, true
			continue
		}
		ent.attrs = append(ent.attrs, a)
		ent.vals = append(ent.vals, kv.Val)
	}
	return ent, nil
}

// set replaces or appends an entry (Clojure's assoc).
func (m *entity) set(a string, v any) {
	if i := slices.Index(m.attrs, a); i >= 0 {
		m.vals[i] = v
		return
	}
	m.attrs = append(m.attrs, a)
	m.vals = append(m.vals, v)
}

// opItem is one operation: parsed from an operation vector, or made by the
// processor (exploded maps, tuple maintenance, cascades).
type opItem struct {
	op       string // db/add, db/retract, db.fn/retractAttribute, db/retractEntity, db/cas
	e        any
	a        string
	v        any // nil when absent
	hasV     bool
	ov       any // cas: the expected value
	internal bool
	src      any
}

func (o *opItem) String() string {
	if o.src != nil {
		return edn.Print(o.src)
	}
	var b strings.Builder
	b.WriteString("[:" + o.op + " " + printAny(o.e))
	if o.a != "" {
		b.WriteString(" " + datom.EDNKeyword(o.a).String())
	}
	if o.op == "db/cas" {
		b.WriteString(" " + printAny(o.ov))
	}
	if o.hasV {
		b.WriteString(" " + printAny(o.v))
	}
	b.WriteByte(']')
	return b.String()
}

func printAny(v any) string {
	if dv, ok := v.(datom.Value); ok {
		return dv.String()
	}
	return edn.Print(v)
}

var opArity = map[string]int{
	"db/add":                 4,
	"db/retract":             -1, // 3 or 4
	"db.fn/retractAttribute": 3,
	"db/retractEntity":       2,
	"db.fn/retractEntity":    2,
	"db/cas":                 5,
	"db.fn/cas":              5,
}

func parseOp(xs []any, src any) (*opItem, error) {
	if len(xs) == 0 {
		return nil, newErr(ErrInvalidTxData, src, "empty operation")
	}
	k, ok := xs[0].(edn.Keyword)
	if !ok {
		return nil, newErr(ErrInvalidTxData, src, "unknown operation %s", show(xs[0]))
	}
	name := datom.KeywordText(k)
	n, ok := opArity[name]
	if !ok {
		if name == "db.fn/call" {
			return nil, newErr(ErrInvalidTxData, src, ":db.fn/call is not supported")
		}
		return nil, newErr(ErrInvalidTxData, src, "can't find entity for transaction fn :%s", name)
	}
	if n > 0 && len(xs) != n || n < 0 && len(xs) != 3 && len(xs) != 4 {
		return nil, newErr(ErrInvalidTxData, src, "wrong number of arguments to :%s", name)
	}
	o := &opItem{op: name, e: xs[1], src: src}
	switch name {
	case "db/retractEntity", "db.fn/retractEntity":
		o.op = "db/retractEntity"
		return o, nil
	case "db.fn/cas":
		o.op = "db/cas"
	}
	a, err := attrName(xs[2], src)
	if err != nil {
		return nil, err
	}
	o.a = a
	switch {
	case o.op == "db/cas":
		o.ov, o.v, o.hasV = xs[3], xs[4], true
	case len(xs) == 4:
		o.v, o.hasV = xs[3], true
	}
	return o, nil
}

// flushMark is pushed after each top-level element when the schema has
// composite tuples (DataScript's ::flush-tuples).
type flushMark struct{}

// run processes the whole transaction.
func (p *proc) run(txData []any) (*Result, error) {
	composites := p.sch.HasComposites()
	for _, item := range txData {
		if item == nil {
			continue
		}
		if composites {
			p.push(flushMark{})
		}
		p.push(item)
		if err := p.drain(); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// push schedules items to run next, in order.
func (p *proc) push(items ...any) {
	for i := len(items) - 1; i >= 0; i-- {
		p.stack = append(p.stack, items[i])
	}
}

func (p *proc) drain() error {
	for len(p.stack) > 0 {
		item := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		if err := p.step(item); err != nil {
			return err
		}
	}
	return nil
}

func (p *proc) step(item any) error {
	switch x := item.(type) {
	case flushMark:
		return p.flushTuples()
	case *entity:
		return p.processEntity(x)
	case *opItem:
		return p.processOp(x)
	case *edn.Map:
		ent, err := parseEntity(x)
		if err != nil {
			return err
		}
		return p.processEntity(ent)
	case nil:
		return nil
	}
	if xs, ok := edn.Elems(item); ok {
		o, err := parseOp(xs, item)
		if err != nil {
			return err
		}
		return p.processOp(o)
	}
	return newErr(ErrInvalidTxData, item, "expected an entity map or an operation vector")
}

// processEntity handles an entity map: resolve its id (tx id, lookup ref,
// upsert, tempid, new), then explode it into operations.
func (p *proc) processEntity(ent *entity) error {
	id := ent.id
	switch {
	case isTxID(id):
		p.allocate(id, p.txID)
		id = p.txID
	case id != nil && !isTempid(id):
		if _, ok := entityID(id); !ok {
			eid, err := p.entidStrict(id, ent)
			if err != nil {
				return err
			}
			id = eid
		}
	}
	upsertEid, rest, err := p.resolveUpserts(ent, id)
	if err != nil {
		return err
	}
	if upsertEid != 0 {
		if isTempid(id) {
			if prev, ok := p.tempids[id]; ok && prev != upsertEid {
				return &retry{tempid: id, eid: upsertEid, tempids: p.tempids}
			}
		}
		p.allocate(id, upsertEid)
		p.redundant[upsertEid] = struct{}{}
		return p.explode(upsertEid, rest)
	}
	var eid int64
	switch {
	case id == nil:
		eid = p.nextEid()
	case isTempid(id):
		if prev, ok := p.tempids[id]; ok {
			eid = prev
		} else {
			eid = p.nextEid()
		}
	default:
		eid, _ = entityID(id)
	}
	p.allocate(id, eid)
	return p.explode(eid, ent)
}

type upsert struct {
	a string
	v any
	e int64
}

// resolveUpserts finds the entities the map's unique identity values
// already belong to. It returns the single entity they agree on (0 for
// none) and the map without the entries that resolved.
func (p *proc) resolveUpserts(ent *entity, id any) (int64, *entity, error) {
	var ups []upsert
	var resolved []int // positions of entries that resolved entirely
	var partial map[int][]any
	for i, a := range ent.attrs {
		v := ent.vals[i]
		if v == nil {
			return 0, nil, newErr(ErrInvalidTxData, ent, "cannot store nil as a value of :%s", a)
		}
		if !p.sch.IsIdentity(a) {
			continue
		}
		if xs, ok := p.multiValues(a, v); ok && p.sch.IsMany(a) {
			var keep []any
			for _, x := range xs {
				e, err := p.resolveIdentity(a, x, ent)
				if err != nil {
					return 0, nil, err
				}
				if e != 0 {
					ups = append(ups, upsert{a, x, e})
				} else {
					keep = append(keep, x)
				}
			}
			switch {
			case len(keep) == 0:
				resolved = append(resolved, i)
			case len(keep) < len(xs):
				if partial == nil {
					partial = map[int][]any{}
				}
				partial[i] = keep
			}
			continue
		}
		e, err := p.resolveIdentity(a, v, ent)
		if err != nil {
			return 0, nil, err
		}
		if e != 0 {
			ups = append(ups, upsert{a, v, e})
			resolved = append(resolved, i)
		}
	}
	// Composite identity tuples whose sources are all in the map.
	if p.sch.HasComposites() {
		for i := range ent.attrs {
			for _, ts := range p.sch.TuplesOf(ent.attrs[i]) {
				if ts.Index != 0 || !p.sch.IsIdentity(ts.Tuple) {
					continue
				}
				e, v, err := p.resolveComposite(ts.Tuple, ent)
				if err != nil {
					return 0, nil, err
				}
				if e != 0 {
					ups = append(ups, upsert{ts.Tuple, v, e})
				}
			}
		}
	}
	if len(ups) == 0 {
		return 0, ent, nil
	}
	first := ups[0]
	for _, u := range ups[1:] {
		if u.e != first.e {
			return 0, nil, newErr(ErrUpsertConflict, ent, "[%s %s] resolves to %d, but [%s %s] resolves to %d",
				datom.EDNKeyword(first.a), printAny(first.v), first.e, datom.EDNKeyword(u.a), printAny(u.v), u.e)
		}
	}
	if eid, ok := id.(int64); ok && eid > 0 && eid != first.e {
		return 0, nil, newErr(ErrUpsertConflict, ent, "[%s %s] resolves to %d, but entity already has :db/id %d",
			datom.EDNKeyword(first.a), printAny(first.v), first.e, eid)
	}
	// The map without the values that resolved (they are already there).
	rest := &entity{id: ent.id, hasID: ent.hasID}
	for i, a := range ent.attrs {
		switch {
		case slices.Contains(resolved, i):
		case partial[i] != nil:
			rest.attrs = append(rest.attrs, a)
			rest.vals = append(rest.vals, edn.Vector(partial[i]))
		default:
			rest.attrs = append(rest.attrs, a)
			rest.vals = append(rest.vals, ent.vals[i])
		}
	}
	return first.e, rest, nil
}

// resolveIdentity returns the entity holding identity value v of a, or 0.
func (p *proc) resolveIdentity(a string, v any, op any) (int64, error) {
	var dv datom.Value
	if p.sch.IsRef(a) {
		if isTempid(v) || isTxID(v) {
			return 0, nil
		}
		if _, ok := v.(*edn.Map); ok {
			return 0, nil
		}
		id, found, err := p.entid(v, op)
		if err != nil || !found {
			return 0, err
		}
		dv = datom.Long(id)
	} else {
		var err error
		if dv, err = toValue(v); err != nil {
			return 0, nil // fails later, where the value is asserted
		}
	}
	es, err := p.holders(a, dv)
	if err != nil || len(es) == 0 {
		return 0, err
	}
	return es[0], nil
}

// resolveComposite computes the value of composite tuple t from the map's
// source values and returns the entity holding it, or 0.
func (p *proc) resolveComposite(t string, ent *entity) (int64, any, error) {
	attr, _ := p.sch.Attr(t)
	vs := make([]datom.Value, len(attr.TupleAttrs))
	for i, src := range attr.TupleAttrs {
		j := slices.Index(ent.attrs, src)
		if j < 0 || ent.vals[j] == nil {
			return 0, nil, nil
		}
		if p.sch.IsRef(src) {
			id, found, err := p.entid(ent.vals[j], ent)
			if err != nil || !found {
				return 0, nil, nil
			}
			vs[i] = datom.Long(id)
			continue
		}
		v, err := toValue(ent.vals[j])
		if err != nil {
			return 0, nil, nil
		}
		vs[i] = v
	}
	tv := datom.Tuple(vs)
	es, err := p.holders(t, tv)
	if err != nil || len(es) == 0 {
		return 0, nil, err
	}
	return es[0], tv, nil
}

// multiValues returns the values of a collection given for a
// cardinality-many or reverse attribute (DataScript's maybe-wrap-multival:
// a 2-element vector starting with an identity attribute is a lookup ref,
// not two values).
func (p *proc) multiValues(a string, v any) ([]any, bool) {
	var xs []any
	switch x := v.(type) {
	case *edn.Set:
		if x == nil {
			return nil, false
		}
		return x.Elems, true
	default:
		var ok bool
		if xs, ok = edn.Elems(v); !ok {
			return nil, false
		}
	}
	if len(xs) == 2 {
		if k, ok := xs[0].(edn.Keyword); ok && p.sch.IsIdentity(datom.KeywordText(k)) {
			return nil, false
		}
	}
	return xs, true
}

// explode turns an entity map with a resolved id into operations: one
// :db/add per value, nested maps as entities referring back to eid.
// Tuple-typed attributes go last.
func (p *proc) explode(eid int64, ent *entity) error {
	items := make([]any, 0, len(ent.attrs))
	var later []any
	ops := make([]opItem, 0, len(ent.attrs)) // one allocation for the usual case
	newOp := func(e any, a string, v any) *opItem {
		if len(ops) == cap(ops) {
			ops = make([]opItem, 0, 4)
		}
		ops = append(ops, opItem{op: "db/add", e: e, a: a, v: v, hasV: true})
		return &ops[len(ops)-1]
	}
	for i, a := range ent.attrs {
		vs := ent.vals[i]
		forward, reverse := reverseOf(a)
		if !reverse {
			forward = a
		} else if !p.sch.IsRef(forward) {
			return newErr(ErrInvalidTxData, ent, "bad attribute :%s: a reverse attribute requires :%s to be :db.type/ref", a, forward)
		}
		values := []any{vs}
		if reverse || p.sch.IsMany(a) {
			if xs, ok := p.multiValues(a, vs); ok {
				values = xs
			}
		}
		isRef := p.sch.IsRef(forward)
		out := &items
		if attr, ok := p.sch.Attr(forward); ok && attr.ValueType == schema.TypeTuple && !reverse {
			out = &later
		}
		for _, v := range values {
			if m, ok := v.(*edn.Map); ok && isRef {
				nested, err := parseEntity(m)
				if err != nil {
					return err
				}
				nested.set(reverseName(a), eid)
				*out = append(*out, nested)
				continue
			}
			if reverse {
				*out = append(*out, newOp(v, forward, eid))
			} else {
				*out = append(*out, newOp(eid, forward, v))
			}
		}
	}
	p.push(append(items, later...)...)
	return nil
}

// processOp handles one operation, following DataScript's order of cases.
func (p *proc) processOp(o *opItem) error {
	if o.op != "db/add" && isTempid(o.e) {
		return newErr(ErrInvalidTxData, o, "tempids are allowed in :db/add only")
	}
	if o.op == "db/cas" {
		return p.cas(o)
	}
	if isTxID(o.e) {
		p.allocate(o.e, p.txID)
		o.e = p.txID
	}
	if o.op == "db/add" && p.sch.IsRef(o.a) {
		switch {
		case isTxID(o.v):
			p.allocate(o.v, p.txID)
			o.v = p.txID
		case isTempid(o.v):
			eid, ok := p.tempids[o.v]
			if !ok {
				eid = p.nextEid()
				p.allocate(o.v, eid)
			}
			p.valueTempids[eid] = o.v
			o.v = eid
		}
	}
	if isTempid(o.e) {
		var upserted int64
		if p.sch.IsIdentity(o.a) && o.v != nil {
			e, err := p.resolveIdentity(o.a, o.v, o)
			if err != nil {
				return err
			}
			upserted = e
		}
		allocated, ok := p.tempids[o.e]
		if upserted != 0 && ok && upserted != allocated {
			return &retry{tempid: o.e, eid: upserted, tempids: p.tempids}
		}
		eid := upserted
		switch {
		case eid != 0:
		case ok:
			eid = allocated
		default:
			eid = p.nextEid()
		}
		p.allocate(o.e, eid)
		o.e = eid
	}
	if !o.internal && o.op != "db/retractEntity" && p.sch.IsComposite(o.a) {
		return p.checkCompositeAssert(o)
	}
	switch o.op {
	case "db/add":
		return p.add(o)
	case "db/retract":
		if o.v != nil {
			return p.retractValue(o)
		}
		return p.retractAttribute(o)
	case "db.fn/retractAttribute":
		return p.retractAttribute(o)
	case "db/retractEntity":
		return p.retractEntity(o)
	}
	return newErr(ErrInvalidTxData, o, "unknown operation")
}

// add is DataScript's transact-add: assert, replacing the old value of a
// cardinality-one attribute; re-asserting is a no-op.
func (p *proc) add(o *opItem) error {
	e, err := p.entidStrict(o.e, o)
	if err != nil {
		return err
	}
	v, err := p.value(o.a, o.v, o, o.internal)
	if err != nil {
		return err
	}
	return p.addValue(e, o.a, v, o)
}

func (p *proc) addValue(e int64, a string, v datom.Value, op any) error {
	st, err := p.state(e, a)
	if err != nil {
		return err
	}
	d := datom.Datom{E: e, A: a, V: v}
	if p.sch.IsMany(a) {
		if st.find(v) >= 0 {
			p.redundant[e] = struct{}{}
			return nil
		}
		return p.reportAdd(st, d, op)
	}
	if len(st.cur) > 0 {
		if st.cur[0].V.Equal(v) {
			p.redundant[e] = struct{}{}
			return nil
		}
		for len(st.cur) > 0 {
			if err := p.reportRetract(st, 0); err != nil {
				return err
			}
		}
	}
	return p.reportAdd(st, d, op)
}

func (p *proc) retractValue(o *opItem) error {
	e, found, err := p.entid(o.e, o)
	if err != nil || !found {
		return err
	}
	var v datom.Value
	if p.sch.IsRef(o.a) {
		if dv, ok := o.v.(datom.Value); ok {
			v = dv
		} else {
			id, err := p.entidStrict(o.v, o)
			if err != nil {
				return err
			}
			v = datom.Long(id)
		}
	} else if v, err = toValue(o.v); err != nil {
		return nil // no datom can hold it
	}
	st, err := p.state(e, o.a)
	if err != nil {
		return err
	}
	if i := st.find(v); i >= 0 {
		return p.reportRetract(st, i)
	}
	return nil
}

func (p *proc) retractAttribute(o *opItem) error {
	e, found, err := p.entid(o.e, o)
	if err != nil || !found {
		return err
	}
	st, err := p.state(e, o.a)
	if err != nil {
		return err
	}
	ds := st.sorted()
	for _, d := range ds {
		if err := p.reportRetract(st, st.find(d.V)); err != nil {
			return err
		}
	}
	return p.retractComponents(ds)
}

func (p *proc) retractEntity(o *opItem) error {
	e, found, err := p.entid(o.e, o)
	if err != nil || !found {
		return err
	}
	eds, err := p.entityDatoms(e)
	if err != nil {
		return err
	}
	var vds []datom.Datom
	for _, a := range p.sch.RefAttrs() {
		es, err := p.holders(a, datom.Long(e))
		if err != nil {
			return err
		}
		for _, x := range slices.Sorted(slices.Values(es)) {
			vds = append(vds, datom.Datom{E: x, A: a, V: datom.Long(e)})
		}
	}
	for _, d := range append(eds, vds...) {
		st, err := p.state(d.E, d.A)
		if err != nil {
			return err
		}
		if i := st.find(d.V); i >= 0 {
			if err := p.reportRetract(st, i); err != nil {
				return err
			}
		}
	}
	return p.retractComponents(eds)
}

// retractComponents schedules :db/retractEntity for the component entities
// the retracted datoms pointed to.
func (p *proc) retractComponents(ds []datom.Datom) error {
	var items []any
	var seen []int64
	for _, d := range ds {
		if !p.sch.IsComponent(d.A) || d.V.Kind() != datom.KindLong || slices.Contains(seen, d.V.AsLong()) {
			continue
		}
		seen = append(seen, d.V.AsLong())
		items = append(items, &opItem{op: "db/retractEntity", e: d.V.AsLong(), internal: true})
	}
	p.push(items...)
	return nil
}

// cas is :db/cas: compare the current value with the expected one, then
// add. On a cardinality-many attribute the expected value must be one of
// the current values, and the new one is added.
func (p *proc) cas(o *opItem) error {
	e, err := p.entidStrict(o.e, o)
	if err != nil {
		return err
	}
	var ov datom.Value
	if o.ov != nil {
		if p.sch.IsRef(o.a) {
			id, err := p.entidStrict(o.ov, o)
			if err != nil {
				return err
			}
			ov = datom.Long(id)
		} else if ov, err = toValue(o.ov); err != nil {
			return err
		}
	}
	nv, err := p.value(o.a, o.v, o, false)
	if err != nil {
		return err
	}
	st, err := p.state(e, o.a)
	if err != nil {
		return err
	}
	if p.sch.IsMany(o.a) {
		if ov.IsNil() || st.find(ov) < 0 {
			return newErr(ErrCASMismatch, o, "current values of [%d :%s] do not include %s", e, o.a, ov)
		}
	} else {
		cur := datom.Nil
		if len(st.cur) > 0 {
			cur = st.cur[0].V
		}
		if cur.IsNil() != ov.IsNil() || !cur.IsNil() && !cur.Equal(ov) {
			return newErr(ErrCASMismatch, o, "current value of [%d :%s] is %s, expected %s", e, o.a, cur, ov)
		}
	}
	return p.addValue(e, o.a, nv, o)
}
