package core_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
)

func TestHistoryAsOfSince(t *testing.T) {
	conn := newConn(t, core.Config{Schema: personSchema + ""})
	r1 := mustTransact(t, conn, `[{:db/id "i" :name "Ivan" :age 30}]`)
	e := r1.Tempids["i"]
	r2 := mustTransact(t, conn, `[{:db/id [:name "Ivan"] :age 31}]`)
	r3 := mustTransact(t, conn, `[[:db/retract [:name "Ivan"] :age 31]]`)
	db := conn.DB()
	age := func(db *core.DB) []string { return all(t, db, datom.EAVT, datom.Long(e), kw("age")) }

	if got := age(db); len(got) != 0 {
		t.Fatalf("latest: %v", got)
	}
	if got, want := age(db.AsOf(r1.TxID)), []string{fmt.Sprintf("[%d :age 30]", e)}; !slices.Equal(got, want) {
		t.Fatalf("as-of tx1: %v, want %v", got, want)
	}
	if got, want := age(db.AsOf(r2.TxID)), []string{fmt.Sprintf("[%d :age 31]", e)}; !slices.Equal(got, want) {
		t.Fatalf("as-of tx2: %v, want %v", got, want)
	}
	if got := age(db.AsOf(r3.TxID)); len(got) != 0 {
		t.Fatalf("as-of tx3: %v", got)
	}
	hist := age(db.History())
	want := []string{
		fmt.Sprintf("[%d :age 30]", e), fmt.Sprintf("[%d :age 30 retracted]", e),
		fmt.Sprintf("[%d :age 31]", e), fmt.Sprintf("[%d :age 31 retracted]", e),
	}
	if !slices.Equal(hist, want) {
		t.Fatalf("history:\n got %v\nwant %v", hist, want)
	}
	// Since tx1: only datoms added after it that are still current.
	if got := all(t, db.Since(r1.TxID), datom.EAVT, datom.Long(e)); len(got) != 0 {
		t.Fatalf("since tx1 (entity only has its tx1 name left): %v", got)
	}
	if got := all(t, db.Since(r1.TxID-1), datom.EAVT, datom.Long(e)); len(got) != 1 {
		t.Fatalf("since before tx1: %v", got)
	}
	// AsOf by instant resolves through the transaction entities' :db/txInstant.
	ctx := context.Background()
	inst := r2.DBAfter.LastTxInstant()
	if inst == 0 {
		t.Fatalf("no txInstant recorded")
	}
	at, err := db.AsOfInstant(ctx, time.UnixMilli(inst))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := age(at), []string{fmt.Sprintf("[%d :age 31]", e)}; !slices.Equal(got, want) {
		t.Fatalf("as-of instant of tx2: %v, want %v", got, want)
	}
	before, err := db.AsOfInstant(ctx, time.UnixMilli(inst-1))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := age(before), []string{fmt.Sprintf("[%d :age 30]", e)}; !slices.Equal(got, want) {
		t.Fatalf("as-of just before tx2: %v, want %v", got, want)
	}
	empty, err := db.AsOfInstant(ctx, time.UnixMilli(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := all(t, empty, datom.EAVT, datom.Long(e)); len(got) != 0 {
		t.Fatalf("as-of the epoch: %v", got)
	}
}

func TestNoHistoryAttribute(t *testing.T) {
	conn := newConn(t, core.Config{Schema: `[{:db/ident :secret :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/noHistory true}
		{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}]`})
	r := mustTransact(t, conn, `[{:db/id "x" :name "x" :secret "a"}]`)
	mustTransact(t, conn, `[{:db/id [:name "x"] :secret "b"}]`)
	e := r.Tempids["x"]
	hist := all(t, conn.DB().History(), datom.EAVT, datom.Long(e), kw("secret"))
	if want := []string{fmt.Sprintf(`[%d :secret "b"]`, e)}; !slices.Equal(hist, want) {
		t.Fatalf("noHistory attribute kept history: %v", hist)
	}
}

func TestWithoutHistory(t *testing.T) {
	no := false
	conn := newConn(t, core.Config{KeepHistory: &no, Schema: personSchema})
	r := mustTransact(t, conn, `[{:db/id "x" :name "x" :age 1}]`)
	mustTransact(t, conn, `[{:db/id [:name "x"] :age 2}]`)
	e := r.Tempids["x"]
	if h := all(t, conn.DB().History(), datom.EAVT, datom.Long(e), kw("age")); len(h) != 1 {
		t.Fatalf("history without keep-history: %v", h)
	}
}
