package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

func reachable(t *testing.T, l index.Loader, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := index.Walk(context.Background(), l, root, func(k string, b []byte) error {
		if out[k] {
			return fmt.Errorf("node %x reached twice", k[:4])
		}
		out[k] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkDiff compares Diff(a, b) with reachable(b) - reachable(a) and checks
// that the keys come children first.
func checkDiff(t *testing.T, l *memLoader, a, b string) []string {
	t.Helper()
	got, err := index.Diff(context.Background(), l, a, b)
	if err != nil {
		t.Fatal(err)
	}
	ra, rb := reachable(t, l, a), reachable(t, l, b)
	want := map[string]bool{}
	for k := range rb {
		if !ra[k] {
			want[k] = true
		}
	}
	if len(got) != len(want) {
		t.Fatalf("Diff returned %d keys, want %d", len(got), len(want))
	}
	have := map[string]bool{}
	for k := range ra {
		have[k] = true
	}
	for _, k := range got {
		if !want[k] {
			t.Fatalf("Diff returned %x, reachable from A or not from B", k[:4])
		}
		kids, err := index.Children(l.m[k])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range kids {
			if !have[c] {
				t.Fatalf("Diff returned %x before its child %x", k[:4], c[:4])
			}
		}
		have[k] = true
	}
	return got
}

func TestDiff(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	base := buildTree(t, l, index.Options{NodeSize: 1024}, datom.CmpEAVT, 40000, 11)
	all := scan(t, base)
	r := rand.New(rand.NewPCG(11, 11))
	total := len(reachable(t, l, base.Root()))
	for _, n := range []int{0, 1, 1, 3, 10, 100, 1000, 10000} {
		var adds, removes []datom.Datom
		for range n {
			switch r.IntN(3) {
			case 0:
				removes = append(removes, all[r.IntN(len(all))])
			case 1:
				d := all[r.IntN(len(all))]
				d.V = datom.Long(-1)
				adds = append(adds, d)
			default:
				adds = append(adds, datom.Datom{E: 1 + r.Int64N(100000), A: "name", V: datom.String("n"), Tx: datom.Tx0 + 50, Added: true})
			}
		}
		nt, err := base.With(ctx, adds, removes)
		if err != nil {
			t.Fatal(err)
		}
		ft, nodes, err := nt.Flush()
		if err != nil {
			t.Fatal(err)
		}
		l.put(nodes)
		l.gets.Store(0)
		if _, err := index.Diff(ctx, l, base.Root(), ft.Root()); err != nil {
			t.Fatal(err)
		}
		reads := l.gets.Load()
		got := checkDiff(t, l, base.Root(), ft.Root())
		// Only changed branches are read, on both sides (plus the roots).
		if reads > int64(2*len(got)+4) {
			t.Fatalf("Diff read %d nodes for %d new ones", reads, len(got))
		}
		t.Logf("%5d changes: diff %4d keys of %d (flush wrote %d), %d reads", n, len(got), total, len(nodes), reads)
		if len(got) > len(nodes) {
			t.Fatalf("diff %d > new nodes %d", len(got), len(nodes))
		}
		if n <= 10 && len(got) > n*(base.Depth()+1) {
			t.Fatalf("diff of %d changes has %d keys", n, len(got))
		}
		// The reverse direction and the identity.
		checkDiff(t, l, ft.Root(), base.Root())
		if d, _ := index.Diff(ctx, l, ft.Root(), ft.Root()); len(d) != 0 {
			t.Fatalf("self diff: %d keys", len(d))
		}
	}
}

// TestDiffHeights diffs trees of different heights and against the empty
// tree.
func TestDiffHeights(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	r := rand.New(rand.NewPCG(12, 12))
	opts := index.Options{Loader: l, NodeSize: 256}
	tr := index.New(datom.CmpAEVT, opts)
	var roots []string
	for _, n := range []int{1, 5, 50, 500, 5000} {
		var err error
		if tr, err = tr.With(ctx, randDatoms(r, n, 3000), nil); err != nil {
			t.Fatal(err)
		}
		ft, nodes, err := tr.Flush()
		if err != nil {
			t.Fatal(err)
		}
		l.put(nodes)
		tr = ft
		roots = append(roots, ft.Root())
		t.Logf("depth %d", ft.Depth())
	}
	// Shrink back to a small tree.
	all := scan(t, tr)
	st, err := tr.With(ctx, nil, all[:len(all)-20])
	if err != nil {
		t.Fatal(err)
	}
	ft, nodes, err := st.Flush()
	if err != nil {
		t.Fatal(err)
	}
	l.put(nodes)
	roots = append(roots, ft.Root(), "")
	for _, a := range roots {
		for _, b := range roots {
			checkDiff(t, l, a, b)
		}
	}
}
