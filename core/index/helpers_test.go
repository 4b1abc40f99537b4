package index_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

var errNotFound = errors.New("test: not found")

// memLoader is a map-based Loader that counts its reads.
type memLoader struct {
	mu   sync.Mutex
	m    map[string][]byte
	gets atomic.Int64
}

func newMemLoader() *memLoader { return &memLoader{m: map[string][]byte{}} }

func (l *memLoader) Get(_ context.Context, key string) ([]byte, error) {
	l.gets.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[key]
	if !ok {
		return nil, fmt.Errorf("%w: %x", errNotFound, key)
	}
	return b, nil
}

func (l *memLoader) put(nodes []index.Node) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range nodes {
		l.m[n.Key] = n.Bytes
	}
}

func (l *memLoader) keys() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for k := range l.m {
		out[k] = true
	}
	return out
}

var attrs = []string{"age", "db/ident", "email", "friend", "name", "person/tags"}

// randDatom returns a datom from a small space, so that batches collide
// with present datoms.
func randDatom(r *rand.Rand, maxE int64) datom.Datom {
	d := datom.Datom{
		E:     1 + r.Int64N(maxE),
		A:     attrs[r.IntN(len(attrs))],
		Tx:    datom.Tx0 + 1 + r.Int64N(20),
		Added: r.IntN(4) != 0,
	}
	switch r.IntN(5) {
	case 0:
		d.V = datom.String(fmt.Sprintf("s%d", r.IntN(50)))
	case 1:
		d.V = datom.Double(float64(r.IntN(20)) / 2)
	case 2:
		d.V = datom.Keyword(attrs[r.IntN(len(attrs))])
	case 3:
		d.V = datom.Tuple([]datom.Value{datom.Long(r.Int64N(3)), datom.String("t")})
	default:
		d.V = datom.Long(r.Int64N(20))
	}
	return d
}

func randDatoms(r *rand.Rand, n int, maxE int64) []datom.Datom {
	ds := make([]datom.Datom, n)
	for i := range ds {
		ds[i] = randDatom(r, maxE)
	}
	return ds
}

// model is the reference: a sorted slice.
type model struct {
	cmp func(a, b *datom.Datom) int
	ds  []datom.Datom
}

func (m *model) find(d *datom.Datom) (int, bool) {
	return slices.BinarySearchFunc(m.ds, d, func(x datom.Datom, y *datom.Datom) int { return m.cmp(&x, y) })
}

func (m *model) with(adds, removes []datom.Datom) *model {
	cmp := func(x, y datom.Datom) int { return m.cmp(&x, &y) }
	del := make([]bool, len(m.ds))
	for i := range removes {
		if j, ok := m.find(&removes[i]); ok {
			del[j] = true
		}
	}
	var kept []datom.Datom
	for i, d := range m.ds {
		if !del[i] {
			kept = append(kept, d)
		}
	}
	as := slices.Clone(adds)
	slices.SortStableFunc(as, cmp)
	var dedup []datom.Datom
	for i := range as {
		if i+1 < len(as) && cmp(as[i], as[i+1]) == 0 {
			continue // the last of equal adds wins
		}
		dedup = append(dedup, as[i])
	}
	out := make([]datom.Datom, 0, len(kept)+len(dedup))
	i, j := 0, 0
	for i < len(kept) || j < len(dedup) {
		switch {
		case j == len(dedup) || (i < len(kept) && cmp(kept[i], dedup[j]) < 0):
			out = append(out, kept[i])
			i++
		case i == len(kept) || cmp(kept[i], dedup[j]) > 0:
			out = append(out, dedup[j])
			j++
		default:
			out = append(out, dedup[j])
			i++
			j++
		}
	}
	return &model{cmp: m.cmp, ds: out}
}

func same(a, b *datom.Datom) bool {
	return a.E == b.E && a.A == b.A && a.Tx == b.Tx && a.Added == b.Added &&
		a.V.Kind() == b.V.Kind() && datom.Compare(a.V, b.V) == 0
}

func scan(t testing.TB, tr *index.Tree) []datom.Datom {
	t.Helper()
	var out []datom.Datom
	it := tr.Seek(context.Background(), nil)
	for it.Next() {
		out = append(out, *it.Datom())
	}
	if err := it.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return out
}

func checkEqual(t testing.TB, what string, tr *index.Tree, m *model) {
	t.Helper()
	got := scan(t, tr)
	if len(got) != len(m.ds) {
		t.Fatalf("%s: scan has %d datoms, model %d", what, len(got), len(m.ds))
	}
	for i := range got {
		if !same(&got[i], &m.ds[i]) {
			t.Fatalf("%s: datom %d = %v, model %v", what, i, got[i], m.ds[i])
		}
	}
	if c := tr.Count(); c != int64(len(m.ds)) {
		t.Fatalf("%s: Count %d, model %d", what, c, len(m.ds))
	}
}

// buildTree inserts n random datoms in batches and returns the flushed tree.
func buildTree(t testing.TB, l *memLoader, opts index.Options, cmp func(a, b *datom.Datom) int, n int, seed uint64) *index.Tree {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	opts.Loader = l
	tr := index.New(cmp, opts)
	tr, err := tr.With(context.Background(), seqDatoms(r, n), nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, nodes, err := tr.Flush()
	if err != nil {
		t.Fatal(err)
	}
	l.put(nodes)
	return tr
}

// seqDatoms returns n distinct datoms (distinct e) in random order.
func seqDatoms(r *rand.Rand, n int) []datom.Datom {
	ds := make([]datom.Datom, n)
	for i := range ds {
		ds[i] = datom.Datom{E: int64(i)*2 + 2, A: attrs[i%len(attrs)], V: datom.Long(r.Int64N(1000)),
			Tx: datom.Tx0 + 1 + int64(i/100), Added: true}
	}
	r.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return ds
}
