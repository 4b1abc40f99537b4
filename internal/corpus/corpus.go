// Package corpus reads the DataScript-derived conformance corpus
// (tests/conformance/testdata/cases.jsonl) and prints results by its
// canonical rules, for the conformance runner and the packages that test
// against the corpus.
package corpus

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/cairn-db/cairn/core/edn"
)

// Case is one line of the corpus (see its README for the fields).
type Case struct {
	ID            string   `json:"id"`
	Kind          string   `json:"kind"`
	Schema        string   `json:"schema"`
	Txs           []string `json:"txs"`
	Query         string   `json:"query"`
	Inputs        []string `json:"inputs"`
	Pattern       string   `json:"pattern"`
	Eid           string   `json:"eid"`
	Eids          string   `json:"eids"`
	Tx            string   `json:"tx"`
	Expect        *string  `json:"expect"`
	Error         bool     `json:"error"`
	ErrorContains string   `json:"error_contains"`
	Note          string   `json:"note"`
}

// Read returns every case of a JSONL corpus file, in order.
func Read(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// CanonicalResult prints a query result canonically; relations and
// collections (sorted true) are sorted by the canonical text of their
// elements, the corpus rule.
func CanonicalResult(res any, sorted bool) string {
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

// SortedShape reports whether a query's find spec is a relation or a
// collection (printed sorted) rather than a scalar or a tuple.
func SortedShape(q string) bool {
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

// Reader is what the read cases run against: a database value's query,
// pull and pull-many.
type Reader interface {
	Q(ctx context.Context, query any, inputs ...any) (any, error)
	Pull(ctx context.Context, pattern any, eid any) (any, error)
	PullMany(ctx context.Context, pattern any, eids any) (any, error)
}

// RunRead runs a query, pull or pull-many case against r and prints the
// result by the corpus's canonical rules.
func RunRead(ctx context.Context, r Reader, c Case) (string, error) {
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
		res, err := r.Q(ctx, c.Query, inputs...)
		if err != nil {
			return "", err
		}
		return CanonicalResult(res, SortedShape(c.Query)), nil
	case "pull":
		eid, err := edn.ReadString(c.Eid)
		if err != nil {
			return "", err
		}
		res, err := r.Pull(ctx, c.Pattern, eid)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	case "pull-many":
		eids, err := edn.ReadString(c.Eids)
		if err != nil {
			return "", err
		}
		res, err := r.PullMany(ctx, c.Pattern, eids)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	}
	return "", fmt.Errorf("corpus: %s is not a read case (%s)", c.ID, c.Kind)
}
