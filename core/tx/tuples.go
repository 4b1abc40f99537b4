package tx

import (
	"slices"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

// tupleQueue holds the composite tuple values to write, per entity, in the
// order they were first touched (DataScript's ::queued-tuples). A nil
// element is a source attribute without a value.
type tupleQueue struct {
	order []int64
	byE   map[int64]*entityTuples
}

type entityTuples struct {
	order []string
	vals  map[string][]datom.Value
}

// queueTuples records that source attribute a of e now has value v (Nil
// when retracted) in every composite tuple a belongs to.
func (p *proc) queueTuples(e int64, a string, v datom.Value) error {
	sources := p.sch.TuplesOf(a)
	if len(sources) == 0 {
		return nil
	}
	q := &p.tuples
	if q.byE == nil {
		q.byE = map[int64]*entityTuples{}
	}
	et := q.byE[e]
	if et == nil {
		et = &entityTuples{vals: map[string][]datom.Value{}}
		q.byE[e] = et
		q.order = append(q.order, e)
	}
	for _, ts := range sources {
		vals, ok := et.vals[ts.Tuple]
		if !ok {
			attr, _ := p.sch.Attr(ts.Tuple)
			st, err := p.state(e, ts.Tuple)
			if err != nil {
				return err
			}
			if len(st.cur) > 0 && st.cur[0].V.Kind() == datom.KindTuple &&
				len(st.cur[0].V.AsTuple()) == len(attr.TupleAttrs) {
				vals = slices.Clone(st.cur[0].V.AsTuple())
			} else {
				vals = make([]datom.Value, len(attr.TupleAttrs))
			}
			et.order = append(et.order, ts.Tuple)
		}
		vals[ts.Index] = v
		et.vals[ts.Tuple] = vals
	}
	return nil
}

// flushTuples schedules the operations that bring the queued composite
// tuples up to date: an assertion of the new value, or a retraction when
// every source is gone.
func (p *proc) flushTuples() error {
	q := &p.tuples
	if len(q.order) == 0 {
		return nil
	}
	var items []any
	for _, e := range q.order {
		et := q.byE[e]
		for _, t := range et.order {
			vals := et.vals[t]
			value := datom.Tuple(vals)
			if !slices.ContainsFunc(vals, func(v datom.Value) bool { return !v.IsNil() }) {
				value = datom.Nil
			}
			st, err := p.state(e, t)
			if err != nil {
				return err
			}
			cur := datom.Nil
			if len(st.cur) > 0 {
				cur = st.cur[0].V
			}
			switch {
			case cur.IsNil() && value.IsNil(), !cur.IsNil() && !value.IsNil() && cur.Equal(value):
			case value.IsNil():
				items = append(items, &opItem{op: "db/retract", e: e, a: t, v: cur, hasV: true, internal: true})
			default:
				items = append(items, &opItem{op: "db/add", e: e, a: t, v: value, hasV: true, internal: true})
			}
		}
	}
	*q = tupleQueue{}
	p.push(items...)
	return nil
}

// checkCompositeAssert handles a user's own assertion or retraction of a
// composite tuple: allowed (as a no-op) only when it matches the current
// source values.
func (p *proc) checkCompositeAssert(o *opItem) error {
	attr, _ := p.sch.Attr(o.a)
	xs, ok := edn.Elems(o.v)
	if ok && len(xs) == len(attr.TupleAttrs) {
		e, found, err := p.entid(o.e, o)
		if err != nil {
			return err
		}
		match := found
		for i, src := range attr.TupleAttrs {
			if !match {
				break
			}
			if xs[i] == nil {
				match = false
				break
			}
			var v datom.Value
			if p.sch.IsRef(src) {
				id, ok, err := p.entid(xs[i], o)
				if err != nil {
					return err
				}
				v, match = datom.Long(id), ok
			} else if v, err = toValue(xs[i]); err != nil {
				match = false
			}
			st, err := p.state(e, src)
			if err != nil {
				return err
			}
			match = match && len(st.cur) > 0 && st.cur[0].V.Equal(v)
		}
		if match {
			return nil
		}
	}
	return newErr(ErrInvalidTxData, o, "can't modify composite tuple :%s directly", o.a)
}
