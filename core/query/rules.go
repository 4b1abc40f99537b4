package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
)

// Rules are evaluated top-down with tables (query-subquery style): a call
// passes the distinct values of its bound arguments as the input of a
// table keyed by rule name, which arguments are bound (the adornment) and
// source. Bodies run for the table's inputs; a recursive call inside a
// body adds its own inputs to a table of the same scope and reads that
// table's answers so far. The scope iterates every table until no table
// gains an input or an answer: the least fixpoint, computed only for the
// inputs the query can reach. This is what makes a bound-argument
// recursion (reach from one node, to a bounded depth) cost what it
// touches, where bottom-up evaluation would compute the whole closure.
//
// A negation starts a fresh scope, so a rule called under not runs to
// completion before it is negated (stratification). Iteration is
// semi-naive where a body has at most one rule call (see evalSemi): each
// round runs the bodies for the inputs added since the last round, and,
// for the older inputs, joins only the called table's new answers, in
// place of the call. Bodies with several calls re-run naively. Entity
// lookups repeat from round to round, so they are remembered for the run
// (eaCache). The rounds are as many as the longest derivation.

type table struct {
	name    string
	adorn   string // 'b' or 'f' per argument
	src     string
	bound   []int      // bound argument positions
	inputs  *relation  // over "#i" for bound positions
	inSet   *hashIndex // over inputs, all columns
	answers *relation  // over "#0".."#n-1"
	ansSet  *hashIndex // over answers, all columns
	bodies  []*bodyState
}

type scope struct {
	tables  map[string]*table
	order   []*table
	changed bool
}

func posVar(i int) string { return "#" + strconv.Itoa(i) }

func (ex *exec) applyRule(st *state, c *ruleCall) error {
	rules, ok := ex.rules[c.name]
	if !ok {
		return fmt.Errorf("%w: unknown rule '%s in %s", ErrUnknownFunction, c.name, c.form())
	}
	n := len(rules[0].params)
	if len(c.args) != n {
		return fmt.Errorf("%w: rule %s takes %d arguments in %s", ErrSyntax, c.name, n, c.form())
	}
	src := st.src
	if c.src != "" {
		src = c.src
	}
	// Bound positions: constants and bound variables.
	var boundVars []string
	adorn := make([]byte, n)
	var boundPos []int
	for i, a := range c.args {
		adorn[i] = 'f'
		switch {
		case a.kind == tConst:
			adorn[i] = 'b'
		case a.kind == tVar && st.bound(a.name):
			adorn[i] = 'b'
			if !contains(boundVars, a.name) {
				boundVars = append(boundVars, a.name)
			}
		}
		if adorn[i] == 'b' {
			boundPos = append(boundPos, i)
		}
	}
	for i := 0; i < rules[0].required; i++ {
		if adorn[i] != 'b' {
			return unboundErr(st, []string{c.args[i].name}, c)
		}
	}
	rel, err := ex.take(st, boundVars)
	if err != nil {
		return err
	}
	// The input relation over the bound positions.
	inVars := make([]string, len(boundPos))
	for k, p := range boundPos {
		inVars[k] = posVar(p)
	}
	proj := rel.project(boundVars).distinct()
	in := &relation{vars: inVars, data: make([]datom.Value, 0, proj.n*len(inVars))}
	for i := 0; i < proj.n; i++ {
		row := proj.row(i)
		for _, p := range boundPos {
			a := c.args[p]
			if a.kind == tConst {
				in.data = append(in.data, a.val)
			} else {
				in.data = append(in.data, row[proj.col(a.name)])
			}
		}
		in.n++
	}
	answers, err := ex.evalRule(c, string(adorn), src, boundPos, in)
	if err != nil {
		return err
	}
	out := callRows(c, answers, 0)
	if len(boundVars) == 0 {
		return ex.merge(st, out.distinct())
	}
	joined, err := ex.join(rel, out.distinct())
	if err != nil {
		return err
	}
	return ex.merge(st, joined)
}

// callRows maps a table's answers from row `from` on (positions) to the
// call's variables: constants filter, a repeated variable unifies.
func callRows(c *ruleCall, answers *relation, from int) *relation {
	var outVars []string
	for _, a := range c.args {
		if a.kind == tVar && !contains(outVars, a.name) {
			outVars = append(outVars, a.name)
		}
	}
	out := &relation{vars: outVars, data: make([]datom.Value, 0, (answers.n-from)*len(outVars))}
	vals := make([]datom.Value, len(outVars))
	for i := from; i < answers.n; i++ {
		row := answers.row(i)
		ok := true
		set := uint64(0)
		for p, a := range c.args {
			switch a.kind {
			case tConst:
				ok = row[p].Equal(a.val)
			case tVar:
				j := indexOf(outVars, a.name)
				if set&(1<<j) != 0 {
					ok = vals[j].Equal(row[p])
				} else {
					vals[j] = row[p]
					set |= 1 << j
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			out.data = append(out.data, vals...)
			out.n++
		}
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func (t *table) addInputs(in *relation) bool {
	changed := false
	cols := allCols(len(in.vars))
	for i := 0; i < in.n; i++ {
		if _, added := t.inSet.addDistinct(in.row(i), cols); added {
			changed = true
		}
	}
	return changed
}

func (t *table) addAnswers(r *relation) bool {
	changed := false
	cols := allCols(len(r.vars))
	for i := 0; i < r.n; i++ {
		if _, added := t.ansSet.addDistinct(r.row(i), cols); added {
			changed = true
		}
	}
	return changed
}

// evalRule returns the answers of rule name for the given inputs, as a
// relation over "#0".."#n-1".
func (ex *exec) evalRule(c *ruleCall, adorn, src string, boundPos []int, in *relation) (*relation, error) {
	name := c.name
	n := len(adorn)
	key := name + "\x00" + adorn + "\x00" + src
	var sc *scope
	active := len(ex.scopes) > 0 && ex.scopes[len(ex.scopes)-1] != nil
	if active {
		sc = ex.scopes[len(ex.scopes)-1]
	} else {
		sc = &scope{tables: map[string]*table{}}
	}
	t, ok := sc.tables[key]
	if !ok {
		all := make([]string, n)
		for i := range all {
			all[i] = posVar(i)
		}
		t = &table{name: name, adorn: adorn, src: src, bound: boundPos,
			inputs: &relation{vars: in.vars}, answers: &relation{vars: all}}
		t.inSet = newHashIndex(t.inputs, allCols(len(in.vars)), in.n)
		t.ansSet = newHashIndex(t.answers, allCols(n), 16)
		sc.tables[key] = t
		sc.order = append(sc.order, t)
		sc.changed = true
	}
	if t.addInputs(in) {
		sc.changed = true
	}
	if !active {
		ex.scopes = append(ex.scopes, sc)
		err := ex.fixpoint(sc)
		ex.scopes = ex.scopes[:len(ex.scopes)-1]
		if err != nil {
			return nil, err
		}
	}
	// The answers for these inputs: all of them, or, when the body being
	// evaluated semi-naively reads only what is new, those added since it
	// last read this table.
	answers := t.answers
	if d := ex.delta; active && d != nil && d.call == c {
		if d.old {
			from := d.seen[t]
			w := len(answers.vars)
			answers = &relation{vars: answers.vars, data: answers.data[from*w : answers.n*w], n: answers.n - from, set: answers.set}
		}
		d.read[t] = t.answers.n
	}
	if len(boundPos) == 0 {
		return answers, nil
	}
	j, err := ex.join(in, answers)
	if err != nil {
		return nil, err
	}
	return j.project(t.answers.vars), nil
}

func (ex *exec) fixpoint(sc *scope) error {
	ex.ruleDepth++
	defer func() { ex.ruleDepth-- }()
	for round := 0; sc.changed; round++ {
		sc.changed = false
		for i := 0; i < len(sc.order); i++ {
			t := sc.order[i]
			if t.inputs.n == 0 {
				continue
			}
			for ri, r := range ex.rules[t.name] {
				res, err := ex.evalSemi(r, ri, t)
				if err != nil {
					return err
				}
				if t.addAnswers(res) {
					sc.changed = true
				}
			}
		}
		if err := ex.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// bodyState is what a table remembers of its last evaluation of one rule
// body, for semi-naive evaluation: the inputs evaluated, and how many
// answers of the called table they were evaluated against.
type bodyState struct {
	inputs int
	seen   map[*table]int
}

// delta tells the one rule call of a body being evaluated which answers
// to read: all (new inputs) or those not seen before (old inputs).
type delta struct {
	call *ruleCall
	old  bool
	seen map[*table]int
	read map[*table]int // answers count of each table read
}

// semiCall returns the body's rule call when the body can be evaluated
// semi-naively: no rule call at all (nil, true), or exactly one, at the
// top level (not inside or); rule calls under not run in their own scope.
func semiCall(body []clause) (*ruleCall, bool) {
	var call *ruleCall
	for _, c := range body {
		switch t := c.(type) {
		case *ruleCall:
			if call != nil {
				return nil, false
			}
			call = t
		case *orClause:
			for _, b := range t.branches {
				if hasRuleCall(b) {
					return nil, false
				}
			}
		}
	}
	return call, true
}

func hasRuleCall(body []clause) bool {
	for _, c := range body {
		switch t := c.(type) {
		case *ruleCall:
			return true
		case *orClause:
			for _, b := range t.branches {
				if hasRuleCall(b) {
					return true
				}
			}
		}
	}
	return false
}

// evalSemi evaluates body ri of t semi-naively where it can: bodies are
// monotone, so the answers not found before come from the inputs added
// since the last evaluation (against all answers of the called table) and
// from the older inputs against the called table's answers added since
// (its delta). A body with several rule calls is evaluated for all inputs
// against all answers (naively).
func (ex *exec) evalSemi(r *rule, ri int, t *table) (*relation, error) {
	for len(t.bodies) <= ri {
		t.bodies = append(t.bodies, &bodyState{})
	}
	bs := t.bodies[ri]
	n := t.inputs.n
	call, ok := semiCall(r.body)
	if !ok {
		return ex.evalBody(r, t, 0, n)
	}
	prev := ex.delta
	defer func() { ex.delta = prev }()
	read := map[*table]int{}
	out := &relation{vars: t.answers.vars}
	if n > bs.inputs {
		ex.delta = &delta{call: call, read: read}
		res, err := ex.evalBody(r, t, bs.inputs, n)
		if err != nil {
			return nil, err
		}
		out = out.union(res)
	}
	if call != nil && bs.inputs > 0 {
		var res *relation
		var err error
		if len(bs.seen) == 1 {
			// The old inputs asked the one table they read before; its
			// answers since then stand in for the call: the body runs
			// without it, from those answers, so the work follows the
			// delta rather than all the inputs.
			var ct *table
			var from int
			for k, v := range bs.seen {
				ct, from = k, v
			}
			read[ct] = ct.answers.n
			if ct.answers.n == from {
				res = &relation{}
			} else {
				ex.delta = nil
				body := make([]clause, 0, len(r.body)-1)
				for _, c := range r.body {
					if c != clause(call) {
						body = append(body, c)
					}
				}
				res, err = ex.evalBodyWith(r, t, 0, bs.inputs, body, callRows(call, ct.answers, from))
			}
		} else {
			ex.delta = &delta{call: call, old: true, seen: bs.seen, read: read}
			res, err = ex.evalBody(r, t, 0, bs.inputs)
		}
		if err != nil {
			return nil, err
		}
		out = out.union(res)
	}
	switch len(read) {
	case 0: // the call was not reached: the results do not depend on it
		bs.inputs = n
	case 1:
		bs.inputs, bs.seen = n, read
	default: // different tables read (plans differ): start over
		bs.inputs, bs.seen = 0, nil
	}
	return out, nil
}

// evalBody runs one rule body for a table's inputs from..to-1 and returns
// the answers over "#0".."#n-1".
func (ex *exec) evalBody(r *rule, t *table, from, to int) (*relation, error) {
	return ex.evalBodyWith(r, t, from, to, r.body, nil)
}

// evalBodyWith is evalBody over the given clauses, with extra (when not
// nil) joined into the state first.
func (ex *exec) evalBodyWith(r *rule, t *table, from, to int, body []clause, extra *relation) (*relation, error) {
	// Rename the input columns to the rule's parameters; a parameter
	// repeated in the head must get equal values.
	var vars []string
	var cols []int
	var dupChecks [][2]int
	for k, p := range t.bound {
		v := r.params[p]
		if j := indexOf(vars, v); j >= 0 {
			dupChecks = append(dupChecks, [2]int{cols[j], k})
			continue
		}
		vars = append(vars, v)
		cols = append(cols, k)
	}
	init := &relation{vars: vars, data: make([]datom.Value, 0, (to-from)*len(vars))}
	for i := from; i < to; i++ {
		row := t.inputs.row(i)
		ok := true
		for _, d := range dupChecks {
			if !row[d[0]].Equal(row[d[1]]) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		for _, c := range cols {
			init.data = append(init.data, row[c])
		}
		init.n++
	}
	st := &state{src: t.src}
	if len(vars) > 0 {
		st.add(init)
	}
	if extra != nil {
		if len(extra.vars) == 0 {
			if extra.n == 0 {
				st.dead = true
			}
		} else if err := ex.merge(st, extra.distinct()); err != nil {
			return nil, err
		}
	}
	if err := ex.solve(st, body, r.params); err != nil {
		return nil, err
	}
	params := uniq(r.params)
	if !st.dead {
		for _, p := range params {
			if !st.bound(p) {
				return nil, fmt.Errorf("%w: Insufficient bindings: %s not bound in rule %s", ErrUnboundVariable,
					p, strings.TrimSpace(r.text))
			}
		}
	}
	res, err := ex.collect(st, params)
	if err != nil {
		return nil, err
	}
	if slices.Equal(params, r.params) {
		return &relation{vars: t.answers.vars, data: res.data, n: res.n, set: res.set}, nil
	}
	pcols := make([]int, len(r.params))
	for k, p := range r.params {
		pcols[k] = indexOf(params, p)
	}
	out := &relation{vars: t.answers.vars, data: make([]datom.Value, 0, res.n*len(pcols))}
	for i := 0; i < res.n; i++ {
		row := res.row(i)
		for _, c := range pcols {
			out.data = append(out.data, row[c])
		}
		out.n++
	}
	return out, nil
}
