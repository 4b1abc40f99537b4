package query

import (
	"fmt"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/pull"
)

// results turns the solved state into the :find shape: collect the find
// and :with variables as a set, aggregate per group, pull, and shape.
func (ex *exec) results(st *state) (any, error) {
	q := ex.q
	var vars []string
	for _, f := range q.find {
		if !contains(vars, f.v) {
			vars = append(vars, f.v)
		}
	}
	for _, w := range q.with {
		if !contains(vars, w) {
			vars = append(vars, w)
		}
	}
	rel, err := ex.collect(st, vars)
	if err != nil {
		return nil, err
	}
	rel = rel.distinct()
	var rows [][]any
	if q.hasAgg {
		rows, err = ex.aggregate(rel)
	} else {
		rows, err = ex.plainRows(rel)
	}
	if err != nil {
		return nil, err
	}
	switch q.shape {
	case shapeScalar:
		if len(rows) == 0 {
			return nil, nil
		}
		return rows[0][0], nil
	case shapeColl:
		out := make(edn.Vector, len(rows))
		for i, r := range rows {
			out[i] = r[0]
		}
		return out, nil
	case shapeTuple:
		if len(rows) == 0 {
			return nil, nil
		}
		return ex.shapeRow(rows[0]), nil
	}
	out := make(edn.Vector, len(rows))
	for i, r := range rows {
		out[i] = ex.shapeRow(r)
	}
	return out, nil
}

func (ex *exec) shapeRow(r []any) any {
	if ex.q.keys == nil {
		return edn.Vector(r)
	}
	m := edn.NewMap()
	for i, k := range ex.q.keys {
		m.Set(k, r[i])
	}
	return m
}

// plainRows projects to the find elements (duplicates stay when :with
// added variables, as in DataScript) and pulls.
func (ex *exec) plainRows(rel *relation) ([][]any, error) {
	cols := make([]int, len(ex.q.find))
	for i, f := range ex.q.find {
		cols[i] = rel.col(f.v)
	}
	rows := make([][]any, 0, rel.n)
	backing := make([]any, rel.n*len(cols))
	for i := 0; i < rel.n; i++ {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		src := rel.row(i)
		row := backing[i*len(cols) : (i+1)*len(cols) : (i+1)*len(cols)]
		for k, f := range ex.q.find {
			v, err := ex.findValue(f, src[cols[k]])
			if err != nil {
				return nil, err
			}
			row[k] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (ex *exec) findValue(f findElem, v datom.Value) (any, error) {
	if f.kind != findPull {
		return ex.env.ToEDN(v), nil
	}
	s, err := ex.sourceOf(&state{src: "$"}, f.src)
	if err != nil {
		return nil, err
	}
	if s.db == nil {
		return nil, fmt.Errorf("%w: pull needs a database, %s is a collection", ErrInvalidInput, s.name)
	}
	pat := f.pattern
	if pat == nil {
		pat, err = ex.inputPattern(f.patVar)
		if err != nil {
			return nil, err
		}
	}
	pl := ex.puller(s)
	e, ok, err := pl.ResolveValue(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if !ok {
		return nil, nil
	}
	m, err := pl.Entity(e, pat)
	if err != nil || m == nil {
		return nil, err
	}
	return m, nil
}

func (ex *exec) inputPattern(v string) (*pull.Pattern, error) {
	if p, ok := ex.patterns[v]; ok {
		return p, nil
	}
	val, ok := ex.scalars[v]
	if !ok {
		return nil, fmt.Errorf("%w: pull pattern %s must be a scalar input", ErrUnboundVariable, v)
	}
	p, err := pull.ParsePattern(ex.env.ToEDN(val))
	if err != nil {
		return nil, err
	}
	ex.patterns[v] = p
	return p, nil
}

// aggregate groups rel by the non-aggregate find variables and computes
// each aggregate over its group's values.
func (ex *exec) aggregate(rel *relation) ([][]any, error) {
	q := ex.q
	var keyCols []int
	for _, f := range q.find {
		if f.kind != findAgg {
			keyCols = append(keyCols, rel.col(f.v))
		}
	}
	type group struct {
		first int
		rows  []int
	}
	// Group keys are kept in a relation of their own (row k is group k),
	// found through a hash index.
	keys := &relation{vars: make([]string, len(keyCols))}
	kcols := allCols(len(keyCols))
	idx := newHashIndex(keys, kcols, 16)
	var order []*group
	for i := 0; i < rel.n; i++ {
		row := rel.row(i)
		if j, added := idx.addDistinct(row, keyCols); !added {
			order[j].rows = append(order[j].rows, i)
			continue
		}
		order = append(order, &group{first: i, rows: []int{i}})
	}
	// Aggregate parameters ((min 2 ?x), (aggregate ?f ?x)).
	params := make([][]datom.Value, len(q.find))
	fns := make([]aggFunc, len(q.find))
	for i, f := range q.find {
		if f.kind != findAgg {
			continue
		}
		for _, a := range f.aggArgs {
			switch a.kind {
			case tConst:
				params[i] = append(params[i], a.val)
			case tVar:
				v, ok := ex.scalars[a.name]
				if !ok {
					return nil, fmt.Errorf("%w: aggregate argument %s must be a scalar input", ErrUnboundVariable, a.name)
				}
				params[i] = append(params[i], v)
			default:
				return nil, fmt.Errorf("%w: invalid aggregate argument %s", ErrSyntax, a)
			}
		}
		if f.agg == "aggregate" {
			if len(params[i]) != 1 {
				return nil, fmt.Errorf("%w: (aggregate ?f ?x) takes a function", ErrSyntax)
			}
			fv := params[i][0]
			params[i] = nil
			fns[i] = func(ex *exec, _ []datom.Value, vals []datom.Value) (any, error) {
				o, _ := ex.env.Unbox(fv)
				fn, ok := o.(func([]any) (any, error))
				if !ok {
					return nil, fmt.Errorf("%w: aggregate function must be a func([]any) (any, error), got %T", ErrUnknownFunction, o)
				}
				return callCustom(ex, fn, vals)
			}
			continue
		}
		fn, ok := lookupAggregate(f.agg)
		if !ok {
			return nil, fmt.Errorf("%w: unknown aggregate %s", ErrUnknownFunction, f.agg)
		}
		if (f.agg == "sample") != (len(params[i]) == 1) && f.agg == "sample" {
			return nil, fmt.Errorf("%w: (sample n ?x) takes a count", ErrSyntax)
		}
		fns[i] = fn
	}
	out := make([][]any, 0, len(order))
	vals := make([]datom.Value, 0, 16)
	for _, g := range order {
		if err := ex.tick(); err != nil {
			return nil, err
		}
		row := make([]any, len(q.find))
		for i, f := range q.find {
			col := rel.col(f.v)
			if f.kind != findAgg {
				v, err := ex.findValue(f, rel.row(g.first)[col])
				if err != nil {
					return nil, err
				}
				row[i] = v
				continue
			}
			vals = vals[:0]
			for _, r := range g.rows {
				vals = append(vals, rel.row(r)[col])
			}
			v, err := fns[i](ex, params[i], vals)
			if err != nil {
				return nil, err
			}
			row[i] = v
		}
		out = append(out, row)
	}
	return out, nil
}
