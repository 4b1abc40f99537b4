package query_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/core/query"
	"github.com/cairn-db/cairn/internal/corpus"
)

const peopleSchema = `{:name {:db/unique :db.unique/identity} :email {:db/unique :db.unique/value} :friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many} :spouse {:db/valueType :db.type/ref} :tags {:db/cardinality :db.cardinality/many}}`

var peopleTxs = []string{
	`[{:db/id -1 :name "Ivan" :age 30 :sex :male :email "ivan@example.com" :tags ["chess" "dev"] :active true} {:db/id -2 :name "Petr" :age 25 :sex :male :tags ["dev"] :active false} {:db/id -3 :name "Oleg" :age 40 :sex :male :salary 1500.5} {:db/id -4 :name "Anna" :age 25 :sex :female :email "anna@example.com" :tags ["chess" "music"]} {:db/id -5 :name "Maria" :age 35 :sex :female :nickname "Masha" :salary 2200.25}]`,
	`[[:db/add 1 :friend 2] [:db/add 1 :friend 3] [:db/add 2 :friend 3] [:db/add 3 :friend 4] [:db/add 4 :friend 1] [:db/add 5 :spouse 3] [:db/add 3 :spouse 5]]`,
}

func peopleDB(t testing.TB) *memDB {
	t.Helper()
	db, err := buildDB(peopleSchema, peopleTxs)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// qcase is one row of a data-driven query test: the query, its inputs
// after the db, and the canonical result (relations and collections
// sorted) or, with err set, the error it must wrap.
type qcase struct {
	name   string
	query  string
	inputs []any
	want   string
	err    error
}

func runQCases(t *testing.T, db query.Source, cases []qcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := query.Q(context.Background(), c.query, append([]any{db}, c.inputs...)...)
			if c.err != nil {
				if err == nil {
					t.Fatalf("want error %v, got %s", c.err, corpus.CanonicalResult(res, true))
				}
				if !errors.Is(err, c.err) {
					t.Fatalf("want error %v, got %v", c.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if got := corpus.CanonicalResult(res, corpus.SortedShape(c.query)); got != c.want {
				t.Fatalf("%s\n got: %s\nwant: %s", c.query, got, c.want)
			}
		})
	}
}
