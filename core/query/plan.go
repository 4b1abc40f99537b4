package query

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// state is the result of the clauses solved so far: a list of relations
// over disjoint variable sets. Relations that share no variable stay
// apart, so a cartesian product happens only when a later clause (or the
// :find) needs variables from both.
type state struct {
	rels []*relation
	src  string // the default source ("$", or a rule call's source)
	dead bool   // some relation is empty: every further result is empty
}

func (st *state) bound(v string) bool {
	for _, r := range st.rels {
		if r.has(v) {
			return true
		}
	}
	return false
}

func (st *state) relOf(v string) *relation {
	for _, r := range st.rels {
		if r.has(v) {
			return r
		}
	}
	return nil
}

func (st *state) add(r *relation) {
	st.rels = append(st.rels, r)
	if r.n == 0 {
		st.dead = true
	}
}

func (st *state) remove(r *relation) {
	for i, x := range st.rels {
		if x == r {
			st.rels = append(st.rels[:i:i], st.rels[i+1:]...)
			return
		}
	}
}

// holding returns the state's relations that hold any of vars.
func (st *state) holding(vars []string) []*relation {
	var out []*relation
	for _, r := range st.rels {
		for _, v := range vars {
			if r.has(v) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// take removes and joins the relations holding any of vars; with none it
// returns the unit relation.
func (ex *exec) take(st *state, vars []string) (*relation, error) {
	picked := st.holding(vars)
	if len(picked) == 0 {
		return unitRelation(), nil
	}
	for _, r := range picked {
		st.remove(r)
	}
	slices.SortFunc(picked, func(a, b *relation) int { return a.n - b.n })
	acc := picked[0]
	for _, r := range picked[1:] {
		var err error
		if acc, err = ex.join(acc, r); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// merge adds r to the state, joining it with every relation it shares a
// variable with.
func (ex *exec) merge(st *state, r *relation) error {
	for {
		var other *relation
		for _, x := range st.rels {
			if v, _, _ := shared(r, x); len(v) > 0 {
				other = x
				break
			}
		}
		if other == nil {
			break
		}
		st.remove(other)
		var err error
		if r, err = ex.join(other, r); err != nil {
			return err
		}
	}
	st.add(r)
	return nil
}

// collect returns the relation over vars (a product of the relations
// holding them), or an empty one when the state is dead.
func (ex *exec) collect(st *state, vars []string) (*relation, error) {
	if st.dead {
		return &relation{vars: vars}, nil
	}
	for _, v := range vars {
		if !st.bound(v) {
			return nil, fmt.Errorf("%w: %s is not bound", ErrUnboundVariable, v)
		}
	}
	picked := st.holding(vars)
	if len(picked) == 1 {
		return picked[0].project(vars), nil
	}
	acc := unitRelation()
	for _, r := range picked {
		p := r.project(intersect(r.vars, vars))
		var err error
		if acc, err = ex.join(acc, p); err != nil {
			return nil, err
		}
	}
	return acc.project(vars), nil
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// solve runs clauses against st. The order is chosen as it goes: filters
// and function calls as soon as their inputs are bound, negations once
// every variable they share with the rest is bound, and among data
// patterns, or and rule calls the cheapest one connected to what is
// already bound (estimated with Source.Count); an unconnected clause only
// starts a new relation when nothing connected is left.
//
// keep names the variables the caller reads from st afterwards; with the
// variables of the clauses still pending they are what a clause must
// carry forward (see needed).
func (ex *exec) solve(st *state, clauses []clause, keep []string) error {
	prevKeep := ex.keep
	ex.keep = keep
	defer func() { ex.keep = prevKeep }()
	pending := slices.Clone(clauses)
	for len(pending) > 0 {
		if st.dead {
			return nil
		}
		if err := ex.ctx.Err(); err != nil {
			return err
		}
		i, err := ex.pick(st, pending)
		if err != nil {
			return err
		}
		c := pending[i]
		pending = slices.Delete(pending, i, i+1)
		prev := ex.pending
		ex.pending = pending
		err = ex.apply(st, c)
		ex.pending = prev
		if err != nil {
			return err
		}
	}
	return nil
}

// needed returns the variables still needed while a clause is applied:
// those the solve's caller reads and those of the pending clauses. A
// pattern resolved by probing drops the other columns of the relation it
// extends (a projection fused into the probe; the final set is the same).
//
// The variables of the state's other relations are needed too: the
// clause's result is joined with them on those.
func (ex *exec) needed(st *state) []string {
	out := slices.Clone(ex.keep)
	for _, c := range ex.pending {
		out = clauseVars(c, out)
	}
	for _, r := range st.rels {
		out = append(out, r.vars...)
	}
	return out
}

func (ex *exec) apply(st *state, c clause) error {
	switch t := c.(type) {
	case *patternClause:
		return ex.applyPattern(st, t)
	case *fnClause:
		return ex.applyFn(st, t)
	case *notClause:
		return ex.applyNot(st, t)
	case *orClause:
		return ex.applyOr(st, t)
	case *ruleCall:
		return ex.applyRule(st, t)
	}
	return fmt.Errorf("%w: unknown clause %s", ErrSyntax, c.form())
}

// produces returns the variables a clause can bind.
func produces(c clause) []string {
	switch t := c.(type) {
	case *patternClause, *ruleCall:
		return clauseVars(t, nil)
	case *orClause:
		return t.join
	case *fnClause:
		if t.out != nil {
			return t.out.vars(nil)
		}
	}
	return nil
}

// outJoins reports whether a function binds a variable that is already
// bound by a relation none of its inputs are in: its result would be
// joined with that relation, so it waits for a clause connecting them.
func outJoins(st *state, c *fnClause) bool {
	if c.out == nil {
		return false
	}
	inputs := fnInputs(c)
	for _, v := range c.out.vars(nil) {
		r := st.relOf(v)
		if r == nil {
			continue
		}
		connected := false
		for _, in := range inputs {
			if r.has(in) {
				connected = true
				break
			}
		}
		if !connected {
			return true
		}
	}
	return false
}

func allBound(st *state, vars []string) bool {
	for _, v := range vars {
		if !st.bound(v) {
			return false
		}
	}
	return true
}

func fnInputs(c *fnClause) []string {
	var vs []string
	if c.fn.kind == tVar {
		vs = append(vs, c.fn.name)
	}
	for _, a := range c.args {
		if a.kind == tVar {
			vs = append(vs, a.name)
		}
	}
	return vs
}

const unconnectedPenalty = 1e12

func (ex *exec) pick(st *state, pending []clause) (int, error) {
	// Filters, function calls and negations that are ready go first: they
	// only shrink (or extend by a computed column) what is bound.
	for i, c := range pending {
		switch t := c.(type) {
		case *fnClause:
			if allBound(st, fnInputs(t)) && !outJoins(st, t) {
				return i, nil
			}
		case *notClause:
			if ex.notReady(st, t, pending, i) {
				return i, nil
			}
		}
	}
	best, bestCost := -1, math.Inf(1)
	for i, c := range pending {
		var cost float64
		var ok bool
		var err error
		switch t := c.(type) {
		case *patternClause:
			cost, err = ex.patternCost(st, t)
			ok = true
		case *orClause:
			if allBound(st, t.required) {
				cost, ok = ex.joinCost(st, t.join), true
				if cost == unconnectedPenalty {
					cost = ex.orCost(st, t)
				}
			}
		case *ruleCall:
			cost, ok = ex.ruleCost(st, t)
		}
		if err != nil {
			return 0, err
		}
		if ok && cost < bestCost {
			best, bestCost = i, cost
		}
	}
	if best >= 0 {
		return best, nil
	}
	// Functions whose results join another relation, when nothing else
	// can run.
	for i, c := range pending {
		if t, ok := c.(*fnClause); ok && allBound(st, fnInputs(t)) {
			return i, nil
		}
	}
	// Nothing can run: the first blocked clause names what is missing.
	for _, c := range pending {
		switch t := c.(type) {
		case *fnClause:
			return 0, unboundErr(st, fnInputs(t), c)
		case *notClause:
			return 0, unboundErr(st, t.join, c)
		case *orClause:
			return 0, unboundErr(st, t.required, c)
		case *ruleCall:
			return 0, unboundErr(st, clauseVars(t, nil), c)
		}
	}
	return 0, fmt.Errorf("%w: cannot order clauses", ErrUnboundVariable)
}

func unboundErr(st *state, vars []string, c clause) error {
	var missing []string
	for _, v := range vars {
		if !st.bound(v) {
			missing = append(missing, v)
		}
	}
	return fmt.Errorf("%w: Insufficient bindings: %s not bound in %s", ErrUnboundVariable,
		strings.Join(uniq(missing), " "), c.form())
}

// notReady reports whether a negation can run: not-join once its variables
// are bound; not once every variable it shares with a clause still to run
// (or already bound) is bound.
func (ex *exec) notReady(st *state, c *notClause, pending []clause, self int) bool {
	if c.join != nil {
		return allBound(st, c.join)
	}
	for _, v := range uniq(clausesVars(c.body)) {
		if st.bound(v) {
			continue
		}
		for j, o := range pending {
			if j != self && slices.Contains(produces(o), v) {
				return false
			}
		}
	}
	return true
}

// joinCost estimates a clause that joins on vars: the rows of the smallest
// relation holding one of them, or a large penalty when none is bound.
func (ex *exec) joinCost(st *state, vars []string) float64 {
	cost := math.Inf(1)
	for _, v := range vars {
		if r := st.relOf(v); r != nil && float64(r.n) < cost {
			cost = float64(r.n)
		}
	}
	if math.IsInf(cost, 1) {
		return unconnectedPenalty
	}
	return cost
}

// orCost estimates an or that shares no bound variable: the sum of its
// branches' estimates, each the smallest scan among its data patterns
// halved per predicate, priced like an unconnected pattern; a branch
// without data patterns makes it unknown (the large penalty).
func (ex *exec) orCost(st *state, c *orClause) float64 {
	total := 0.0
	for _, b := range c.branches {
		best := math.Inf(1)
		preds := 0
		for _, cl := range b {
			switch t := cl.(type) {
			case *patternClause:
				srcName := t.src
				if srcName == "" {
					srcName = c.src
				}
				s, err := ex.sourceOf(st, srcName)
				if err != nil || s.db == nil {
					continue
				}
				r, err := ex.resolve(t, s)
				if err != nil {
					continue
				}
				if n := float64(ex.scanCount(r, s)); n < best {
					best = n
				}
			case *fnClause:
				if t.out == nil {
					preds++
				}
			}
		}
		if math.IsInf(best, 1) {
			return unconnectedPenalty
		}
		total += best / math.Pow(2, float64(preds))
	}
	return total + unconnectedPenalty/1e6
}

func (ex *exec) ruleCost(st *state, c *ruleCall) (float64, bool) {
	rules := ex.rules[c.name]
	if len(rules) > 0 {
		req := rules[0].required
		for i := 0; i < req && i < len(c.args); i++ {
			if a := c.args[i]; a.kind == tVar && !st.bound(a.name) {
				return 0, false
			}
		}
	}
	vars := clauseVars(c, nil)
	cost := ex.joinCost(st, vars)
	if cost == unconnectedPenalty {
		// constants in the call still make it selective
		for _, a := range c.args {
			if a.kind == tConst {
				return unconnectedPenalty / 2, true
			}
		}
	}
	return cost, true
}
