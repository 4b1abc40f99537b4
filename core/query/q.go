package query

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/query/builtin"
)

// ErrInternal is returned when the engine hits a bug (a recovered panic);
// the query and its inputs are not at fault.
var ErrInternal = errors.New("query: internal error")

// Options tunes one query run. The zero value (and nil) means defaults.
type Options struct {
	// Timeout ends the query with ErrTimeout after this long; 0 means no
	// limit beyond the context's own deadline.
	Timeout time.Duration
}

// Q runs a query (EDN text, a parsed EDN value or a *Query) against its
// inputs, which fill :in in order (without :in, the one input is $). A
// database input is a Source; a source given as a collection of tuples
// matches patterns position by position; rules (%) are EDN text or a
// parsed vector; everything else is an EDN/Go value (vectors bind tuples
// and collections; a func(args ...any) (any, error) can be called as a
// function, a func([]any) (any, error) used with (aggregate ?f ?x)).
//
// The result follows :find: a relation is an edn.Vector of rows (each an
// edn.Vector, or an *edn.Map with :keys/:strs/:syms) in no particular
// order, distinct unless :with keeps duplicates; a collection an
// edn.Vector; a tuple an edn.Vector or nil; a scalar the value or nil.
// Values are int64, float64, string, bool, edn.Keyword, time.Time,
// edn.UUID, *big.Int, edn.BigDec, edn.Vector (tuples), *edn.Set
// (distinct) and *edn.Map (pull).
func Q(ctx context.Context, query any, inputs ...any) (any, error) {
	return QueryWith(ctx, nil, query, inputs...)
}

// QueryWith is Q with options.
func QueryWith(ctx context.Context, opts *Options, query any, inputs ...any) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("%w: %v\n%s", ErrInternal, r, debug.Stack())
		}
	}()
	q, err := Parse(query)
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	ex := &exec{
		ctx:              ctx,
		q:                q,
		env:              q.env.Clone(),
		srcs:             map[string]*source{},
		rules:            map[string][]*rule{},
		resolvedPatterns: map[resolvedKey]*resolved{},
		pullers:          map[*source]*pull.Puller{},
		scalars:          map[string]datom.Value{},
		patterns:         map[string]*pull.Pattern{},
	}
	st := &state{src: "$"}
	if err := ex.bindInputs(st, inputs); err != nil {
		return nil, err
	}
	if err := ex.solve(st, q.where, q.keepVars()); err != nil {
		return nil, ex.wrapCtx(err)
	}
	res, err = ex.results(st)
	if err != nil {
		return nil, ex.wrapCtx(err)
	}
	return res, nil
}

// keepVars returns the variables the find stage reads: the find elements'
// and :with variables.
func (q *Query) keepVars() []string {
	var vs []string
	for _, f := range q.find {
		if f.v != "" {
			vs = append(vs, f.v)
		}
	}
	return append(vs, q.with...)
}

func (ex *exec) wrapCtx(err error) error {
	if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrTimeout) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// exec is the state of one query run.
type exec struct {
	ctx              context.Context
	q                *Query
	env              *builtin.Env
	srcs             map[string]*source
	rules            map[string][]*rule
	scopes           []*scope
	resolvedPatterns map[resolvedKey]*resolved
	pullers          map[*source]*pull.Puller
	scalars          map[string]datom.Value // scalar inputs, for aggregate and pull arguments
	patterns         map[string]*pull.Pattern
	ticks            int
	delta            *delta   // semi-naive rule evaluation (rules.go)
	ruleDepth        int      // > 0 while rule bodies are evaluated
	pending          []clause // the clauses still to run after the one being applied
	keep             []string // the variables read after the current solve
	eaCache          map[eaKey][]datom.Datom
	probeCache       map[probeKey][]datom.Datom
}

// tick is called once per row or datom in every loop; it checks for
// cancellation every 1024 calls.
func (ex *exec) tick() error {
	ex.ticks++
	if ex.ticks&1023 == 0 {
		if err := ex.ctx.Err(); err != nil {
			return ex.wrapCtx(err)
		}
	}
	return nil
}

func (ex *exec) checkSize(*relation) error {
	if err := ex.ctx.Err(); err != nil {
		return ex.wrapCtx(err)
	}
	return nil
}

func (ex *exec) puller(s *source) *pull.Puller {
	p, ok := ex.pullers[s]
	if !ok {
		p = pull.NewPuller(ex.ctx, s.db)
		ex.pullers[s] = p
	}
	return p
}

func (ex *exec) bindInputs(st *state, inputs []any) error {
	q := ex.q
	if q.inferIn && len(inputs) == 0 {
		return nil
	}
	if len(inputs) > len(q.in) {
		return fmt.Errorf("%w: Extra inputs passed, expected %d, got %d", ErrInvalidInput, len(q.in), len(inputs))
	}
	if len(inputs) < len(q.in) {
		return fmt.Errorf("%w: Too few inputs passed, expected %d, got %d", ErrInvalidInput, len(q.in), len(inputs))
	}
	for i, b := range q.in {
		x := inputs[i]
		switch b.kind {
		case bSource:
			s, err := ex.bindSource(b.v, x)
			if err != nil {
				return err
			}
			ex.srcs[b.v] = s
		case bRules:
			rules, err := parseRules(x, ex.env)
			if err != nil {
				return err
			}
			for k, v := range rules {
				ex.rules[k] = append(ex.rules[k], v...)
			}
		default:
			if _, isSrc := x.(Source); isSrc {
				return fmt.Errorf("%w: a database given for %s, which is not a source", ErrInvalidInput, bindingString(b))
			}
			v, err := ex.env.FromEDN(x)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			if b.kind == bScalar {
				ex.scalars[b.v] = v
			}
			vars := b.vars(nil)
			rel := &relation{vars: uniq(vars)}
			err = ex.destructure(b, v, true, func(vals []datom.Value) error {
				if len(rel.vars) != len(vals) {
					// a variable repeated in the binding must unify
					row := make([]datom.Value, len(rel.vars))
					for k, name := range vars {
						j := indexOf(rel.vars, name)
						if row[j].Kind() != datom.KindNil && !row[j].Equal(vals[k]) {
							return nil
						}
						row[j] = vals[k]
					}
					rel.add(row...)
					return nil
				}
				rel.add(vals...)
				return nil
			})
			if err != nil {
				return err
			}
			if len(rel.vars) == 0 {
				if rel.n == 0 {
					st.dead = true
				}
				continue
			}
			if err := ex.merge(st, rel.distinct()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (ex *exec) bindSource(name string, x any) (*source, error) {
	if s, ok := x.(Source); ok {
		return &source{name: name, db: s}, nil
	}
	if str, ok := x.(string); ok {
		v, err := edn.ReadString(str)
		if err != nil {
			return nil, fmt.Errorf("%w: source %s: %w", ErrInvalidInput, name, err)
		}
		x = v
	}
	v, err := ex.env.FromEDN(x)
	if err != nil {
		return nil, fmt.Errorf("%w: source %s: %w", ErrInvalidInput, name, err)
	}
	tuples, ok := ex.env.Elems(v)
	if !ok {
		return nil, fmt.Errorf("%w: source %s must be a database or a collection of tuples", ErrInvalidInput, name)
	}
	s := &source{name: name}
	for _, t := range tuples {
		elems, ok := ex.env.Elems(t)
		if !ok || t.Kind() == datom.KindNil {
			return nil, fmt.Errorf("%w: source %s must be a collection of tuples, has %s", ErrInvalidInput, name, t)
		}
		s.coll = append(s.coll, elems)
	}
	return s, nil
}

// queryCache is a bounded LRU of parsed queries keyed by text.
type queryCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	q   *Query
}

// CacheSize is the number of parsed query texts kept.
const CacheSize = 1024

var cache = &queryCache{max: CacheSize, ll: list.New(), items: map[string]*list.Element{}}

func (c *queryCache) get(k string) (*Query, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).q, true
	}
	return nil, false
}

func (c *queryCache) put(k string, q *Query) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{k, q})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// Register makes a Go function callable from queries (and pull :xform)
// under name; see builtin.Register.
func Register(name string, fn func(args ...any) (any, error)) { builtin.Register(name, fn) }
