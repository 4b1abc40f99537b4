package tx_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
)

const tupleSchema = `{:a+b {:db/valueType :db.type/tuple :db/tupleAttrs [:a :b] :db/unique :db.unique/identity}}`

func TestCompositeTuples(t *testing.T) {
	two := `[{:db/id -1 :a "x" :b 1} {:db/id -2 :a "y" :b 2}]`
	runCases(t, []txCase{
		{name: "maintained", schema: tupleSchema, tx: `[{:db/id -1 :a "x" :b 1}]`,
			want: `{:datoms [[1 :a "x"] [1 :a+b ["x" 1]] [1 :b 1]] :tempids {-1 1}}`},
		{name: "partial has nil", schema: tupleSchema, tx: `[{:a "x"}]`,
			want: `{:datoms [[1 :a "x"] [1 :a+b ["x" nil]]] :tempids {}}`},
		{name: "updated on change", schema: tupleSchema, txs: []string{two}, tx: `[[:db/add 1 :b 5]]`,
			want: `{:datoms [[1 :a "x"] [1 :a+b ["x" 5]] [1 :b 5] [2 :a "y"] [2 :a+b ["y" 2]] [2 :b 2]] :tempids {}}`},
		{name: "retracted with its sources", schema: tupleSchema, txs: []string{two}, tx: `[[:db/retract 1 :a "x"] [:db/retract 1 :b 1]]`,
			want: `{:datoms [[2 :a "y"] [2 :a+b ["y" 2]] [2 :b 2]] :tempids {}}`},
		{name: "upsert through the tuple", schema: tupleSchema, txs: []string{two}, tx: `[{:a "x" :b 1 :c "upserted"}]`,
			want: `{:datoms [[1 :a "x"] [1 :a+b ["x" 1]] [1 :b 1] [1 :c "upserted"] [2 :a "y"] [2 :a+b ["y" 2]] [2 :b 2]] :tempids {}}`},
		{name: "unique conflict", schema: tupleSchema, txs: []string{two}, tx: `[[:db/add 2 :a "x"] [:db/add 2 :b 1]]`,
			err: tx.ErrUniqueConflict},
		{name: "direct assertion refused", schema: tupleSchema, txs: []string{two}, tx: `[[:db/add 1 :a+b ["z" 9]]]`,
			err: tx.ErrInvalidTxData},
		{name: "direct assertion matching sources is a no-op", schema: tupleSchema, txs: []string{two}, tx: `[[:db/add 1 :a+b ["x" 1]]]`,
			want: `{:datoms [[1 :a "x"] [1 :a+b ["x" 1]] [1 :b 1] [2 :a "y"] [2 :a+b ["y" 2]] [2 :b 2]] :tempids {}}`},
	})
}

func TestTypedTuples(t *testing.T) {
	sch := `{:pt {:db/valueType :db.type/tuple :db/tupleTypes [:db.type/long :db.type/string]}
	         :xs {:db/valueType :db.type/tuple :db/tupleType :db.type/double}}`
	db := newDB(t, sch, schema.FlexWrite, tx.ModeDataScript)
	db, _ = db.must(t, `[{:pt [1 "a"] :xs [1.5 2]}]`)
	if got, want := db.datomsText(), `[[1 :pt [1 "a"]] [1 :xs [1.5 2]]]`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	for _, bad := range []string{`[{:pt ["a" 1]}]`, `[{:pt [1]}]`, `[{:xs ["s"]}]`, `[{:pt 1}]`} {
		_, _, err := db.transact(bad)
		wantErr(t, err, tx.ErrValueType)
	}
}
