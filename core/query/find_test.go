package query_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/query"
)

func TestFindSpecs(t *testing.T) {
	runQCases(t, peopleDB(t), []qcase{
		{name: "relation", query: `[:find ?e ?n :where [?e :name ?n] [?e :age 25]]`, want: `[[2 "Petr"] [4 "Anna"]]`},
		{name: "set semantics", query: `[:find ?a :where [_ :age ?a]]`, want: `[[25] [30] [35] [40]]`},
		{name: "scalar", query: `[:find ?a . :where [?e :name "Ivan"] [?e :age ?a]]`, want: `30`},
		{name: "scalar none", query: `[:find ?a . :where [?e :name "Nobody"] [?e :age ?a]]`, want: `nil`},
		{name: "collection", query: `[:find [?a ...] :where [?e :age ?a]]`, want: `[25 30 35 40]`},
		{name: "tuple", query: `[:find [?n ?a] :where [?e :name "Petr"] [?e :name ?n] [?e :age ?a]]`, want: `["Petr" 25]`},
		{name: "tuple none", query: `[:find [?n ?a] :where [?e :name "X"] [?e :age ?a] [?e :name ?n]]`, want: `nil`},
		{name: "keys", query: `[:find ?n ?a :keys name age :where [?e :name ?n] [?e :age ?a] [(> ?a 30)]]`,
			want: `[{:age 35 :name "Maria"} {:age 40 :name "Oleg"}]`},
		{name: "strs", query: `[:find ?n :strs name :where [?e :name ?n] [?e :age 40]]`, want: `[{"name" "Oleg"}]`},
		{name: "syms", query: `[:find ?n :syms name :where [?e :name ?n] [?e :age 40]]`, want: `[{name "Oleg"}]`},
		{name: "keys count", query: `[:find ?n ?a :keys name :where [?e :name ?n] [?e :age ?a]]`, err: query.ErrSyntax},
		{name: "with bag", query: `[:find ?a :with ?e :where [?e :age ?a]]`, want: `[[25] [25] [30] [35] [40]]`},
		{name: "with overlap", query: `[:find ?e (sum ?a) :with ?e :where [?e :age ?a]]`, err: query.ErrSyntax},
		{name: "unknown find var", query: `[:find ?b . :where [?e :name ?n]]`, err: query.ErrUnboundVariable},
		{name: "pull", query: `[:find (pull ?e [:name :age]) :where [?e :sex :female]]`,
			want: `[[{:age 25 :name "Anna"}] [{:age 35 :name "Maria"}]]`},
		{name: "pull scalar", query: `[:find (pull ?e [*]) . :where [?e :name "Petr"]]`,
			want: `{:active false :age 25 :db/id 2 :friend [{:db/id 3}] :name "Petr" :sex :male :tags ["dev"]}`},
		{name: "pull pattern input", query: `[:find (pull ?e ?p) . :in $ ?p :where [?e :name "Petr"]]`,
			inputs: []any{`[:age]`}, want: `{:age 25}`},
		{name: "repeated var unifies", query: `[:find ?e :where [?e :spouse ?e]]`, want: `[]`},
		{name: "attribute variable", query: `[:find ?a ?v :where [2 ?a ?v]]`,
			want: `[[:active false] [:age 25] [:friend 3] [:name "Petr"] [:sex :male] [:tags "dev"]]`},
		{name: "lookup ref entity", query: `[:find ?a . :where [[:name "Ivan"] :age ?a]]`, want: `30`},
		{name: "lookup ref value", query: `[:find ?n :where [?e :friend [:name "Oleg"]] [?e :name ?n]]`,
			want: `[["Ivan"] ["Petr"]]`},
		{name: "lookup ref missing", query: `[:find ?a . :where [[:name "Nobody"] :age ?a]]`, err: query.ErrInvalidInput},
		{name: "functions", query: `[:find ?n ?s ?u :where [?e :name ?n] [?e :age 40] [(str ?n "!" 1) ?s] [(clojure.string/upper-case ?n) ?u]]`,
			want: `[["Oleg" "Oleg!1" "OLEG"]]`},
		{name: "unknown function", query: `[:find ?n :where [?e :name ?n] [(no-such-fn ?n)]]`, err: query.ErrUnknownFunction},
		{name: "unbound predicate arg", query: `[:find ?n :where [?e :name ?n] [(< ?x 3)]]`, err: query.ErrUnboundVariable},
		{name: "division", query: `[:find ?x . :in $ :where [(/ 25 2) ?x]]`, want: `12.5`},
		{name: "function error", query: `[:find ?x . :in $ :where [(/ 25 0) ?x]]`, err: query.ErrFunction},
		{name: "syntax", query: `[:find ?x :where [?x :a 1 2 3 4 5]]`, err: query.ErrSyntax},
	})
}

func TestRegister(t *testing.T) {
	query.Register("test/double", func(args ...any) (any, error) { return args[0].(int64) * 2, nil })
	defer query.Register("test/double", nil)
	query.RegisterAggregate("test/longest", func(vals []any) (any, error) {
		best := ""
		for _, v := range vals {
			if s := v.(string); len(s) > len(best) {
				best = s
			}
		}
		return best, nil
	})
	defer query.RegisterAggregate("test/longest", nil)
	runQCases(t, peopleDB(t), []qcase{
		{name: "fn", query: `[:find ?d . :where [?e :name "Ivan"] [?e :age ?a] [(test/double ?a) ?d]]`, want: `60`},
		{name: "aggregate", query: `[:find (test/longest ?n) . :where [_ :name ?n]]`, want: `"Maria"`},
		{name: "input fn", query: `[:find ?d . :in $ ?f :where [?e :name "Ivan"] [?e :age ?a] [(?f ?a) ?d]]`,
			inputs: []any{func(args ...any) (any, error) { return args[0].(int64) + 1, nil }}, want: `31`},
	})
}
