package tx_test

import (
	"slices"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
)

func TestRetract(t *testing.T) {
	refs := []string{ivanPetr, `[[:db/add 1 :friend 2] [:db/add 2 :spouse 1]]`}
	runCases(t, []txCase{
		{name: "value", txs: []string{ivanPetr}, tx: `[[:db/retract 1 :age 30]]`,
			want: `{:datoms [[1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "absent value is a no-op", txs: []string{ivanPetr}, tx: `[[:db/retract 1 :age 99] [:db/retract 99 :age 1]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "unresolved lookup ref is a no-op", txs: []string{ivanPetr}, tx: `[[:db/retract [:name "Nobody"] :age 30] [:db/retractEntity [:name "Nobody"]]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "all values", txs: []string{ivanPetr}, tx: `[[:db/retract 1 :tags]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "entity and refs to it", txs: refs, tx: `[[:db/retractEntity [:name "Ivan"]]]`,
			want: `{:datoms [[2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "ref value by lookup ref", txs: refs, tx: `[[:db/retract 1 :friend [:login "petr"]]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"] [2 :spouse 1]] :tempids {}}`},
		{name: "retract then add in one tx", txs: []string{ivanPetr}, tx: `[[:db/retractEntity 1] {:db/id 1 :name "Ivan"}]`,
			want: `{:datoms [[1 :name "Ivan"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
	})
}

func TestCardinality(t *testing.T) {
	runCases(t, []txCase{
		{name: "one replaces, last wins", txs: []string{ivanPetr}, tx: `[[:db/add 1 :age 31] [:db/add 1 :age 32]]`,
			want: `{:datoms [[1 :age 32] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "many adds", txs: []string{ivanPetr}, tx: `[{:db/id 1 :tags #{"c" "a"}}]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [1 :tags "c"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "vector on card one is a tuple", tx: `[{:point [1 2]}]`,
			want: `{:datoms [[1 :point [1 2]]] :tempids {}}`},
		{name: "id and lookup ref to the same entity", txs: []string{ivanPetr}, tx: `[{:db/id 2 :friend [1 [:name "Ivan"]]}]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :friend 1] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
	})
}

// TestNetEffect checks Adds, Retracts and TxData against the snapshot.
func TestNetEffect(t *testing.T) {
	db := dsDB(t, peopleSchema)
	db, first := db.must(t, ivanPetr)
	_, res := db.must(t, `[[:db/add 1 :age 31] [:db/add 1 :age 32] [:db/add 1 :name "Ivan"] [:db/retract 1 :tags "a"] [:db/add 1 :tags "a"]]`)
	key := func(ds []datom.Datom) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.String())
		}
		return out
	}
	tx1, tx2 := first.TxID, res.TxID
	wantTx := []string{
		datom.Datom{E: 1, A: "age", V: datom.Long(30), Tx: tx2}.String(),
		datom.Datom{E: 1, A: "age", V: datom.Long(31), Tx: tx2, Added: true}.String(),
		datom.Datom{E: 1, A: "age", V: datom.Long(31), Tx: tx2}.String(),
		datom.Datom{E: 1, A: "age", V: datom.Long(32), Tx: tx2, Added: true}.String(),
		datom.Datom{E: 1, A: "tags", V: datom.String("a"), Tx: tx2}.String(),
		datom.Datom{E: 1, A: "tags", V: datom.String("a"), Tx: tx2, Added: true}.String(),
	}
	if got := key(res.TxData); !slices.Equal(got, wantTx) {
		t.Fatalf("TxData\n got  %v\n want %v", got, wantTx)
	}
	wantRetracts := []string{
		datom.Datom{E: 1, A: "age", V: datom.Long(30), Tx: tx1, Added: true}.String(),
		datom.Datom{E: 1, A: "tags", V: datom.String("a"), Tx: tx1, Added: true}.String(),
	}
	if got := key(res.Retracts); !slices.Equal(got, wantRetracts) {
		t.Fatalf("Retracts\n got  %v\n want %v", got, wantRetracts)
	}
	wantAdds := []string{
		datom.Datom{E: 1, A: "age", V: datom.Long(32), Tx: tx2, Added: true}.String(),
		datom.Datom{E: 1, A: "tags", V: datom.String("a"), Tx: tx2, Added: true}.String(),
	}
	if got := key(res.Adds); !slices.Equal(got, wantAdds) {
		t.Fatalf("Adds\n got  %v\n want %v", got, wantAdds)
	}
	if res.Schema != db.sch {
		t.Fatal("schema pointer changed")
	}
}
