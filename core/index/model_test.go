package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

var orders = []struct {
	name     string
	order    datom.Order
	temporal bool
}{
	{"eavt", datom.EAVT, false},
	{"aevt", datom.AEVT, false},
	{"avet", datom.AVET, false},
	{"teav", datom.TEAV, false},
	{"eavt-temporal", datom.EAVT, true},
	{"avet-temporal", datom.AVET, true},
}

// TestModel applies random batches to a tree and to a sorted slice and
// compares them after every step, with and without flushing and reopening.
func TestModel(t *testing.T) {
	for _, o := range orders {
		for _, reopen := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reopen=%v", o.name, reopen), func(t *testing.T) {
				t.Parallel()
				seed := uint64(len(o.name))*1000 + uint64(o.order)
				if reopen {
					seed++
				}
				runModel(t, datom.Comparator(o.order, o.temporal), reopen, seed)
			})
		}
	}
}

type version struct {
	tr *index.Tree
	m  *model
}

func runModel(t *testing.T, cmp func(a, b *datom.Datom) int, reopen bool, seed uint64) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	l := newMemLoader()
	opts := index.Options{Loader: l, NodeSize: 256, Cache: index.NewCache(64 << 10)}
	tr := index.New(cmp, opts)
	m := &model{cmp: cmp}
	var versions []version
	steps := 60
	if testing.Short() {
		steps = 20
	}
	for step := range steps {
		var n int
		switch r.IntN(6) {
		case 0:
			n = 1
		case 1:
			n = r.IntN(5)
		case 2:
			n = 200 + r.IntN(400)
		default:
			n = r.IntN(60)
		}
		maxE := int64(300)
		adds := randDatoms(r, n, maxE)
		var removes []datom.Datom
		// Remove some present datoms and some absent ones.
		for range r.IntN(n/2 + 2) {
			if len(m.ds) > 0 && r.IntN(4) != 0 {
				removes = append(removes, m.ds[r.IntN(len(m.ds))])
			} else {
				removes = append(removes, randDatom(r, maxE))
			}
		}
		if r.IntN(5) == 0 && len(m.ds) > 0 { // a big delete
			for range len(m.ds) / 2 {
				removes = append(removes, m.ds[r.IntN(len(m.ds))])
			}
		}
		nt, err := tr.With(ctx, adds, removes)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		nm := m.with(adds, removes)
		if reopen && r.IntN(3) == 0 {
			ft, nodes, err := nt.Flush()
			if err != nil {
				t.Fatal(err)
			}
			l.put(nodes)
			if ft.Dirty() || (nm.ds != nil && len(nm.ds) > 0 && ft.Root() == "") {
				t.Fatalf("step %d: flushed tree is dirty or has no root", step)
			}
			nt = index.Open(ft.Root(), cmp, index.Options{Loader: l, NodeSize: 256, Cache: index.NewCache(256 << 10)})
		}
		checkEqual(t, fmt.Sprintf("step %d", step), nt, nm)
		if step%8 == 0 || step == steps-1 { // Check reads every node: not every step
			st, err := nt.Check(ctx)
			if err != nil {
				t.Fatalf("step %d: invariants: %v", step, err)
			}
			if st.Underfull > 0 {
				t.Fatalf("step %d: %d underfull nodes after %d adds %d removes; before:\n%s\nafter:\n%s",
					step, st.Underfull, len(adds), len(removes), tr.Dump(ctx), nt.Dump(ctx))
			}
		}
		checkSeeks(t, r, nt, nm, maxE)
		// Older versions are unchanged.
		if len(versions) > 0 && step%4 == 0 {
			v := versions[r.IntN(len(versions))]
			checkEqual(t, fmt.Sprintf("step %d: old version", step), v.tr, v.m)
		}
		versions = append(versions, version{nt, nm})
		tr, m = nt, nm
	}
	st, err := tr.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("final: %d datoms, depth %d, %+v", tr.Count(), tr.Depth(), st)
}

func checkSeeks(t *testing.T, r *rand.Rand, tr *index.Tree, m *model, maxE int64) {
	t.Helper()
	ctx := context.Background()
	for range 8 {
		from := randDatom(r, maxE+2)
		if r.IntN(4) == 0 && len(m.ds) > 0 {
			from = m.ds[r.IntN(len(m.ds))]
		}
		// Forward.
		i, _ := m.find(&from)
		it := tr.Seek(ctx, &from)
		for k := 0; k < 5; k++ {
			ok := it.Next()
			if ok != (i+k < len(m.ds)) {
				t.Fatalf("seek %v: Next #%d = %v, model has %d after", from, k, ok, len(m.ds)-i)
			}
			if !ok {
				break
			}
			if !same(it.Datom(), &m.ds[i+k]) {
				t.Fatalf("seek %v: #%d = %v, model %v", from, k, *it.Datom(), m.ds[i+k])
			}
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		// Reverse: the last datom <= from.
		j, found := m.find(&from)
		if !found {
			j--
		}
		it = tr.SeekReverse(ctx, &from)
		for k := 0; k < 5; k++ {
			ok := it.Next()
			if ok != (j-k >= 0) {
				t.Fatalf("reverse seek %v: Next #%d = %v, want %v", from, k, ok, j-k >= 0)
			}
			if !ok {
				break
			}
			if !same(it.Datom(), &m.ds[j-k]) {
				t.Fatalf("reverse seek %v: #%d = %v, model %v", from, k, *it.Datom(), m.ds[j-k])
			}
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		// CountRange.
		to := randDatom(r, maxE+2)
		hi, _ := m.find(&to)
		want := int64(max(hi-i, 0))
		got, err := tr.CountRange(ctx, &from, &to)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("CountRange(%v, %v) = %d, want %d", from, to, got, want)
		}
	}
	if got, err := tr.CountRange(ctx, nil, nil); err != nil || got != int64(len(m.ds)) {
		t.Fatalf("CountRange(nil, nil) = %d, %v; want %d", got, err, len(m.ds))
	}
	// Full reverse scan.
	it := tr.SeekReverse(ctx, nil)
	k := len(m.ds) - 1
	for it.Next() {
		if k < 0 || !same(it.Datom(), &m.ds[k]) {
			t.Fatalf("reverse scan at %d differs", k)
		}
		k--
	}
	if it.Err() != nil || k != -1 {
		t.Fatalf("reverse scan ended at %d: %v", k, it.Err())
	}
}
