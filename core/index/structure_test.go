package index_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

// TestOneDatomFlushWritesDepthNodes: replacing one datom of a flushed tree
// rewrites exactly its root-to-leaf path.
func TestOneDatomFlushWritesDepthNodes(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 1024}, datom.CmpEAVT, 20000, 1)
	if d := tr.Depth(); d < 3 {
		t.Fatalf("depth %d, want >= 3", d)
	}
	all := scan(t, tr)
	r := rand.New(rand.NewPCG(2, 2))
	for range 50 {
		d := all[r.IntN(len(all))]
		d.Tx++ // same e, a, v: replaces the entry
		nt, err := tr.With(ctx, []datom.Datom{d}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !nt.Dirty() || nt.Root() != "" {
			t.Fatalf("after With: Dirty %v, Root %q", nt.Dirty(), nt.Root())
		}
		ft, nodes, err := nt.Flush()
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) != tr.Depth() {
			t.Fatalf("one-datom change wrote %d nodes, want depth %d", len(nodes), tr.Depth())
		}
		if nodes[len(nodes)-1].Key != ft.Root() {
			t.Fatalf("last node is not the root")
		}
		// Children before parents.
		seen := map[string]bool{}
		for _, n := range nodes {
			kids, err := index.Children(n.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kids {
				if _, ok := l.m[k]; !ok && !seen[k] {
					t.Fatalf("node written before its child")
				}
			}
			seen[n.Key] = true
		}
	}
	// Removing an absent datom and re-adding a present one change nothing.
	nt, err := tr.With(ctx, []datom.Datom{all[5]}, []datom.Datom{{E: -5, A: "x", V: datom.Long(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if nt != tr {
		t.Fatalf("no-op With returned a new tree")
	}
}

// TestLazyLoading: Open reads nothing, a point seek reads one path.
func TestLazyLoading(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{}, datom.CmpEAVT, 30000, 3)
	all := scan(t, tr)
	depth := tr.Depth()
	r := rand.New(rand.NewPCG(3, 3))
	for range 20 {
		l.gets.Store(0)
		ot := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: l})
		if g := l.gets.Load(); g != 0 {
			t.Fatalf("Open read %d nodes", g)
		}
		want := all[r.IntN(len(all))]
		it := ot.Seek(ctx, &want)
		if !it.Next() || !same(it.Datom(), &want) {
			t.Fatalf("point seek did not find %v (err %v)", want, it.Err())
		}
		if g := l.gets.Load(); g > int64(depth) {
			t.Fatalf("point seek read %d nodes, depth is %d", g, depth)
		}
		// A prefix scan of one entity reads the nodes on its path only
		// (plus the next leaf when it crosses one).
		l.gets.Store(0)
		ot = index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: l})
		from := datom.Datom{E: want.E}
		n := 0
		for it := ot.Seek(ctx, &from); it.Next() && it.Datom().E == want.E; {
			n++
		}
		if n != 1 {
			t.Fatalf("entity %d has %d datoms, want 1", want.E, n)
		}
		if g := l.gets.Load(); g > int64(depth)+2 {
			t.Fatalf("prefix scan read %d nodes, depth %d", g, depth)
		}
		if c := ot.Count(); c != int64(len(all)) {
			t.Fatalf("Count %d", c)
		}
		if d := ot.Depth(); d != depth {
			t.Fatalf("Depth %d, want %d", d, depth)
		}
	}
	// A cached tree reads nothing again.
	ot := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: l})
	scan(t, ot)
	l.gets.Store(0)
	scan(t, ot)
	if g := l.gets.Load(); g != 0 {
		t.Fatalf("second scan read %d nodes", g)
	}
}

// TestDeterminism: the same With calls from scratch give the same keys,
// whether or not the tree is flushed in between.
func TestDeterminism(t *testing.T) {
	ctx := context.Background()
	run := func(flushEvery int) (string, []string) {
		r := rand.New(rand.NewPCG(42, 42))
		l := newMemLoader()
		tr := index.New(datom.CmpAEVT, index.Options{Loader: l, NodeSize: 512})
		var roots []string
		for i := range 60 {
			n := r.IntN(400)
			adds := randDatoms(r, n, 500)
			removes := randDatoms(r, r.IntN(200), 500)
			var err error
			if tr, err = tr.With(ctx, adds, removes); err != nil {
				t.Fatal(err)
			}
			if flushEvery > 0 && i%flushEvery == 0 {
				ft, nodes, err := tr.Flush()
				if err != nil {
					t.Fatal(err)
				}
				l.put(nodes)
				tr = ft
			}
		}
		ft, nodes, err := tr.Flush()
		if err != nil {
			t.Fatal(err)
		}
		l.put(nodes)
		roots = append(roots, ft.Root())
		keys := slices.Sorted(func(yield func(string) bool) {
			_ = index.Walk(ctx, l, ft.Root(), func(k string, _ []byte) error { yield(k); return nil })
		})
		return ft.Root(), keys
	}
	r1, k1 := run(0)
	r2, k2 := run(0)
	r3, k3 := run(7)
	if r1 == "" || r1 != r2 || r1 != r3 {
		t.Fatalf("roots differ: %x %x %x", r1, r2, r3)
	}
	if !slices.Equal(k1, k2) || !slices.Equal(k1, k3) {
		t.Fatalf("node sets differ")
	}
}

// TestBulkIntoLarge merges a large batch into a large tree.
func TestBulkIntoLarge(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{}, datom.CmpEAVT, 50000, 5)
	m := &model{cmp: datom.CmpEAVT, ds: scan(t, tr)}
	r := rand.New(rand.NewPCG(5, 5))
	adds := make([]datom.Datom, 30000)
	for i := range adds {
		adds[i] = datom.Datom{E: 1 + r.Int64N(200000), A: "name", V: datom.String("x"), Tx: datom.Tx0 + 9, Added: true}
	}
	var removes []datom.Datom
	for range 20000 {
		removes = append(removes, m.ds[r.IntN(len(m.ds))])
	}
	nt, err := tr.With(ctx, adds, removes)
	if err != nil {
		t.Fatal(err)
	}
	nm := m.with(adds, removes)
	checkEqual(t, "bulk", nt, nm)
	if st, err := nt.Check(ctx); err != nil || st.Underfull > 0 {
		t.Fatalf("invariants: %+v %v", st, err)
	}
	checkEqual(t, "old", tr, m)
	// Delete everything.
	et, err := nt.With(ctx, nil, nm.ds)
	if err != nil {
		t.Fatal(err)
	}
	if et.Count() != 0 || et.Depth() != 0 || scan(t, et) != nil {
		t.Fatalf("after deleting all: count %d depth %d", et.Count(), et.Depth())
	}
	ft, nodes, err := et.Flush()
	if err != nil || ft.Root() != "" || len(nodes) != 0 {
		t.Fatalf("flushing empty tree: %q %d %v", ft.Root(), len(nodes), err)
	}
}

// TestConcurrentReadersAndFlush reads a dirty tree from several goroutines
// while it is flushed (run with -race).
func TestConcurrentReadersAndFlush(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 512}, datom.CmpEAVT, 5000, 6)
	r := rand.New(rand.NewPCG(6, 6))
	dt, err := tr.With(ctx, randDatoms(r, 2000, 20000), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := scan(t, dt)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				got := scan(t, dt)
				if len(got) != len(want) {
					t.Errorf("concurrent scan: %d datoms, want %d", len(got), len(want))
				}
			}
		})
	}
	for range 3 {
		wg.Go(func() {
			ft, nodes, err := dt.Flush()
			if err != nil {
				t.Error(err)
				return
			}
			l.put(nodes)
			if got := scan(t, ft); len(got) != len(want) {
				t.Errorf("flushed scan: %d datoms", len(got))
			}
		})
	}
	wg.Wait()
}

// TestLoaderErrors: storage errors and bad nodes surface from Err, not as
// panics.
func TestLoaderErrors(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 512}, datom.CmpEAVT, 3000, 7)
	// Missing node.
	empty := newMemLoader()
	it := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: empty}).Seek(ctx, nil)
	if it.Next() || !errors.Is(it.Err(), errNotFound) {
		t.Fatalf("missing root: Next/Err = %v", it.Err())
	}
	// Wrong bytes under a key.
	bad := newMemLoader()
	for k, v := range l.m {
		bad.m[k] = v
	}
	var leafKey string
	for k, v := range bad.m {
		if kids, _ := index.Children(v); kids == nil {
			leafKey = k
			break
		}
	}
	b := slices.Clone(bad.m[leafKey])
	b[len(b)-1] ^= 1
	bad.m[leafKey] = b
	it = index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: bad}).Seek(ctx, nil)
	for it.Next() {
	}
	if !errors.Is(it.Err(), index.ErrHashMismatch) || !errors.Is(it.Err(), index.ErrCorrupt) {
		t.Fatalf("tampered leaf: Err = %v", it.Err())
	}
	if _, err := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: bad}).CountRange(ctx, nil, nil); err != nil {
		t.Fatalf("CountRange(nil, nil) needs only the root: %v", err)
	}
	// No loader.
	it = index.Open(tr.Root(), datom.CmpEAVT, index.Options{}).Seek(ctx, nil)
	if it.Next() || !errors.Is(it.Err(), index.ErrNoLoader) {
		t.Fatalf("no loader: %v", it.Err())
	}
	if _, err := index.Open(tr.Root(), datom.CmpEAVT, index.Options{}).With(ctx, randDatoms(rand.New(rand.NewPCG(1, 1)), 1, 5), nil); !errors.Is(err, index.ErrNoLoader) {
		t.Fatalf("With without loader: %v", err)
	}
	// Cancelled context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	it = tr.Seek(cctx, nil)
	n := 0
	for it.Next() {
		n++
	}
	if !errors.Is(it.Err(), context.Canceled) {
		t.Fatalf("cancelled scan: read %d, Err %v", n, it.Err())
	}
	// Invalid datoms.
	long := make([]byte, 5000)
	if _, err := tr.With(ctx, []datom.Datom{{E: 1, A: string(long)}}, nil); !errors.Is(err, index.ErrInvalidDatom) {
		t.Fatalf("long attribute: %v", err)
	}
	bd, _ := datom.BigDec("Inf")
	if bd.Kind() == datom.KindBigDec {
		if _, err := tr.With(ctx, []datom.Datom{{E: 1, A: "x", V: bd}}, nil); !errors.Is(err, index.ErrInvalidDatom) {
			t.Fatalf("bigdec Inf: %v", err)
		}
	}
}

// TestComparatorMismatchIsCorrupt: opening a stored tree under a different
// order is detected when nodes are read, not silently misread.
func TestComparatorMismatchIsCorrupt(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 512}, datom.CmpEAVT, 3000, 8)
	it := index.Open(tr.Root(), datom.CmpAVET, index.Options{Loader: l}).Seek(ctx, nil)
	for it.Next() {
	}
	if !errors.Is(it.Err(), index.ErrCorrupt) {
		t.Fatalf("Err = %v, want ErrCorrupt", it.Err())
	}
}

// TestSortDatoms: the block sort with a loser-tree merge equals a stable
// sort that keeps the last of equal datoms.
func TestSortDatoms(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{0, 1, 2, 100, 4095, 4096, 4097, 9000, 30000} {
		ds := make([]datom.Datom, n)
		for i := range ds {
			ds[i] = datom.Datom{E: r.Int64N(int64(n/3 + 1)), A: attrs[r.IntN(2)], V: datom.Long(r.Int64N(3)), Tx: int64(i)}
		}
		orig := slices.Clone(ds)
		sorted := slices.Clone(ds)
		slices.SortStableFunc(sorted, func(a, b datom.Datom) int { return datom.CmpEAVT(&a, &b) })
		var want []datom.Datom
		for i := range sorted {
			if i+1 < len(sorted) && datom.CmpEAVT(&sorted[i], &sorted[i+1]) == 0 {
				continue
			}
			want = append(want, sorted[i])
		}
		got := index.SortDatoms(ds, datom.CmpEAVT)
		if len(got) != len(want) {
			t.Fatalf("n=%d: %d datoms, want %d", n, len(got), len(want))
		}
		for i := range got {
			if !same(&got[i], &want[i]) {
				t.Fatalf("n=%d: datom %d = %v, want %v", n, i, got[i], want[i])
			}
		}
		for i := range ds {
			if !same(&ds[i], &orig[i]) {
				t.Fatalf("input modified")
			}
		}
	}
}
