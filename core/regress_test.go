package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/store/file"
)

// TestReopenThenSmallTransactions: a bulk load, small transactions, a
// reopen and more small transactions all complete (a split/merge cycle in
// the index once made the last ones spin forever).
func TestReopenThenSmallTransactions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	st, err := file.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := core.Create(ctx, st, core.Config{Schema: `[
	 {:db/ident :task/title :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
	 {:db/ident :task/done :db/valueType :db.type/boolean :db/cardinality :db.cardinality/one}
	 {:db/ident :task/order :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
	 {:db/ident :task/id :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}]`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, `{:task/id "t%d" :task/title "a task with a longer title %d" :task/done %v :task/order %d}`, i, i, i%3 == 0, i)
	}
	b.WriteString("]")
	if _, err := conn.Transact(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := conn.Transact(ctx, fmt.Sprintf(`[{:task/id "n%d" :task/title "new" :task/done false :task/order %d}]`, i, 5000+i)); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	st.Close()
	st, err = file.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conn, err = core.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := 0; i < 50; i++ {
		if _, err := conn.Transact(ctx, fmt.Sprintf(`[{:task/id "t%d" :task/done true} [:db/retractEntity [:task/id "t%d"]]]`, i*7, i*13+1)); err != nil {
			t.Fatalf("transaction %d after reopen: %v", i, err)
		}
	}
	checkIndicesAgree(t, conn.DB())
}
