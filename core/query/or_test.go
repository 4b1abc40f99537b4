package query_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/query"
)

func TestOr(t *testing.T) {
	runQCases(t, peopleDB(t), []qcase{
		{name: "generator", query: `[:find ?e :where (or [?e :name "Ivan"] [?e :name "Anna"])]`, want: `[[1] [4]]`},
		{name: "filter", query: `[:find ?n :where [?e :name ?n] (or [?e :tags "chess"] [?e :age 25])]`,
			want: `[["Anna"] ["Ivan"] ["Petr"]]`},
		{name: "and branch", query: `[:find ?n :where [?e :name ?n] (or (and [?e :sex :male] [?e :age 40]) [?e :nickname _])]`,
			want: `[["Maria"] ["Oleg"]]`},
		{name: "different vars", query: `[:find ?n :where [?e :name ?n] (or [?e :sex :female] [?e :age ?a])]`,
			err: query.ErrSyntax},
		{name: "not inside", query: `[:find ?n :where [?e :name ?n] (or (not [?e :tags _]) [?e :tags "music"])]`,
			want: `[["Anna"] ["Maria"] ["Oleg"]]`},
		{name: "or-join", query: `[:find ?n :where [?e :name ?n] (or-join [?e] [?e :nickname _] (and [?e :age ?a] [(< ?a 26)]))]`,
			want: `[["Anna"] ["Maria"] ["Petr"]]`},
		{name: "or-join binds", query: `[:find ?e ?x :where (or-join [?e ?x] [?e :nickname ?x] [?e :email ?x])]`,
			want: `[[1 "ivan@example.com"] [4 "anna@example.com"] [5 "Masha"]]`},
		{name: "or-join required", query: `[:find ?n :where [?e :name ?n] (or-join [[?e]] [?e :tags "music"] (and [?e :friend ?f] [?f :name "Ivan"]))]`,
			want: `[["Anna"]]`},
		{name: "or-join local vars do not leak", query: `[:find ?n ?a :where [?e :name ?n] [?e :age ?a] (or-join [?e] (and [?e :friend ?f] [?f :age ?a]))]`,
			want: `[["Anna" 25] ["Ivan" 30] ["Oleg" 40] ["Petr" 25]]`},
		{name: "required unbound", query: `[:find ?x :where (or-join [[?e] ?x] [?e :name ?x])]`, err: query.ErrUnboundVariable},
	})
}
