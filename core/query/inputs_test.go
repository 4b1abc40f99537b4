package query_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query"
)

func TestInputs(t *testing.T) {
	runQCases(t, peopleDB(t), []qcase{
		{name: "scalar", query: `[:find ?n :in $ ?s :where [?e :sex ?s] [?e :name ?n]]`,
			inputs: []any{edn.Keyword{Name: "female"}}, want: `[["Anna"] ["Maria"]]`},
		{name: "go scalar", query: `[:find ?n :in $ ?a :where [?e :age ?a] [?e :name ?n]]`,
			inputs: []any{25}, want: `[["Anna"] ["Petr"]]`},
		{name: "collection", query: `[:find ?e ?n :in $ [?n ...] :where [?e :name ?n]]`,
			inputs: []any{[]any{"Ivan", "Anna"}}, want: `[[1 "Ivan"] [4 "Anna"]]`},
		{name: "empty collection", query: `[:find ?e :in $ [?n ...] :where [?e :name ?n]]`, inputs: []any{[]any{}}, want: `[]`},
		{name: "tuple", query: `[:find ?e :in $ [?n ?a] :where [?e :name ?n] [?e :age ?a]]`,
			inputs: []any{[]any{"Petr", int64(25)}}, want: `[[2]]`},
		{name: "short tuple", query: `[:find ?e :in $ [?n ?a] :where [?e :name ?n] [?e :age ?a]]`,
			inputs: []any{[]any{"Petr"}}, err: query.ErrInvalidInput},
		{name: "relation", query: `[:find ?e ?score :in $ [[?n ?score]] :where [?e :name ?n]]`,
			inputs: []any{[]any{[]any{"Ivan", 10}, []any{"Anna", 20}, []any{"Nobody", 30}}}, want: `[[1 10] [4 20]]`},
		{name: "lookup ref input", query: `[:find ?a . :in $ ?e :where [?e :age ?a]]`,
			inputs: []any{[]any{edn.Keyword{Name: "name"}, "Anna"}}, want: `25`},
		{name: "second source", query: `[:find ?n ?s :in $ $2 :where [?e :name ?n] [$2 ?n :score ?s]]`,
			inputs: []any{`[["Ivan" :score 10] ["Petr" :score 20] ["Zed" :score 30]]`}, want: `[["Ivan" 10] ["Petr" 20]]`},
		{name: "named source in not", query: `[:find ?n :in $ $scores :where [?e :name ?n] (not [$scores ?n _ _])]`,
			inputs: []any{`[["Ivan" :score 10] ["Petr" :score 20]]`}, want: `[["Anna"] ["Maria"] ["Oleg"]]`},
		{name: "extra inputs", query: `[:find ?e :in $ ?n :where [?e :name ?n]]`, inputs: []any{"Ivan", "Petr"}, err: query.ErrInvalidInput},
		{name: "too few inputs", query: `[:find ?e :in $ ?n :where [?e :name ?n]]`, err: query.ErrInvalidInput},
		{name: "ground relation", query: `[:find ?n ?k :in $ :where [(ground [[1 :a] [2 :b]]) [[?n ?k]]]]`, want: `[[1 :a] [2 :b]]`},
		{name: "range", query: `[:find ?i :in $ :where [(range 0 3) [?i ...]]]`, want: `[[0] [1] [2]]`},
	})
}
