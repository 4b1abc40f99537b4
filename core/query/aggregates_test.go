package query_test

import "testing"

const salesTx = `[{:db/id -1 :sale/region :north :sale/amount 100 :sale/rep "ann"} {:db/id -2 :sale/region :north :sale/amount 250 :sale/rep "bob"} {:db/id -3 :sale/region :south :sale/amount 100 :sale/rep "ann"} {:db/id -4 :sale/region :south :sale/amount 75 :sale/rep "cid"} {:db/id -5 :sale/region :east :sale/amount 300 :sale/rep "bob"} {:db/id -6 :sale/region :north :sale/amount 100 :sale/rep "dan"}]`

func TestAggregates(t *testing.T) {
	db, err := buildDB(`{}`, []string{salesTx})
	if err != nil {
		t.Fatal(err)
	}
	runQCases(t, db, []qcase{
		{name: "count", query: `[:find ?r (count ?s) :where [?s :sale/region ?r]]`, want: `[[:east 1] [:north 3] [:south 2]]`},
		{name: "count-distinct", query: `[:find ?r (count-distinct ?rep) :where [?s :sale/region ?r] [?s :sale/rep ?rep]]`,
			want: `[[:east 1] [:north 3] [:south 2]]`},
		{name: "sum with", query: `[:find (sum ?a) . :with ?s :where [?s :sale/amount ?a]]`, want: `925`},
		{name: "sum without with is over distinct values", query: `[:find (sum ?a) . :where [?s :sale/amount ?a]]`, want: `725`},
		{name: "avg", query: `[:find (avg ?a) . :with ?s :where [?s :sale/amount ?a]]`, want: `154.16666666666666`},
		{name: "median even", query: `[:find (median ?a) . :with ?s :where [?s :sale/amount ?a]]`, want: `100`},
		{name: "median odd", query: `[:find (median ?a) . :with ?s :where [?s :sale/region :north] [?s :sale/amount ?a]]`, want: `100`},
		{name: "variance", query: `[:find (variance ?a) . :where [?s :sale/amount ?a] [(< ?a 200)]]`, want: `156.25`},
		{name: "stddev", query: `[:find (stddev ?a) . :where [?s :sale/amount ?a] [(< ?a 200)]]`, want: `12.5`},
		{name: "min max", query: `[:find [(min ?a) (max ?a)] :where [_ :sale/amount ?a]]`, want: `[75 300]`},
		{name: "min max n", query: `[:find (min 2 ?a) (max 2 ?a) :where [_ :sale/amount ?a]]`, want: `[[[75 100] [250 300]]]`},
		{name: "distinct", query: `[:find ?r (distinct ?rep) :where [?s :sale/region ?r] [?s :sale/rep ?rep]]`,
			want: `[[:east #{"bob"}] [:north #{"ann" "bob" "dan"}] [:south #{"ann" "cid"}]]`},
		{name: "min on strings", query: `[:find (min ?rep) . :where [_ :sale/rep ?rep]]`, want: `"ann"`},
		{name: "sample size", query: `[:find (count ?x) . :where [_ :sale/region ?r] [(ground 1) ?x]]`, want: `1`},
		{name: "empty", query: `[:find ?r (count ?s) :where [?s :sale/region ?r] [?s :sale/amount ?a] [(> ?a 1000)]]`, want: `[]`},
		{name: "custom via input", query: `[:find (aggregate ?f ?a) . :in $ ?f :with ?s :where [?s :sale/amount ?a]]`,
			inputs: []any{func(vals []any) (any, error) { return int64(len(vals)), nil }}, want: `6`},
	})
}
