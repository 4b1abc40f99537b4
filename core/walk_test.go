package core_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
)

func reachable(t *testing.T, st *countingStore, commit string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := core.Walk(context.Background(), st, commit, func(k string, v []byte) error {
		if out[k] {
			t.Fatalf("walk visited a key twice")
		}
		out[k] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWalkAndDiff checks that Diff(A, B) is exactly reach(B) - reach(A),
// and that it reads far fewer nodes than a full walk.
func TestWalkAndDiff(t *testing.T) {
	ctx := context.Background()
	conn, st := people5000(t)
	a := conn.DB().CommitID()
	mustTransact(t, conn, `[[:db/add 10 :age 7] [:db/add 4000 :nickname "z"]]`)
	b := conn.DB().CommitID()

	ra, rb := reachable(t, st, a), reachable(t, st, b)
	st.reset()
	diff, err := core.Diff(ctx, st, a, b)
	if err != nil {
		t.Fatal(err)
	}
	reads := st.gets.Load()
	got := map[string]bool{}
	for _, k := range diff {
		got[k] = true
		if !rb[k] {
			t.Fatalf("diff returned a key not reachable from B")
		}
	}
	for k := range rb {
		if !ra[k] && !got[k] {
			t.Fatalf("diff missed a key reachable from B only")
		}
	}
	if diff[len(diff)-1] != b {
		t.Fatalf("the commit must come last")
	}
	if reads > int64(len(diff))*4 || len(diff) > len(rb)/10 {
		t.Fatalf("diff of a 3-datom change read %d nodes and returned %d of %d", reads, len(diff), len(rb))
	}
	t.Logf("diff: %d keys of %d reachable, %d reads", len(diff), len(rb), reads)

	// From nothing: everything.
	full, err := core.Diff(ctx, st, "", b)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != len(rb) {
		t.Fatalf("diff from empty returned %d keys, reachable %d", len(full), len(rb))
	}
}

func TestTxLogReplaysEveryTransaction(t *testing.T) {
	conn := newConn(t, core.Config{Schema: personSchema})
	first := mustTransact(t, conn, `[{:name "a" :age 1}]`)
	var want []int64
	for i := 0; i < 5; i++ {
		want = append(want, mustTransact(t, conn, `[{:name "a" :age `+string(rune('2'+i))+`}]`).TxID)
	}
	var got []int64
	err := conn.DB().TxLog(context.Background(), first.TxID, func(tx int64, ds []datom.Datom) error {
		got = append(got, tx)
		// Each replaces the age: a retraction, an assertion and the txInstant.
		if len(ds) != 3 {
			t.Errorf("tx %d has %d datoms: %v", tx, len(ds), ds)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("replayed %v, want %v", got, want)
	}
}
