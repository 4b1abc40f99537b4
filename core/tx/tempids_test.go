package tx_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/tx"
)

func TestTempids(t *testing.T) {
	runCases(t, []txCase{
		{name: "string and negative", tx: `[{:db/id "x" :name "X"} {:db/id -1 :name "Y"} {:name "Z"}]`,
			want: `{:datoms [[1 :name "X"] [2 :name "Y"] [3 :name "Z"]] :tempids {"x" 1 -1 2}}`},
		{name: "same tempid is one entity", tx: `[[:db/add "a" :age 1] [:db/add "a" :city "M"] {:db/id "a" :n 2}]`,
			want: `{:datoms [[1 :age 1] [1 :city "M"] [1 :n 2]] :tempids {"a" 1}}`},
		{name: "ref value allocated before entity", tx: `[[:db/add "e" :friend "v"] [:db/add "v" :name "V"]]`,
			want: `{:datoms [[1 :name "V"] [2 :friend 1]] :tempids {"e" 2 "v" 1}}`},
		{name: "nested maps allocate where they occur",
			tx:   `[{:db/id -1 :name "P" :friend [{:db/id -2 :name "C1"} {:name "C2"}]} {:db/id -3 :name "Q"}]`,
			want: `{:datoms [[1 :friend 2] [1 :friend 3] [1 :name "P"] [2 :name "C1"] [3 :name "C2"] [4 :name "Q"]] :tempids {-1 1 -2 2 -3 4}}`},
		{name: "explicit id bumps the counter", tx: `[[:db/add 10 :name "Ten"] [:db/add -1 :name "Next"]]`,
			want: `{:datoms [[10 :name "Ten"] [11 :name "Next"]] :tempids {-1 11}}`},
		{name: "after existing entities", txs: []string{ivanPetr}, tx: `[{:db/id "n" :name "Nina"}]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"] [3 :name "Nina"]] :tempids {"n" 3}}`},
		{name: "tempid resolved later by upsert restarts", txs: []string{ivanPetr},
			tx:   `[[:db/add 2 :friend "t"] {:db/id "t" :name "Ivan" :age 31}]`,
			want: `{:datoms [[1 :age 31] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :friend 1] [2 :login "petr"] [2 :name "Petr"]] :tempids {"t" 1}}`},
		{name: "tempid upserting to two entities", txs: []string{ivanPetr},
			tx: `[[:db/add "t" :name "Ivan"] [:db/add "t" :login "petr"]]`, err: tx.ErrTempidConflict},
		{name: "tempid only as value", txs: []string{ivanPetr}, tx: `[[:db/add 1 :friend "ghost"]]`, err: tx.ErrUnusedTempid},
		{name: "tempid outside :db/add", txs: []string{ivanPetr}, tx: `[[:db/retract "t" :name "Ivan"]]`, err: tx.ErrInvalidTxData},
	})
}

func TestCurrentTx(t *testing.T) {
	db := dsDB(t, peopleSchema)
	db, res := db.must(t, `[{:db/id "datomic.tx" :source "import"} [:db/add :db/current-tx :batch 7] {:name "A"}]`)
	if res.TxID != 536870913 || res.Tempids["db/current-tx"] != res.TxID || res.Tempids["datomic.tx"] != res.TxID {
		t.Fatalf("tx id %d, tempids %v", res.TxID, res.Tempids)
	}
	if got, want := db.datomsText(), `[[1 :name "A"] [536870913 :batch 7] [536870913 :source "import"]]`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
	if res.MaxEid != 1 {
		t.Fatalf("tx entity moved max eid to %d", res.MaxEid)
	}
	_, res = db.must(t, `[{:name "B"}]`)
	if res.TxID != 536870914 || res.MaxEid != 2 {
		t.Fatalf("second tx %d max eid %d", res.TxID, res.MaxEid)
	}
}
