package query

import (
	"fmt"
	"strings"
)

// applyNot removes the rows for which the body holds. The body runs on
// the distinct values of the variables it shares with what is bound, so
// its cost follows the bound relation, not the database.
func (ex *exec) applyNot(st *state, c *notClause) error {
	var vars []string
	if c.join != nil {
		vars = uniq(c.join)
		if !allBound(st, vars) {
			return unboundErr(st, vars, c)
		}
	} else {
		body := uniq(clausesVars(c.body))
		for _, v := range body {
			if st.bound(v) {
				vars = append(vars, v)
			}
		}
		if len(vars) == 0 {
			return fmt.Errorf("%w: Insufficient bindings: none of %s is bound in %s", ErrUnboundVariable,
				strings.Join(body, " "), c.form())
		}
	}
	rel, err := ex.take(st, vars)
	if err != nil {
		return err
	}
	in := rel.project(vars).distinct()
	sub := &state{src: st.src}
	if c.src != "" {
		sub.src = c.src
	}
	sub.add(in)
	// Rule calls inside a negation run to their own fixpoint: they must
	// not read the partial tables of an enclosing recursion.
	ex.scopes = append(ex.scopes, nil)
	err = ex.solve(sub, c.body, vars)
	ex.scopes = ex.scopes[:len(ex.scopes)-1]
	if err != nil {
		return err
	}
	matched, err := ex.collect(sub, vars)
	if err != nil {
		return err
	}
	st.add(rel.subtract(matched))
	return nil
}

// applyOr solves each branch on the distinct values of the bound join
// variables and joins the union of the branches back.
func (ex *exec) applyOr(st *state, c *orClause) error {
	if !allBound(st, c.required) {
		return unboundErr(st, c.required, c)
	}
	var boundVars []string
	for _, v := range c.join {
		if st.bound(v) {
			boundVars = append(boundVars, v)
		}
	}
	rel, err := ex.take(st, boundVars)
	if err != nil {
		return err
	}
	in := rel.project(boundVars).distinct()
	union := &relation{vars: c.join}
	for _, branch := range c.branches {
		sub := &state{src: st.src}
		if c.src != "" {
			sub.src = c.src
		}
		if len(boundVars) > 0 {
			sub.add(in)
		}
		if err := ex.solve(sub, branch, c.join); err != nil {
			return err
		}
		if !sub.dead {
			for _, v := range c.join {
				if !sub.bound(v) {
					return fmt.Errorf("%w: Insufficient bindings: %s not bound in branch of %s", ErrUnboundVariable, v, c.form())
				}
			}
		}
		res, err := ex.collect(sub, c.join)
		if err != nil {
			return err
		}
		union = union.union(res)
	}
	union = union.distinct()
	if len(boundVars) == 0 {
		return ex.merge(st, union)
	}
	out, err := ex.join(rel, union)
	if err != nil {
		return err
	}
	return ex.merge(st, out)
}
