package query_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query"
	"github.com/cairn-db/cairn/core/schema"
)

// memDB is an in-memory query.Source over sorted slices: the three index
// orders of the current datoms, and (for history views) of every
// assertion and retraction.
type memDB struct {
	schema  *schema.Schema
	current []datom.Datom // all current datoms, unsorted
	log     []datom.Datom // every assertion and retraction, in tx order
	idx     [3][]datom.Datom
	history bool
	maxEid  int64
	maxTx   int64
}

var _ query.Source = (*memDB)(nil)

func newMemDB(s *schema.Schema) *memDB {
	if s == nil {
		s = schema.Empty(schema.FlexRead)
	}
	return &memDB{schema: s, maxTx: datom.Tx0}
}

func (m *memDB) Schema() *schema.Schema { return m.schema }
func (m *memDB) IsHistory() bool        { return m.history }

// History returns the history view of m.
func (m *memDB) History() *memDB {
	h := &memDB{schema: m.schema, log: m.log, history: true, maxEid: m.maxEid, maxTx: m.maxTx}
	h.current = append([]datom.Datom(nil), m.log...)
	h.build()
	return h
}

// AsOf returns the view of m at transaction t.
func (m *memDB) AsOf(t int64) *memDB {
	v := &memDB{schema: m.schema, maxEid: m.maxEid, maxTx: t}
	for _, d := range m.log {
		if d.Tx > t {
			break
		}
		v.apply(d)
	}
	v.build()
	return v
}

func (m *memDB) apply(d datom.Datom) {
	if d.Added {
		m.current = append(m.current, d)
		return
	}
	for i, c := range m.current {
		if c.E == d.E && c.A == d.A && c.V.Equal(d.V) {
			m.current = slices.Delete(m.current, i, i+1)
			return
		}
	}
}

func (m *memDB) build() {
	for o := datom.EAVT; o <= datom.AVET; o++ {
		s := slices.Clone(m.current)
		cmp := datom.Comparator(o, m.history)
		slices.SortFunc(s, func(a, b datom.Datom) int { return cmp(&a, &b) })
		m.idx[o] = s
	}
}

func role(o datom.Order, i int) byte {
	switch o {
	case datom.EAVT:
		return "eavt"[i]
	case datom.AEVT:
		return "aevt"[i]
	}
	return "avet"[i]
}

func cmpComp(d *datom.Datom, r byte, c datom.Value) int {
	switch r {
	case 'e':
		n, _ := c.Int()
		return cmpInt(d.E, n)
	case 'a':
		return strings.Compare(d.A, c.Text())
	case 'v':
		return datom.Compare(d.V, c)
	}
	n, _ := c.Int()
	return cmpInt(d.Tx, n)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (m *memDB) cmpPrefix(o datom.Order, d *datom.Datom, comps []datom.Value) int {
	for i, c := range comps {
		if x := cmpComp(d, role(o, i), c); x != 0 {
			return x
		}
	}
	return 0
}

type sliceIter struct {
	s   []datom.Datom
	i   int
	ctx context.Context
	err error
}

func (it *sliceIter) Next() bool {
	if it.i&1023 == 1023 && it.ctx.Err() != nil {
		it.err = it.ctx.Err()
		return false
	}
	it.i++
	return it.i <= len(it.s)
}
func (it *sliceIter) Datom() *datom.Datom { return &it.s[it.i-1] }
func (it *sliceIter) Err() error          { return it.err }

func (m *memDB) span(order datom.Order, comps []datom.Value) []datom.Datom {
	s := m.idx[order]
	for i, c := range comps {
		switch role(order, i) {
		case 'e':
			if c.Kind() != datom.KindLong {
				return nil
			}
		case 'a':
			if c.Kind() != datom.KindKeyword {
				return nil
			}
		}
	}
	lo := sort.Search(len(s), func(i int) bool { return m.cmpPrefix(order, &s[i], comps) >= 0 })
	hi := sort.Search(len(s), func(i int) bool { return m.cmpPrefix(order, &s[i], comps) > 0 })
	return s[lo:hi]
}

func (m *memDB) Datoms(ctx context.Context, order datom.Order, comps ...datom.Value) query.Iterator {
	return &sliceIter{s: m.span(order, comps), ctx: ctx}
}

func (m *memDB) Count(_ context.Context, order datom.Order, comps ...datom.Value) int64 {
	return int64(len(m.span(order, comps)))
}

// transact applies tx data in the corpus's simple shapes: flat entity maps
// with :db/id (negative ints and strings are tempids, allocated in order
// of first use), [:db/add e a v] and [:db/retract e a v]. Composite tuple
// attributes are kept up to date.
func (m *memDB) transact(txText string) error {
	v, err := edn.ReadString(txText)
	if err != nil {
		return err
	}
	items, ok := v.(edn.Vector)
	if !ok {
		return fmt.Errorf("tx data must be a vector")
	}
	m.maxTx++
	tx := m.maxTx
	tempids := map[string]int64{}
	id := func(x any) (int64, error) {
		switch t := x.(type) {
		case int64:
			if t > 0 {
				m.maxEid = max(m.maxEid, t)
				return t, nil
			}
			key := fmt.Sprint(t)
			if e, ok := tempids[key]; ok {
				return e, nil
			}
			m.maxEid++
			tempids[key] = m.maxEid
			return m.maxEid, nil
		case string:
			if e, ok := tempids[t]; ok {
				return e, nil
			}
			m.maxEid++
			tempids[t] = m.maxEid
			return m.maxEid, nil
		case nil:
			m.maxEid++
			return m.maxEid, nil
		}
		return 0, fmt.Errorf("bad entity id %v", x)
	}
	touched := map[int64]bool{}
	var ops []datom.Datom
	add := func(e int64, a edn.Keyword, val any, added bool) error {
		attr := a.String()[1:]
		at, _ := m.schema.Attr(attr)
		isRef := at != nil && at.ValueType == schema.TypeRef
		var vals []any
		if vs, ok := val.(edn.Vector); ok && at != nil && at.Cardinality == schema.CardinalityMany {
			vals = vs
		} else {
			vals = []any{val}
		}
		for _, x := range vals {
			var dv datom.Value
			if isRef {
				r, err := id(x)
				if err != nil {
					return err
				}
				dv = datom.Long(r)
			} else {
				var err error
				if dv, err = toValue(x); err != nil {
					return err
				}
			}
			ops = append(ops, datom.Datom{E: e, A: attr, V: dv, Tx: tx, Added: added})
			touched[e] = true
		}
		return nil
	}
	for _, it := range items {
		switch t := it.(type) {
		case *edn.Map:
			raw, _ := t.Get(edn.Keyword{NS: "db", Name: "id"})
			e, err := id(raw)
			if err != nil {
				return err
			}
			for _, en := range t.Entries {
				k := en.Key.(edn.Keyword)
				if k.NS == "db" && k.Name == "id" {
					continue
				}
				if err := add(e, k, en.Val, true); err != nil {
					return err
				}
			}
		case edn.Vector:
			op := t[0].(edn.Keyword)
			e, err := id(t[1])
			if err != nil {
				return err
			}
			if err := add(e, t[2].(edn.Keyword), t[3], op.Name == "add"); err != nil {
				return err
			}
		}
	}
	for _, d := range ops {
		m.assert(d)
	}
	// composite tuples
	for a := range m.schema.All() {
		if len(a.TupleAttrs) == 0 {
			continue
		}
		for e := range touched {
			vals := make([]datom.Value, len(a.TupleAttrs))
			any := false
			for i, src := range a.TupleAttrs {
				for _, d := range m.current {
					if d.E == e && d.A == src {
						vals[i] = d.V
						any = true
					}
				}
			}
			if any {
				m.assert(datom.Datom{E: e, A: a.Ident, V: datom.Tuple(vals), Tx: tx, Added: true})
			}
		}
	}
	m.build()
	return nil
}

// assert applies one datom with cardinality-one replacement.
func (m *memDB) assert(d datom.Datom) {
	at, _ := m.schema.Attr(d.A)
	many := at != nil && at.Cardinality == schema.CardinalityMany
	if !d.Added {
		for i, c := range m.current {
			if c.E == d.E && c.A == d.A && c.V.Equal(d.V) {
				m.current = slices.Delete(m.current, i, i+1)
				m.log = append(m.log, d)
				return
			}
		}
		return
	}
	for i := 0; i < len(m.current); i++ {
		c := m.current[i]
		if c.E != d.E || c.A != d.A {
			continue
		}
		if c.V.Equal(d.V) {
			return
		}
		if !many {
			m.current = slices.Delete(m.current, i, i+1)
			m.log = append(m.log, datom.Datom{E: c.E, A: c.A, V: c.V, Tx: d.Tx, Added: false})
			i--
		}
	}
	m.current = append(m.current, d)
	m.log = append(m.log, d)
}

func toValue(x any) (datom.Value, error) {
	switch t := x.(type) {
	case int64:
		return datom.Long(t), nil
	case float64:
		return datom.Double(t), nil
	case string:
		return datom.String(t), nil
	case bool:
		return datom.Bool(t), nil
	case edn.Keyword:
		return datom.Keyword(strings.TrimPrefix(t.String(), ":")), nil
	case edn.Vector:
		vs := make([]datom.Value, len(t))
		for i, e := range t {
			v, err := toValue(e)
			if err != nil {
				return datom.Nil, err
			}
			vs[i] = v
		}
		return datom.Tuple(vs), nil
	}
	return datom.Nil, fmt.Errorf("unsupported value %T", x)
}

// buildDB makes a db from a schema map text and tx texts.
func buildDB(schemaText string, txs []string) (*memDB, error) {
	sv, err := edn.ReadString(schemaText)
	if err != nil {
		return nil, err
	}
	sm, _ := sv.(*edn.Map)
	s, err := schema.FromEDN(sm, schema.FlexRead)
	if err != nil {
		return nil, err
	}
	db := newMemDB(s)
	for _, tx := range txs {
		if err := db.transact(tx); err != nil {
			return nil, err
		}
	}
	db.build()
	return db, nil
}
