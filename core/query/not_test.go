package query_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/query"
)

func TestNot(t *testing.T) {
	runQCases(t, peopleDB(t), []qcase{
		{name: "simple", query: `[:find ?n :where [?e :name ?n] (not [?e :sex :male])]`,
			want: `[["Anna"] ["Maria"]]`},
		{name: "join through body", query: `[:find ?n :where [?e :name ?n] (not [?e :friend ?f] [?f :name "Oleg"])]`,
			want: `[["Anna"] ["Maria"] ["Oleg"]]`},
		{name: "nested", query: `[:find ?n :where [?e :name ?n] (not (not [?e :sex :female]))]`,
			want: `[["Anna"] ["Maria"]]`},
		{name: "written before its bindings", query: `[:find ?n :where (not [?e :age 25]) [?e :name ?n]]`,
			want: `[["Ivan"] ["Maria"] ["Oleg"]]`},
		{name: "with predicate", query: `[:find ?n :where [?e :name ?n] [?e :age ?a] (not [(< ?a 35)])]`,
			want: `[["Maria"] ["Oleg"]]`},
		{name: "not-join", query: `[:find ?n :where [?e :name ?n] (not-join [?e] [?e :friend ?f] [?f :sex :female])]`,
			want: `[["Anna"] ["Ivan"] ["Maria"] ["Petr"]]`},
		{name: "not-join empty body", query: `[:find ?n :where [?e :name ?n] (not-join [?e] [?e :nickname ?x] [(= ?x "nope")])]`,
			want: `[["Anna"] ["Ivan"] ["Maria"] ["Oleg"] ["Petr"]]`},
		{name: "unbound", query: `[:find ?n :where [?e :name ?n] (not [?x :friend ?y])]`, err: query.ErrUnboundVariable},
		{name: "not-join unbound", query: `[:find ?n :where [?e :name ?n] (not-join [?z] [?z :age 1])]`, err: query.ErrUnboundVariable},
	})
}
