package query_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/core/query"
)

// FuzzParseQuery parses arbitrary query text and, when it parses, runs it
// against a small database: neither may panic, and a run must end.
func FuzzParseQuery(f *testing.F) {
	for _, c := range loadCases(f) {
		if c.Query != "" {
			f.Add(c.Query)
		}
	}
	f.Add(`[:find ?x :in $ % :where (r ?x)]`)
	db := peopleDB(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := query.Parse(s)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200_000_000)
		defer cancel()
		if _, err := query.Q(ctx, q, db); errors.Is(err, query.ErrInternal) {
			t.Fatal(err)
		}
	})
}
