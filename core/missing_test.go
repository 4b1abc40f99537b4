package core_test

import (
	"context"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
)

// TestMissing: the top-down negotiation finds exactly what a side holding
// commit A's closure lacks of commit B (what Diff(A, B) returns), in an
// order that keeps the closure invariant, asking about few keys.
func TestMissing(t *testing.T) {
	ctx := context.Background()
	conn, st := people5000(t)
	a := conn.DB().CommitID()
	mustTransact(t, conn, `[[:db/add 10 :age 7] [:db/add 4000 :nickname "z"] [:db/retract 20 :age 20]]`)
	mustTransact(t, conn, `[{:db/id -1 :name "new" :age 3}]`)
	b := conn.DB().CommitID()

	has := reachable(t, st, a)
	asked := 0
	lacks := func(ctx context.Context, keys []string) ([]string, error) {
		asked += len(keys)
		var out []string
		for _, k := range keys {
			if !has[k] {
				out = append(out, k)
			}
		}
		// A misbehaving answer naming keys not asked is ignored.
		return append(out, "not asked"), nil
	}
	got, err := core.Missing(ctx, st, b, lacks)
	if err != nil {
		t.Fatal(err)
	}
	want, err := core.Diff(ctx, st, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Missing found %d keys, Diff %d", len(got), len(want))
	}
	inWant := map[string]bool{}
	for _, k := range want {
		inWant[k] = true
	}
	pos := map[string]int{}
	for i, k := range got {
		if !inWant[k] {
			t.Fatalf("Missing names a key Diff does not")
		}
		pos[k] = i
	}
	if got[len(got)-1] != b {
		t.Fatal("the commit is not last")
	}
	// Children before parents: every lacking child of an index node comes
	// earlier.
	for _, k := range got[:len(got)-1] {
		v, _ := st.Get(ctx, k)
		kids, err := index.Children(v)
		if err != nil {
			continue // the schema node
		}
		for _, c := range kids {
			if p, ok := pos[c]; ok && p > pos[k] {
				t.Fatalf("a child comes after its parent")
			}
		}
	}
	reach := len(reachable(t, st, b))
	t.Logf("lacking %d of %d keys; asked about %d", len(got), reach, asked)
	if asked > 40*len(got) || asked >= reach {
		t.Fatalf("asked about %d keys to find %d of %d", asked, len(got), reach)
	}

	// A side that has the commit lacks nothing; an empty side lacks all.
	none, err := core.Missing(ctx, st, b, func(context.Context, []string) ([]string, error) { return nil, nil })
	if err != nil || len(none) != 0 {
		t.Fatalf("has everything: %d keys, %v", len(none), err)
	}
	all, err := core.Missing(ctx, st, b, func(_ context.Context, keys []string) ([]string, error) { return keys, nil })
	if err != nil || len(all) != reach {
		t.Fatalf("has nothing: %d keys of %d, %v", len(all), reach, err)
	}
}
