package tx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/core/tx"
)

func TestErrors(t *testing.T) {
	runCases(t, []txCase{
		{name: "unknown fn", txs: []string{ivanPetr}, tx: `[[:db/frob 1 :age 3]]`, err: tx.ErrInvalidTxData},
		{name: "db.fn/call", tx: `[[:db.fn/call inc 1]]`, err: tx.ErrInvalidTxData},
		{name: "not a map or vector", tx: `[42]`, err: tx.ErrInvalidTxData},
		{name: "arity", tx: `[[:db/add 1 :age]]`, err: tx.ErrInvalidTxData},
		{name: "nil value", tx: `[[:db/add 1 :age nil]]`, err: tx.ErrInvalidTxData},
		{name: "nil in map", tx: `[{:age nil}]`, err: tx.ErrInvalidTxData},
		{name: "attribute not a keyword", tx: `[[:db/add 1 "age" 3]]`, err: tx.ErrInvalidTxData},
		{name: "bad entity id", tx: `[[:db/add 0 :age 3]]`, err: tx.ErrInvalidTxData},
		{name: "bad :db/id", tx: `[{:db/id 1.5 :age 3}]`, err: tx.ErrInvalidTxData},
		{name: "reverse of non-ref", txs: []string{ivanPetr}, tx: `[{:db/id 1 :_age 5}]`, err: tx.ErrInvalidTxData},
		{name: "lookup ref on non-unique", txs: []string{ivanPetr}, tx: `[[:db/add [:age 30] :x 1]]`, err: tx.ErrLookupRef},
		{name: "lookup ref to nothing", txs: []string{ivanPetr}, tx: `[[:db/add [:name "Zed"] :x 1]]`, err: tx.ErrLookupRef},
		{name: "unknown ident", tx: `[[:db/add 1 :spouse :nobody]]`, err: tx.ErrLookupRef},
		{name: "map value", tx: `[[:db/add 1 :x {:a 1}]]`, err: tx.ErrValueType},
		{name: "set value on card one", tx: `[{:x #{1}}]`, err: tx.ErrValueType},
		{name: "unique value conflict within tx", txs: []string{ivanPetr},
			tx: `[{:db/id -1 :name "A" :email "same@x.org"} {:db/id -2 :name "B" :email "same@x.org"}]`, err: tx.ErrUniqueConflict},
	})
}

func TestErrorText(t *testing.T) {
	db, _ := dsDB(t, peopleSchema).must(t, ivanPetr)
	_, _, err := db.transact(`[[:db/cas 1 :age 29 31]]`)
	var te *tx.Error
	if !errors.As(err, &te) || te.Kind != tx.ErrCASMismatch || te.Op != "[:db/cas 1 :age 29 31]" {
		t.Fatalf("error %#v", err)
	}
	if !strings.Contains(err.Error(), "[:db/cas 1 :age 29 31]") {
		t.Fatalf("message %q does not name the op", err)
	}
}

func TestIdents(t *testing.T) {
	db := dsDB(t, peopleSchema)
	db, _ = db.must(t, `[{:db/ident :ivan :name "Ivan"} {:db/ident :petr :name "Petr"}]`)
	db, _ = db.must(t, `[[:db/add :ivan :spouse :petr] {:db/id :petr :age 3}]`)
	if got, want := db.datomsText(), `[[1 :db/ident :ivan] [1 :name "Ivan"] [1 :spouse 2] [2 :age 3] [2 :db/ident :petr] [2 :name "Petr"]]`; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}
