package query

import (
	"fmt"
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
// completion before it is negated (stratification). Iteration is naive
// (each round re-runs the bodies for every input); the rounds are as many
// as the longest derivation.

type table struct {
	name    string
	adorn   string // 'b' or 'f' per argument
	src     string
	bound   []int     // bound argument positions
	inputs  *relation // over "#i" for bound positions
	inSet   map[hkey]struct{}
	answers *relation // over "#0".."#n-1"
	ansSet  map[hkey]struct{}
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
	in := &relation{vars: inVars}
	proj := rel.project(boundVars).distinct()
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
	answers, err := ex.evalRule(c.name, string(adorn), src, boundPos, in)
	if err != nil {
		return err
	}
	// Map answers (positions) to the call's variables.
	var outVars []string
	for _, a := range c.args {
		if a.kind == tVar && !contains(outVars, a.name) {
			outVars = append(outVars, a.name)
		}
	}
	out := &relation{vars: outVars}
	vals := make([]datom.Value, len(outVars))
	for i := 0; i < answers.n; i++ {
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
	if len(boundVars) == 0 {
		return ex.merge(st, out.distinct())
	}
	joined, err := ex.join(rel, out.distinct())
	if err != nil {
		return err
	}
	return ex.merge(st, joined)
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
	cols := make([]int, len(in.vars))
	for i := range cols {
		cols[i] = i
	}
	var buf []byte
	for i := 0; i < in.n; i++ {
		var k hkey
		k, buf = keyAt(in.row(i), cols, buf)
		if len(cols) == 0 {
			k = hkey{}
		}
		if _, ok := t.inSet[k]; ok {
			continue
		}
		t.inSet[k] = struct{}{}
		t.inputs.data = append(t.inputs.data, in.row(i)...)
		t.inputs.n++
		changed = true
	}
	return changed
}

func (t *table) addAnswers(r *relation) bool {
	changed := false
	cols := make([]int, len(r.vars))
	for i := range cols {
		cols[i] = i
	}
	var buf []byte
	for i := 0; i < r.n; i++ {
		var k hkey
		k, buf = keyAt(r.row(i), cols, buf)
		if len(cols) == 0 {
			k = hkey{}
		}
		if _, ok := t.ansSet[k]; ok {
			continue
		}
		t.ansSet[k] = struct{}{}
		t.answers.data = append(t.answers.data, r.row(i)...)
		t.answers.n++
		changed = true
	}
	return changed
}

// evalRule returns the answers of rule name for the given inputs, as a
// relation over "#0".."#n-1".
func (ex *exec) evalRule(name, adorn, src string, boundPos []int, in *relation) (*relation, error) {
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
			inputs: &relation{vars: in.vars}, inSet: map[hkey]struct{}{},
			answers: &relation{vars: all}, ansSet: map[hkey]struct{}{}}
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
	// The answers for these inputs.
	if len(boundPos) == 0 {
		return t.answers, nil
	}
	j, err := ex.join(in, t.answers)
	if err != nil {
		return nil, err
	}
	return j.project(t.answers.vars), nil
}

func (ex *exec) fixpoint(sc *scope) error {
	for round := 0; sc.changed; round++ {
		sc.changed = false
		for i := 0; i < len(sc.order); i++ {
			t := sc.order[i]
			if t.inputs.n == 0 {
				continue
			}
			for _, r := range ex.rules[t.name] {
				res, err := ex.evalBody(r, t)
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

// evalBody runs one rule body for a table's inputs and returns the
// answers over "#0".."#n-1".
func (ex *exec) evalBody(r *rule, t *table) (*relation, error) {
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
	init := &relation{vars: vars}
	for i := 0; i < t.inputs.n; i++ {
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
	if err := ex.solve(st, r.body); err != nil {
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
	out := &relation{vars: t.answers.vars}
	for i := 0; i < res.n; i++ {
		row := res.row(i)
		for _, p := range r.params {
			out.data = append(out.data, row[indexOf(params, p)])
		}
		out.n++
	}
	return out, nil
}
