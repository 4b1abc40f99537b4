package query_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/query"
	"github.com/cairn-db/cairn/core/schema"
)

const benchN = 20_000

var cities = []string{"Berlin", "Paris", "London", "Rome", "Madrid", "Oslo", "Vienna", "Prague", "Lisbon", "Dublin"}

var (
	benchOnce sync.Once
	benchDB   *memDB
)

// benchData is the dataset: 20k entities with a unique name, age,
// an indexed city, score and one friend ref (100k datoms).
func benchData(b testing.TB) *memDB {
	benchOnce.Do(func() {
		s, err := schema.FromEDN(mustMap(`{:name {:db/unique :db.unique/identity} :city {:db/index true}
			:friend {:db/valueType :db.type/ref}}`), schema.FlexRead)
		if err != nil {
			panic(err)
		}
		db := newMemDB(s)
		tx := datom.Tx0 + 1
		for i := 1; i <= benchN; i++ {
			e := int64(i)
			friend := int64((i*7919)%benchN + 1)
			db.current = append(db.current,
				datom.Datom{E: e, A: "name", V: datom.String(fmt.Sprintf("person-%d", i)), Tx: tx, Added: true},
				datom.Datom{E: e, A: "age", V: datom.Long(int64(18 + i%60)), Tx: tx, Added: true},
				datom.Datom{E: e, A: "city", V: datom.String(cities[i%len(cities)]), Tx: tx, Added: true},
				datom.Datom{E: e, A: "score", V: datom.Long(int64(i*37) % 1000), Tx: tx, Added: true},
				datom.Datom{E: e, A: "friend", V: datom.Long(friend), Tx: tx, Added: true},
			)
		}
		db.maxEid = benchN
		db.build()
		benchDB = db
	})
	return benchDB
}

func mustMap(s string) *edn.Map {
	v, err := edn.ReadString(s)
	if err != nil {
		panic(err)
	}
	return v.(*edn.Map)
}

var benchQueries = []struct {
	name   string
	query  string
	inputs []any
}{
	{"join2", `[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]`, nil},
	{"join3-ref-bound", `[:find ?fn ?fa :in $ ?n :where [?e :name ?n] [?e :friend ?f] [?f :name ?fn] [?f :age ?fa]]`,
		[]any{"person-777"}},
	{"predicate", `[:find ?n :where [?e :age ?a] [(> ?a 70)] [?e :name ?n]]`, nil},
	{"count-by-city", `[:find ?c (count ?e) :where [?e :city ?c]]`, nil},
	{"rule-depth3", `[:find ?n :in $ % ?start :where [?s :name ?start] (reach ?s ?f 3) [?f :name ?n]]`,
		[]any{`[[(reach ?a ?b ?d) [?a :friend ?b]] [(reach ?a ?b ?d) [(> ?d 1)] [?a :friend ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]`, "person-1"}},
	{"not-join", `[:find (count ?e) . :where [?e :city "Berlin"] (not-join [?e] [?e :friend ?f] [?f :city "Paris"])]`, nil},
	{"or-join", `[:find (count ?e) . :where [?e :age ?a] (or-join [?e] [?e :city "Oslo"] (and [?e :score ?s] [(< ?s 10)]))]`, nil},
}

func BenchmarkQuery(b *testing.B) {
	db := benchData(b)
	ctx := context.Background()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			inputs := append([]any{db}, bq.inputs...)
			if _, err := query.Q(ctx, bq.query, inputs...); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := query.Q(ctx, bq.query, inputs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPull(b *testing.B) {
	db := benchData(b)
	ctx := context.Background()
	b.Run("nested-ref", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pull.Pull(ctx, db, `[:name :age {:friend [:name :city]}]`, int64(777)); err != nil {
				b.Fatal(err)
			}
		}
	})
	ids := make([]any, 2000)
	for i := range ids {
		ids[i] = int64(i*7 + 1)
	}
	b.Run("many-2000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := pull.PullMany(ctx, db, `[:name :age :city]`, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}
