package query

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/query/builtin"
	"github.com/cairn-db/cairn/core/schema"
)

// dbFunc is a function that reads a source: get-else, get-some, missing?.
type dbFunc func(ex *exec, s *source, args []datom.Value) (datom.Value, error)

var dbFuncs = map[string]dbFunc{
	"get-else": fnGetElse,
	"get-some": fnGetSome,
	"missing?": fnMissing,
}

// applyFn runs a predicate or function clause over the relation of its
// input variables.
func (ex *exec) applyFn(st *state, c *fnClause) error {
	inputs := uniq(fnInputs(c))
	// The input relations are not joined: when the inputs come from
	// relations that share nothing, the product is streamed, so memory
	// follows the rows the clause keeps, not the product.
	rel := ex.takeView(st, inputs)
	call, terms, err := ex.resolveFn(st, c)
	if err != nil {
		return err
	}
	argCols := make([]int, len(terms))
	for i, a := range terms {
		argCols[i] = -1
		if a.kind == tVar {
			argCols[i] = rel.col(a.name)
		}
	}
	fnCol := -1
	if c.fn.kind == tVar {
		fnCol = rel.col(c.fn.name)
	}
	args := make([]datom.Value, len(c.args))
	// Output variables: those already in rel unify, the others are new.
	var outVars, newVars []string
	var outCol []int
	if c.out != nil {
		outVars = c.out.vars(nil)
		for _, v := range outVars {
			j := rel.col(v)
			outCol = append(outCol, j)
			if j < 0 && !contains(newVars, v) {
				newVars = append(newVars, v)
			}
		}
	}
	// A filter or a scalar result keeps distinct rows distinct.
	res := &relation{vars: append(append([]string{}, rel.vars...), newVars...),
		set: rel.set() && (c.out == nil || c.out.kind == bScalar)}
	newIdx := make([]int, len(outVars))
	for i, v := range outVars {
		newIdx[i] = -1
		for k, n := range newVars {
			if n == v {
				newIdx[i] = k
			}
		}
	}
	if len(rel.rels) == 1 {
		// at most (a filter) or about (a scalar) one row per input row;
		// a product is not preallocated: memory follows the rows kept
		res.data = make([]datom.Value, 0, rel.n*len(res.vars))
	}
	ext := make([]datom.Value, len(newVars))
	rowBuf := make([]datom.Value, len(rel.vars))
	for i := 0; i < rel.n; i++ {
		if err := ex.tick(); err != nil {
			return err
		}
		row := rel.row(i, rowBuf)
		for k, a := range terms {
			if argCols[k] >= 0 {
				args[k] = row[argCols[k]]
			} else {
				args[k] = a.val
			}
		}
		f := call
		if fnCol >= 0 {
			if f, err = ex.fnValue(row[fnCol], c); err != nil {
				return err
			}
		}
		v, err := f(args)
		if err != nil {
			return err
		}
		if c.out == nil {
			if builtin.Truthy(v) {
				res.reserve(len(res.vars))
				res.data = append(res.data, row...)
				res.n++
			}
			continue
		}
		if c.out.kind == bScalar {
			// The common case, without destructuring: a nil result
			// binds nothing; a variable already bound must be equal.
			if v.IsNil() {
				continue
			}
			if outCol[0] >= 0 {
				if row[outCol[0]].Equal(v) {
					res.reserve(len(res.vars))
					res.data = append(res.data, row...)
					res.n++
				}
				continue
			}
			res.reserve(len(res.vars))
			res.data = append(res.data, row...)
			res.data = append(res.data, v)
			res.n++
			continue
		}
		err = ex.destructure(*c.out, v, false, func(vals []datom.Value) error {
			set := uint32(0)
			for k, val := range vals {
				if outCol[k] >= 0 {
					if !row[outCol[k]].Equal(val) {
						return nil
					}
					continue
				}
				j := newIdx[k]
				if set&(1<<j) != 0 {
					if !ext[j].Equal(val) {
						return nil
					}
					continue
				}
				ext[j] = val
				set |= 1 << j
			}
			res.reserve(len(res.vars))
			res.data = append(res.data, row...)
			res.data = append(res.data, ext...)
			res.n++
			return nil
		})
		if err != nil {
			return err
		}
	}
	return ex.merge(st, res)
}

// view is the cartesian product of relations over disjoint variables,
// read row by row without being built.
type view struct {
	rels []*relation
	vars []string
	n    int
}

func (ex *exec) takeView(st *state, vars []string) *view {
	v := &view{n: 1}
	for _, r := range slices.Clone(st.rels) {
		for _, x := range vars {
			if r.has(x) {
				st.remove(r)
				v.rels = append(v.rels, r)
				v.vars = append(v.vars, r.vars...)
				v.n *= r.n
				break
			}
		}
	}
	return v
}

func (v *view) col(name string) int { return indexOf(v.vars, name) }

// set reports whether the view's rows are distinct: a product of
// distinct relations is.
func (v *view) set() bool {
	for _, r := range v.rels {
		if !r.set {
			return false
		}
	}
	return true
}

// row returns row i (mixed-radix over the relations), in buf when the
// view has more than one relation.
func (v *view) row(i int, buf []datom.Value) []datom.Value {
	if len(v.rels) == 1 {
		return v.rels[0].row(i)
	}
	off := len(buf)
	for k := len(v.rels) - 1; k >= 0; k-- {
		r := v.rels[k]
		j := i % r.n
		i /= r.n
		off -= len(r.vars)
		copy(buf[off:], r.row(j))
	}
	return buf
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

type callFn func(args []datom.Value) (datom.Value, error)

// resolveFn finds the function of a clause: a database function, ground,
// a registered or built-in function.
func (ex *exec) resolveFn(st *state, c *fnClause) (callFn, []term, error) {
	f, err := ex.resolveFn1(st, c)
	if err != nil || c.fn.kind == tVar {
		return f, c.args, err
	}
	// Symbols given as arguments name functions (complement, ...).
	terms, copied := c.args, false
	for i, a := range c.args {
		if a.kind == tConst && a.val.Kind() == datom.KindSymbol {
			if g, ok := builtin.Lookup(a.val.Text()); ok {
				if !copied {
					terms, copied = append([]term{}, c.args...), true
				}
				terms[i] = term{kind: tConst, val: ex.env.Box(g)}
			}
		}
	}
	return f, terms, nil
}

func (ex *exec) resolveFn1(st *state, c *fnClause) (callFn, error) {
	if c.fn.kind == tVar {
		return nil, nil
	}
	name := c.fn.val.Text()
	if df, ok := dbFuncs[name]; ok {
		if len(c.args) == 0 || c.args[0].kind != tSrc {
			return nil, syntaxErr(c.form(), "%s expects a source as its first argument", name)
		}
		s, err := ex.sourceOf(st, c.args[0].name)
		if err != nil {
			return nil, err
		}
		if s.db == nil {
			return nil, fmt.Errorf("%w: %s needs a database, %s is a collection", ErrInvalidInput, name, s.name)
		}
		return func(args []datom.Value) (datom.Value, error) {
			v, err := df(ex, s, args[1:])
			if err != nil {
				return datom.Nil, fmt.Errorf("%w in %s", err, c.form())
			}
			return v, nil
		}, nil
	}
	if name == "ground" {
		if len(c.args) != 1 {
			return nil, syntaxErr(c.form(), "ground takes one argument")
		}
		return func(args []datom.Value) (datom.Value, error) { return args[0], nil }, nil
	}
	for _, a := range c.args {
		if a.kind == tSrc {
			return nil, syntaxErr(c.form(), "a source is not a function argument here")
		}
	}
	f, ok := builtin.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s in %s", ErrUnknownFunction, name, c.form())
	}
	return ex.wrap(f, c), nil
}

func (ex *exec) wrap(f builtin.Func, c *fnClause) callFn {
	return func(args []datom.Value) (datom.Value, error) {
		v, err := f(ex.env, args)
		if err != nil {
			if errors.Is(err, ErrTimeout) {
				return datom.Nil, err
			}
			return datom.Nil, fmt.Errorf("%w: %w in %s", ErrFunction, err, c.form())
		}
		return v, nil
	}
}

// fnValue turns a variable's value (a boxed function from the inputs)
// into a callable.
func (ex *exec) fnValue(v datom.Value, c *fnClause) (callFn, error) {
	o, ok := ex.env.Unbox(v)
	if ok {
		switch f := o.(type) {
		case builtin.Func:
			return ex.wrap(f, c), nil
		case func(args ...any) (any, error):
			return func(args []datom.Value) (datom.Value, error) {
				xs := make([]any, len(args))
				for i, a := range args {
					xs[i] = ex.env.ToEDN(a)
				}
				r, err := f(xs...)
				if err != nil {
					return datom.Nil, fmt.Errorf("%w: %w in %s", ErrFunction, err, c.form())
				}
				return ex.env.FromEDN(r)
			}, nil
		}
	}
	if v.Kind() == datom.KindSymbol {
		if f, ok := builtin.Lookup(v.Text()); ok {
			return ex.wrap(f, c), nil
		}
	}
	return nil, fmt.Errorf("%w: %s is not a function in %s", ErrUnknownFunction, v, c.form())
}

// destructure binds value v to binding b, calling emit with the values of
// b.vars() for each resulting tuple. strict (inputs) makes a short tuple
// an error; for function results it just yields nothing.
func (ex *exec) destructure(b binding, v datom.Value, strict bool, emit func([]datom.Value) error) error {
	vals := make([]datom.Value, 0, len(b.vars(nil)))
	var rec func(b binding, v datom.Value, k func() error) error
	rec = func(b binding, v datom.Value, k func() error) error {
		switch b.kind {
		case bBlank:
			return k()
		case bScalar:
			if v.IsNil() && !strict {
				return nil
			}
			vals = append(vals, v)
			err := k()
			vals = vals[:len(vals)-1]
			return err
		case bTuple:
			xs, ok := ex.env.Elems(v)
			if !ok || v.IsNil() {
				if strict {
					return fmt.Errorf("%w: cannot bind %s to %s", ErrInvalidInput, v, bindingString(b))
				}
				return nil
			}
			if len(xs) < len(b.elems) {
				if strict {
					return fmt.Errorf("%w: Not enough elements in a collection %s to bind tuple %s", ErrInvalidInput, v, bindingString(b))
				}
				return nil
			}
			var step func(i int) error
			step = func(i int) error {
				if i == len(b.elems) {
					return k()
				}
				return rec(b.elems[i], xs[i], func() error { return step(i + 1) })
			}
			return step(0)
		case bColl:
			xs, ok := ex.env.Elems(v)
			if !ok {
				if strict {
					return fmt.Errorf("%w: cannot bind %s to collection %s", ErrInvalidInput, v, bindingString(b))
				}
				return nil
			}
			for _, x := range xs {
				if err := ex.tick(); err != nil {
					return err
				}
				if err := rec(b.elems[0], x, k); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("%w: a source or rules cannot be bound here", ErrSyntax)
	}
	return rec(b, v, func() error { return emit(vals) })
}

func bindingString(b binding) string {
	switch b.kind {
	case bScalar, bSource:
		return b.v
	case bBlank:
		return "_"
	case bRules:
		return "%"
	case bColl:
		return "[" + bindingString(b.elems[0]) + " ...]"
	}
	s := "["
	for i, e := range b.elems {
		if i > 0 {
			s += " "
		}
		s += bindingString(e)
	}
	return s + "]"
}

func (ex *exec) schemaOf(s *source) *schema.Schema {
	if s.db == nil {
		return nil
	}
	return s.db.Schema()
}

// firstValue returns the first current value of e's attribute a.
func (ex *exec) firstValue(s *source, e int64, a string) (datom.Value, bool, error) {
	it := s.db.Datoms(ex.ctx, datom.EAVT, datom.Long(e), datom.Keyword(a))
	for it.Next() {
		if d := it.Datom(); d.Added {
			return d.V, true, nil
		}
	}
	return datom.Nil, false, it.Err()
}

func entityArg(ex *exec, s *source, v datom.Value) (int64, bool, error) {
	return ex.entid(s, v, false)
}

func fnGetElse(ex *exec, s *source, args []datom.Value) (datom.Value, error) {
	if len(args) != 3 {
		return datom.Nil, fmt.Errorf("%w: get-else takes a source, an entity, an attribute and a default", ErrFunction)
	}
	if args[2].IsNil() {
		return datom.Nil, fmt.Errorf("%w: get-else: nil default value is not supported", ErrFunction)
	}
	if args[1].Kind() != datom.KindKeyword {
		return datom.Nil, fmt.Errorf("%w: get-else: attribute must be a keyword", ErrFunction)
	}
	if a, _ := ex.schemaOf(s).Attr(args[1].Text()); a != nil && a.Cardinality == schema.CardinalityMany {
		return datom.Nil, fmt.Errorf("%w: get-else: cardinality many attribute %s is not supported", ErrFunction, args[1])
	}
	e, ok, err := entityArg(ex, s, args[0])
	if err != nil || !ok {
		return args[2], err
	}
	v, ok, err := ex.firstValue(s, e, args[1].Text())
	if err != nil {
		return datom.Nil, err
	}
	if !ok {
		return args[2], nil
	}
	return v, nil
}

func fnGetSome(ex *exec, s *source, args []datom.Value) (datom.Value, error) {
	if len(args) < 2 {
		return datom.Nil, fmt.Errorf("%w: get-some takes a source, an entity and attributes", ErrFunction)
	}
	e, ok, err := entityArg(ex, s, args[0])
	if err != nil || !ok {
		return datom.Nil, err
	}
	for _, a := range args[1:] {
		if a.Kind() != datom.KindKeyword {
			return datom.Nil, fmt.Errorf("%w: get-some: attribute must be a keyword", ErrFunction)
		}
		v, ok, err := ex.firstValue(s, e, a.Text())
		if err != nil {
			return datom.Nil, err
		}
		if ok {
			return datom.Tuple([]datom.Value{a, v}), nil
		}
	}
	return datom.Nil, nil
}

func fnMissing(ex *exec, s *source, args []datom.Value) (datom.Value, error) {
	if len(args) != 2 || args[1].Kind() != datom.KindKeyword {
		return datom.Nil, fmt.Errorf("%w: missing? takes a source, an entity and an attribute", ErrFunction)
	}
	e, ok, err := entityArg(ex, s, args[0])
	if err != nil || !ok {
		return datom.Bool(true), err
	}
	_, ok, err = ex.firstValue(s, e, args[1].Text())
	return datom.Bool(!ok), err
}
