package query_test

import (
	"testing"
)

// TestTimeTravel runs queries over history and as-of views of a database
// whose values changed: the history view yields retractions too.
func TestTimeTravel(t *testing.T) {
	db, err := buildDB(`{:name {:db/unique :db.unique/identity}}`, []string{
		`[{:db/id -1 :name "Ivan" :age 30} {:db/id -2 :name "Petr" :age 25}]`,
		`[[:db/add 1 :age 31]]`,
		`[[:db/retract 2 :age 25]]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	tx1, tx2, tx3 := int64(536870913), int64(536870914), int64(536870915)
	runQCases(t, db, []qcase{
		{name: "current", query: `[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]`, want: `[["Ivan" 31]]`},
	})
	runQCases(t, db.History(), []qcase{
		{name: "history all", query: `[:find ?a ?tx ?added :where [?e :name "Ivan"] [?e :age ?a ?tx ?added]]`,
			want: `[[30 536870913 true] [30 536870914 false] [31 536870914 true]]`},
		{name: "history retractions", query: `[:find ?n ?a :where [?e :age ?a ?tx false] [?e :name ?n]]`,
			want: `[["Ivan" 30] ["Petr" 25]]`},
		{name: "history by tx input", query: `[:find ?a :in $ ?tx :where [_ :age ?a ?tx true]]`,
			inputs: []any{tx2}, want: `[[31]]`},
		{name: "history count", query: `[:find (count ?tx) . :with ?a :where [_ :age ?a ?tx]]`, want: `5`},
	})
	runQCases(t, db.AsOf(tx1), []qcase{
		{name: "as-of first", query: `[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]`, want: `[["Ivan" 30] ["Petr" 25]]`},
	})
	runQCases(t, db.AsOf(tx3), []qcase{
		{name: "as-of last", query: `[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]`, want: `[["Ivan" 31]]`},
	})
}
