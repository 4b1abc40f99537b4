package main

import (
	"context"
	"slices"
	"strings"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
)

// runRead runs a query, pull or pull-many case on the real engine.
func runRead(ctx context.Context, db *core.DB, c Case) (string, error) {
	switch c.Kind {
	case "query":
		var inputs []any
		for _, in := range c.Inputs {
			v, err := edn.ReadString(in)
			if err != nil {
				return "", err
			}
			inputs = append(inputs, v)
		}
		res, err := db.Q(ctx, c.Query, inputs...)
		if err != nil {
			return "", err
		}
		return canonicalResult(res, sortedShape(c.Query)), nil
	case "pull":
		eid, err := edn.ReadString(c.Eid)
		if err != nil {
			return "", err
		}
		res, err := db.Pull(ctx, c.Pattern, eid)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	default: // pull-many
		eids, err := edn.ReadString(c.Eids)
		if err != nil {
			return "", err
		}
		res, err := db.PullMany(ctx, c.Pattern, eids)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	}
}

// canonicalResult prints a result canonically; relations and collections
// are sorted by the canonical text of their elements (the corpus rule).
func canonicalResult(res any, sorted bool) string {
	if vec, ok := res.(edn.Vector); ok && sorted {
		parts := make([]string, len(vec))
		for i, x := range vec {
			parts[i] = edn.Canonical(x)
		}
		slices.Sort(parts)
		return "[" + strings.Join(parts, " ") + "]"
	}
	return edn.Canonical(res)
}

// sortedShape reports whether a query's find spec is a relation or a
// collection (printed sorted) rather than a scalar or a tuple.
func sortedShape(q string) bool {
	v, err := edn.ReadString(q)
	if err != nil {
		return false
	}
	var find []any
	switch t := v.(type) {
	case edn.Vector:
		in := false
		for _, x := range t {
			if k, ok := x.(edn.Keyword); ok {
				in = k.Name == "find"
				continue
			}
			if in {
				find = append(find, x)
			}
		}
	case *edn.Map:
		f, _ := t.Get(edn.Keyword{Name: "find"})
		find, _ = f.(edn.Vector)
	}
	if len(find) == 2 {
		if s, ok := find[1].(edn.Symbol); ok && s.Name == "." {
			return false
		}
	}
	if len(find) == 1 {
		if v, ok := find[0].(edn.Vector); ok {
			return len(v) == 2 && v[1] == edn.Symbol{Name: "..."}
		}
	}
	return true
}
