package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairn-db/cairn/core"
)

// Schema is the dataset's schema (as core's benchSchema and
// bench/datascript/query.js).
const Schema = `{:name {:db/unique :db.unique/identity} :city {:db/index true} :friend {:db/valueType :db.type/ref}}`

// LoadTx is the dataset as one transaction, the entity maps of core's
// load20k: n entities, friend the next one (a ring).
func LoadTx(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`,
			i, i, i%90, i%10, i*7%1000, (i+1)%n)
	}
	b.WriteString("]")
	return b.String()
}

// Rules is the depth-bounded recursive rule: (reach ?a ?b ?d) holds when
// ?b is 1 to ?d friend hops from ?a.
const Rules = `[[(reach ?a ?b ?d) [?a :friend ?b]] [(reach ?a ?b ?d) [(> ?d 1)] [?a :friend ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]`

// Shape is one benchmarked query or pull; keep in step with
// bench/datascript/query.js (and core/query_bench_test.go).
type Shape struct {
	Name, Desc string
	Pull       bool // a single-entity pull: more runs
	Run        func(ctx context.Context) (any, error)
}

// Shapes returns the shapes bound to db (entity ids are resolved here,
// outside the timed runs, as the node script does).
func Shapes(ctx context.Context, db *core.DB, n int) ([]Shape, error) {
	byName := func(name string) (any, error) {
		return db.Q(ctx, `[:find ?e . :in $ ?n :where [?e :name ?n]]`, name)
	}
	pullEid, err := byName("user777")
	if err != nil {
		return nil, err
	}
	ids := make([]any, 0, 2000)
	for i := 0; i < min(2000, n); i++ {
		e, err := byName(fmt.Sprintf("user%d", i))
		if err != nil {
			return nil, err
		}
		ids = append(ids, e)
	}
	q := func(name, query string, inputs ...any) Shape {
		return Shape{Name: name, Desc: query, Run: func(ctx context.Context) (any, error) { return db.Q(ctx, query, inputs...) }}
	}
	return []Shape{
		q("join2", `[:find ?e ?s :where [?e :age 42] [?e :score ?s]]`),
		q("join3-ref-bound", `[:find ?n ?fn :in $ ?c :where [?e :city ?c] [?e :friend ?f] [?f :name ?fn] [?e :name ?n]]`, "city3"),
		q("predicate", `[:find ?n :in $ ?min :where [?e :age ?a] [(> ?a ?min)] [?e :name ?n]]`, int64(70)),
		q("count-by-city", `[:find ?c (count ?e) :where [?e :city ?c]]`),
		q("rule-depth3", `[:find ?e ?f :in $ % :where [?e :age 42] (reach ?e ?f 3)]`, Rules),
		q("not-join", `[:find ?e :in $ ?c :where [?e :city ?c] (not-join [?e] [?e :friend ?f] [?f :score ?s] [(< ?s 500)])]`, "city3"),
		q("or-join", `[:find ?n :where (or-join [?e] [?e :city "city1"] (and [?e :age ?a] [(< ?a 5)])) [?e :name ?n]]`),
		{Name: "pull-nested", Desc: `pull [:name :age {:friend [:name]}] of one entity`, Pull: true,
			Run: func(ctx context.Context) (any, error) { return db.Pull(ctx, `[:name :age {:friend [:name]}]`, pullEid) }},
		{Name: "pull-many-2000", Desc: `pull-many [:name :age :city :score] of 2,000 ids`,
			Run: func(ctx context.Context) (any, error) { return db.PullMany(ctx, `[:name :age :city :score]`, ids) }},
	}, nil
}
