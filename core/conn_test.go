package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
	"github.com/cairn-db/cairn/store/mem"
)

const personSchema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]`

func TestCreateTransactConnect(t *testing.T) {
	ctx := context.Background()
	st := mem.New()
	conn, err := core.Create(ctx, st, core.Config{Schema: personSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := mustTransact(t, conn, `[{:db/id "ivan" :name "Ivan" :age 30} {:db/id "petr" :name "Petr" :age 25 :friend "ivan"}]`)
	ivan := rep.Tempids["ivan"]
	if ivan == 0 || rep.Tempids["petr"] == 0 {
		t.Fatalf("tempids not resolved: %v", rep.Tempids)
	}
	if rep.TxID != conn.DB().BasisT() || rep.DBAfter.CommitID() == "" {
		t.Fatalf("report does not match the committed db")
	}
	if _, err := core.Create(ctx, st, core.Config{}, nil); !errors.Is(err, core.ErrDatabaseExists) {
		t.Fatalf("second create: got %v, want ErrDatabaseExists", err)
	}
	conn.Close()
	if _, err := conn.Transact(ctx, `[]`); !errors.Is(err, core.ErrClosed) {
		t.Fatalf("transact after close: %v", err)
	}

	conn2, err := core.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	db := conn2.DB()
	if db.CommitID() != rep.DBAfter.CommitID() {
		t.Fatalf("reconnected at another commit")
	}
	got := all(t, db, datom.EAVT, datom.Long(ivan))
	want := []string{fmt.Sprintf("[%d :age 30]", ivan), fmt.Sprintf("[%d :name \"Ivan\"]", ivan)}
	if !slices.Equal(got, want) {
		t.Fatalf("entity datoms after reconnect:\n got %v\nwant %v", got, want)
	}
	e, err := db.Entid(ctx, datom.Tuple([]datom.Value{kw("name"), datom.String("Petr")}))
	if err != nil || e != rep.Tempids["petr"] {
		t.Fatalf("lookup ref: %d, %v", e, err)
	}
	// The schema came back with the commit.
	if a, ok := db.Schema().Attr("friend"); !ok || a.Cardinality != schema.CardinalityMany {
		t.Fatalf("schema not restored: %+v", a)
	}
}

func TestConnectEmptyStore(t *testing.T) {
	if _, err := core.Connect(context.Background(), mem.New(), nil); !errors.Is(err, core.ErrNoDatabase) {
		t.Fatalf("got %v, want ErrNoDatabase", err)
	}
}

func TestFailedTransactionLeavesDBUnchanged(t *testing.T) {
	conn := newConn(t, core.Config{Schema: personSchema})
	mustTransact(t, conn, `[{:name "Ivan" :age 30}]`)
	before := conn.DB()
	cases := []struct {
		name string
		data string
		want error
	}{
		{"unknown attribute", `[{:name "X" :nope 1}]`, tx.ErrUnknownAttribute},
		{"wrong type", `[{:name "X" :age "thirty"}]`, tx.ErrValueType},
		{"bad lookup ref", `[[:db/add [:name "Nobody"] :age 3]]`, tx.ErrLookupRef},
		{"cas mismatch", `[[:db/cas [:name "Ivan"] :age 99 31]]`, tx.ErrCASMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := conn.Transact(context.Background(), c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if conn.DB().CommitID() != before.CommitID() {
				t.Fatalf("a failed transaction moved the database")
			}
		})
	}
}

func TestGroupCommitEachReportHasItsOwnDBs(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: mem.New()}
	conn, err := core.Create(ctx, st, core.Config{Schema: `[{:db/ident :n :db/valueType :db.type/long :db/unique :db.unique/identity :db/cardinality :db.cardinality/one}]`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st.reset()
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	reports := make(chan *core.Report, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				data := fmt.Sprintf(`[{:n %d}]`, w*1000+i)
				if i == 7 {
					data = `[{:n "not a long"}]` // fails alone, in whatever group it lands
				}
				rep, err := conn.Transact(ctx, data)
				if i == 7 {
					if !errors.Is(err, tx.ErrValueType) {
						errs <- fmt.Errorf("bad tx: got %v", err)
					}
					continue
				}
				if err != nil {
					errs <- err
					continue
				}
				reports <- rep
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(reports)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	for rep := range reports {
		n++
		if rep.DBAfter.BasisT() != rep.TxID || rep.DBBefore.BasisT() >= rep.TxID {
			t.Fatalf("report dbs do not bracket tx %d: before %d after %d", rep.TxID, rep.DBBefore.BasisT(), rep.DBAfter.BasisT())
		}
		// db-after holds this transaction's datom, db-before does not.
		var d datom.Datom
		for _, x := range rep.TxData {
			if x.A == "n" {
				d = x
			}
		}
		if got := all(t, rep.DBAfter, datom.EAVT, datom.Long(d.E), kw("n")); len(got) != 1 {
			t.Fatalf("db-after lacks the transaction's datom: %v", got)
		}
		if got := all(t, rep.DBBefore, datom.EAVT, datom.Long(d.E), kw("n")); len(got) != 0 {
			t.Fatalf("db-before already has it: %v", got)
		}
	}
	if want := writers * (each - 1); n != want {
		t.Fatalf("%d successful transactions, want %d", n, want)
	}
	if got := len(all(t, conn.DB(), datom.AEVT, kw("n"))); got != n {
		t.Fatalf("db holds %d :n datoms, want %d", got, n)
	}
	if w := st.writes.Load(); w > int64(n) {
		t.Fatalf("%d store writes for %d transactions: group commit never grouped", w, n)
	}
	t.Logf("%d transactions in %d durable writes", n, st.writes.Load())
}

func TestListenSeesEveryCommitInOrder(t *testing.T) {
	conn := newConn(t, core.Config{Schema: personSchema})
	var mu sync.Mutex
	var seen []int64
	stop := conn.Listen(func(r *core.Report) {
		mu.Lock()
		seen = append(seen, r.TxID)
		mu.Unlock()
	})
	var want []int64
	for i := 0; i < 10; i++ {
		want = append(want, mustTransact(t, conn, fmt.Sprintf(`[{:name "p%d"}]`, i)).TxID)
	}
	stop()
	mustTransact(t, conn, `[{:name "after"}]`)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, want) {
		t.Fatalf("listener saw %v, want %v", seen, want)
	}
}

func TestDatabaseValuesNeverChange(t *testing.T) {
	conn := newConn(t, core.Config{Schema: personSchema})
	mustTransact(t, conn, `[{:name "Ivan" :age 30}]`)
	db := conn.DB()
	before := all(t, db, datom.AEVT, kw("age"))
	mustTransact(t, conn, `[{:name "Ivan" :age 31} {:name "Anna" :age 20}]`)
	if after := all(t, db, datom.AEVT, kw("age")); !slices.Equal(before, after) {
		t.Fatalf("an old db value changed: %v -> %v", before, after)
	}
}
