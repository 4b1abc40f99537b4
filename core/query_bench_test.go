package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store/mem"
)

// The query shapes of the side-by-side benchmark with DataScript
// (bench/cmd/benchquery, bench/datascript/query.js; keep them in step) on
// the load20k dataset in an in-memory store, built once per process:
// 20,000 entities, or 1,000 with -short.

var (
	queryBenchOnce sync.Once
	queryBenchDB   *core.DB
	queryBenchIDs  []any
	queryBenchEid  any
	queryBenchErr  error
)

func queryBenchData(b testing.TB) (*core.DB, []any, any) {
	queryBenchOnce.Do(func() {
		n := benchEntities
		if testing.Short() {
			n = 1000
		}
		ctx := context.Background()
		conn, err := core.Create(ctx, mem.New(), core.Config{Mode: core.ModeDataScript,
			SchemaFlexibility: schema.FlexRead, Schema: benchSchema}, nil)
		if err != nil {
			queryBenchErr = err
			return
		}
		if _, err := conn.Transact(ctx, load20k(n)); err != nil {
			queryBenchErr = err
			return
		}
		db := conn.DB()
		byName := func(name string) any {
			e, err := db.Q(ctx, `[:find ?e . :in $ ?n :where [?e :name ?n]]`, name)
			if err != nil && queryBenchErr == nil {
				queryBenchErr = err
			}
			return e
		}
		queryBenchEid = byName("user777")
		for i := 0; i < min(2000, n); i++ {
			queryBenchIDs = append(queryBenchIDs, byName(fmt.Sprintf("user%d", i)))
		}
		queryBenchDB = db
	})
	if queryBenchErr != nil {
		b.Fatal(queryBenchErr)
	}
	return queryBenchDB, queryBenchIDs, queryBenchEid
}

const queryBenchRules = `[[(reach ?a ?b ?d) [?a :friend ?b]] [(reach ?a ?b ?d) [(> ?d 1)] [?a :friend ?x] [(dec ?d) ?d2] (reach ?x ?b ?d2)]]`

var queryBenchShapes = []struct {
	name   string
	query  string
	inputs []any
}{
	{"join2", `[:find ?e ?s :where [?e :age 42] [?e :score ?s]]`, nil},
	{"join3-ref-bound", `[:find ?n ?fn :in $ ?c :where [?e :city ?c] [?e :friend ?f] [?f :name ?fn] [?e :name ?n]]`, []any{"city3"}},
	{"predicate", `[:find ?n :in $ ?min :where [?e :age ?a] [(> ?a ?min)] [?e :name ?n]]`, []any{int64(70)}},
	{"count-by-city", `[:find ?c (count ?e) :where [?e :city ?c]]`, nil},
	{"rule-depth3", `[:find ?e ?f :in $ % :where [?e :age 42] (reach ?e ?f 3)]`, []any{queryBenchRules}},
	{"not-join", `[:find ?e :in $ ?c :where [?e :city ?c] (not-join [?e] [?e :friend ?f] [?f :score ?s] [(< ?s 500)])]`, []any{"city3"}},
	{"or-join", `[:find ?n :where (or-join [?e] [?e :city "city1"] (and [?e :age ?a] [(< ?a 5)])) [?e :name ?n]]`, nil},
}

// BenchmarkQuery runs each shape of the side-by-side benchmark:
// go test -run '^$' -bench BenchmarkQuery ./core/ (add -short for 1,000
// entities).
func BenchmarkQuery(b *testing.B) {
	db, ids, eid := queryBenchData(b)
	ctx := context.Background()
	for _, s := range queryBenchShapes {
		b.Run(s.name, func(b *testing.B) {
			if _, err := db.Q(ctx, s.query, s.inputs...); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := db.Q(ctx, s.query, s.inputs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("pull-nested", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.Pull(ctx, `[:name :age {:friend [:name]}]`, eid); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pull-many-2000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.PullMany(ctx, `[:name :age :city :score]`, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestQueryBenchShapes checks the benchmark's shapes, and the paths they
// take (probes merged with an attribute cursor, AVET ranges for
// comparisons, semi-naive rules, pull-many through a cursor), against
// answers computed in Go from the raw datoms: on the current database, on
// an as-of view from before a change, and for pull-many with unsorted,
// repeated and missing ids.
func TestQueryBenchShapes(t *testing.T) {
	ctx := context.Background()
	const n = 1000
	conn, err := core.Create(ctx, mem.New(), core.Config{Mode: core.ModeDataScript,
		SchemaFlexibility: schema.FlexRead, Schema: benchSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Transact(ctx, load20k(n)); err != nil {
		t.Fatal(err)
	}
	before := conn.DB()
	// Change some ages, cities and scores, so that the current and the
	// as-of view differ along every shape.
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i += 7 {
		fmt.Fprintf(&b, `{:db/id [:name "user%d"] :age %d :city "city%d" :score %d}`, i, (i+3)%90, (i+5)%10, (i*13)%1000)
	}
	b.WriteString("]")
	if _, err := conn.Transact(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
	after := conn.DB()

	// A history view: probes see retractions (the age datoms of entities
	// that were ever in city3, with their added flag).
	hist := after.History()
	q := `[:find ?e ?a ?added :where [?e :city "city3"] [?e :age ?a _ ?added]]`
	res, err := hist.Q(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	inCity := map[int64]bool{}
	var ages []datom.Datom
	it := hist.Datoms(ctx, datom.EAVT)
	for it.Next() {
		d := *it.Datom()
		if d.A == "city" && d.V.Text() == "city3" {
			inCity[d.E] = true
		}
		if d.A == "age" {
			ages = append(ages, d)
		}
	}
	var want []string
	seen := map[string]bool{}
	for _, d := range ages {
		if k := fmt.Sprint(d.E, " ", d.V.AsLong(), " ", d.Added); inCity[d.E] && !seen[k] {
			seen[k] = true
			want = append(want, k)
		}
	}
	slices.Sort(want)
	if got := rowStrings(res); !slices.Equal(got, want) || len(want) < 100 {
		t.Errorf("history: got %d rows, want %d (> 100)", len(got), len(want))
	}

	for _, c := range []struct {
		name string
		db   *core.DB
	}{{"before", before}, {"after", after}, {"as-of", after.AsOf(before.BasisT())}} {
		t.Run(c.name, func(t *testing.T) {
			want := model(t, c.db)
			for _, s := range queryBenchShapes {
				res, err := c.db.Q(ctx, s.query, s.inputs...)
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				got := rowStrings(res)
				exp := want.expected(s.name)
				if !slices.Equal(got, exp) {
					t.Errorf("%s: got %d rows, want %d\n got %.300v\nwant %.300v", s.name, len(got), len(exp), got, exp)
				}
			}
			// pull-many through the cursor (>= 32 ids: unsorted, repeated,
			// missing) equals one pull per id.
			var ids []any
			for i := 0; i < 300; i++ {
				ids = append(ids, want.eids[(i*37)%len(want.eids)])
			}
			ids = append(ids, int64(999_999_999), ids[3], ids[3])
			for _, pat := range []string{`[:name :age :city :score]`, `[* {:friend [:name]}]`, `[:name {:friend [:name :age]}]`} {
				many, err := c.db.PullMany(ctx, pat, ids)
				if err != nil {
					t.Fatal(err)
				}
				mv := many.(edn.Vector)
				for i, id := range ids {
					one, err := c.db.Pull(ctx, pat, id)
					if err != nil {
						t.Fatal(err)
					}
					if edn.Print(one) != edn.Print(mv[i]) {
						t.Fatalf("pull-many %s [%d] = %s, pull = %s", pat, i, edn.Print(mv[i]), edn.Print(one))
					}
				}
			}
		})
	}
}

// benchModel is the dataset read back from the raw datoms.
type benchModel struct {
	eids  []any
	name  map[int64]string
	age   map[int64]int64
	city  map[int64]string
	score map[int64]int64
	fr    map[int64]int64
}

func model(t *testing.T, db *core.DB) *benchModel {
	m := &benchModel{name: map[int64]string{}, age: map[int64]int64{}, city: map[int64]string{},
		score: map[int64]int64{}, fr: map[int64]int64{}}
	it := db.Datoms(context.Background(), datom.EAVT)
	for it.Next() {
		d := it.Datom()
		switch d.A {
		case "name":
			m.name[d.E] = d.V.Text()
			m.eids = append(m.eids, d.E)
		case "age":
			m.age[d.E] = d.V.AsLong()
		case "city":
			m.city[d.E] = d.V.Text()
		case "score":
			m.score[d.E] = d.V.AsLong()
		case "friend":
			m.fr[d.E] = d.V.AsLong()
		}
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *benchModel) expected(shape string) []string {
	var rows []string
	add := func(xs ...any) { rows = append(rows, fmt.Sprint(xs...)) }
	counts := map[string]int64{}
	seen := map[string]bool{}
	for e, name := range m.name {
		f := m.fr[e]
		switch shape {
		case "join2":
			if m.age[e] == 42 {
				add(e, " ", m.score[e])
			}
		case "join3-ref-bound":
			if m.city[e] == "city3" {
				add(name, " ", m.name[f])
			}
		case "predicate":
			if m.age[e] > 70 {
				add(name)
			}
		case "count-by-city":
			counts[m.city[e]]++
		case "rule-depth3":
			if m.age[e] == 42 {
				for x, k := f, 0; k < 3; x, k = m.fr[x], k+1 {
					if key := fmt.Sprint(e, " ", x); !seen[key] {
						seen[key] = true
						add(e, " ", x)
					}
				}
			}
		case "not-join":
			if m.city[e] == "city3" && !(m.score[f] < 500) {
				add(e)
			}
		case "or-join":
			if m.city[e] == "city1" || m.age[e] < 5 {
				if !seen[name] {
					seen[name] = true
					add(name)
				}
			}
		}
	}
	for c, k := range counts {
		add(c, " ", k)
	}
	slices.Sort(rows)
	return rows
}

func rowStrings(res any) []string {
	var out []string
	for _, r := range res.(edn.Vector) {
		row := r.(edn.Vector)
		var b strings.Builder
		for i, x := range row {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprint(&b, x)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}
