package query_test

import (
	"testing"
)

const graphSchema = `{:node {:db/unique :db.unique/identity} :edge {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}}`

var graphTxs = []string{
	`[{:db/id -1 :node "a"} {:db/id -2 :node "b"} {:db/id -3 :node "c"} {:db/id -4 :node "d"} {:db/id -5 :node "e"} {:db/id -6 :node "f"}]`,
	`[[:db/add 1 :edge 2] [:db/add 2 :edge 3] [:db/add 3 :edge 4] [:db/add 1 :edge 3] [:db/add 5 :edge 6] [:db/add 6 :edge 5]]`,
}

const reach = `[[(reach ?x ?y) [?x :edge ?y]] [(reach ?x ?y) [?x :edge ?z] (reach ?z ?y)]]`

func TestRules(t *testing.T) {
	runQCases(t, peopleDB(t), []qcase{
		{name: "simple", query: `[:find ?n :in $ % :where [?e :name ?n] (senior ?e)]`,
			inputs: []any{`[[(senior ?e) [?e :age ?a] [(>= ?a 35)]]]`}, want: `[["Maria"] ["Oleg"]]`},
		{name: "two bodies", query: `[:find ?n2 :in $ % :where [?e1 :name "Oleg"] (friends ?e1 ?e2) [?e2 :name ?n2]]`,
			inputs: []any{`[[(friends ?a ?b) [?a :friend ?b]] [(friends ?a ?b) [?b :friend ?a]]]`},
			want:   `[["Anna"] ["Ivan"] ["Petr"]]`},
		{name: "calls another", query: `[:find ?n ?fn :in $ % :where (named ?e ?n) (friend-name ?e ?fn)]`,
			inputs: []any{`[[(named ?e ?n) [?e :name ?n]] [(friend-name ?e ?fn) [?e :friend ?f] (named ?f ?fn)]]`},
			want:   `[["Anna" "Ivan"] ["Ivan" "Oleg"] ["Ivan" "Petr"] ["Oleg" "Anna"] ["Petr" "Oleg"]]`},
		{name: "constant argument", query: `[:find ?n :in $ % :where (has-tag ?e "chess") [?e :name ?n]]`,
			inputs: []any{`[[(has-tag ?e ?t) [?e :tags ?t]]]`}, want: `[["Anna"] ["Ivan"]]`},
		{name: "required vars (Datomic semantics)", query: `[:find ?t :in $ % :where [?e :name "Anna"] (tagged ?e ?t)]`,
			inputs: []any{`[[(tagged [?e] ?t) [?e :tags ?t]]]`}, want: `[["chess"] ["music"]]`},
		{name: "recursive friends", query: `[:find ?n :in $ % :where [?e :name "Petr"] (reach ?e ?f) [?f :name ?n]]`,
			inputs: []any{`[[(reach ?x ?y) [?x :friend ?y]] [(reach ?x ?y) [?x :friend ?z] (reach ?z ?y)]]`},
			want:   `[["Anna"] ["Ivan"] ["Oleg"] ["Petr"]]`},
		{name: "negation over a rule", query: `[:find ?n :in $ % :where [?e :name ?n] (not (reach ?e ?e))]`,
			inputs: []any{`[[(reach ?x ?y) [?x :spouse ?y]] [(reach ?x ?y) [?x :spouse ?z] (reach ?z ?y)]]`},
			want:   `[["Anna"] ["Ivan"] ["Petr"]]`},
		{name: "bounded depth", query: `[:find ?n :in $ % :where [?e :name "Petr"] (near ?e ?f 2) [?f :name ?n]]`,
			inputs: []any{`[[(near ?x ?y ?d) [?x :friend ?y]] [(near ?x ?y ?d) [(> ?d 1)] [?x :friend ?z] [(dec ?d) ?d2] (near ?z ?y ?d2)]]`},
			want:   `[["Anna"] ["Oleg"]]`},
	})
	g, err := buildDB(graphSchema, graphTxs)
	if err != nil {
		t.Fatal(err)
	}
	runQCases(t, g, []qcase{
		{name: "transitive", query: `[:find ?to :in $ % :where [?a :node "a"] (reach ?a ?b) [?b :node ?to]]`,
			inputs: []any{reach}, want: `[["b"] ["c"] ["d"]]`},
		{name: "cycle", query: `[:find ?to :in $ % :where [?a :node "e"] (reach ?a ?b) [?b :node ?to]]`,
			inputs: []any{reach}, want: `[["e"] ["f"]]`},
		{name: "unbound call", query: `[:find ?n (count ?y) :in $ % :where (reach ?x ?y) [?x :node ?n]]`,
			inputs: []any{reach}, want: `[["a" 3] ["b" 2] ["c" 1] ["e" 2] ["f" 2]]`},
		{name: "both bound", query: `[:find ?ok . :in $ % :where [?a :node "a"] [?d :node "d"] (reach ?a ?d) [(ground true) ?ok]]`,
			inputs: []any{reach}, want: `true`},
		{name: "collection source", query: `[:find ?x ?y :in $ $2 % :where ($2 linked ?x ?y)]`,
			inputs: []any{`[[1 :link 2] [2 :link 3] [3 :link 4]]`, `[[(linked ?a ?b) [?a :link ?b]] [(linked ?a ?b) [?a :link ?c] (linked ?c ?b)]]`},
			want:   `[[1 2] [1 3] [1 4] [2 3] [2 4] [3 4]]`},
	})
}
