package index_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

// benchDatoms returns n realistic random datoms: entities with a few
// attributes each, mixed value kinds.
func benchDatoms(n int, seed uint64) []datom.Datom {
	r := rand.New(rand.NewPCG(seed, 99))
	ds := make([]datom.Datom, n)
	for i := range ds {
		e := 1 + r.Int64N(int64(n))
		d := datom.Datom{E: e, A: attrs[r.IntN(len(attrs))], Tx: datom.Tx0 + 1 + r.Int64N(1000), Added: true}
		switch r.IntN(3) {
		case 0:
			d.V = datom.String("value-" + string(rune('a'+r.IntN(26))) + string(rune('a'+r.IntN(26))))
		case 1:
			d.V = datom.Long(r.Int64N(1 << 30))
		default:
			d.V = datom.Long(1 + r.Int64N(int64(n))) // a ref
		}
		ds[i] = d
	}
	return ds
}

func BenchmarkWithBulk100k(b *testing.B) {
	ctx := context.Background()
	ds := benchDatoms(100000, 1)
	b.ReportAllocs()
	var nodes int
	for b.Loop() {
		tr, err := index.New(datom.CmpEAVT, index.Options{}).With(ctx, ds, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, ns, err := tr.Flush()
		if err != nil {
			b.Fatal(err)
		}
		nodes = len(ns)
	}
	b.ReportMetric(float64(len(ds))*float64(b.N)/b.Elapsed().Seconds(), "datoms/s")
	b.ReportMetric(float64(nodes), "nodes")
}

func BenchmarkWithBulk100kNoFlush(b *testing.B) {
	ctx := context.Background()
	ds := benchDatoms(100000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index.New(datom.CmpEAVT, index.Options{}).With(ctx, ds, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// bigTree returns a flushed 100k-datom tree and its datoms in order.
func bigTree(b *testing.B) (*index.Tree, []datom.Datom) {
	l := newMemLoader()
	tr := buildTreeFrom(b, l, benchDatoms(100000, 2))
	return tr, scan(b, tr)
}

func buildTreeFrom(b testing.TB, l *memLoader, ds []datom.Datom) *index.Tree {
	tr, err := index.New(datom.CmpEAVT, index.Options{Loader: l}).With(context.Background(), ds, nil)
	if err != nil {
		b.Fatal(err)
	}
	tr, nodes, err := tr.Flush()
	if err != nil {
		b.Fatal(err)
	}
	l.put(nodes)
	return tr
}

func BenchmarkWithOne(b *testing.B) {
	ctx := context.Background()
	tr, all := bigTree(b)
	r := rand.New(rand.NewPCG(3, 3))
	b.ReportAllocs()
	for b.Loop() {
		d := all[r.IntN(len(all))]
		d.Tx++
		nt, err := tr.With(ctx, []datom.Datom{d}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := nt.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeekPoint(b *testing.B) {
	ctx := context.Background()
	tr, all := bigTree(b)
	r := rand.New(rand.NewPCG(4, 4))
	b.ReportAllocs()
	for b.Loop() {
		d := &all[r.IntN(len(all))]
		it := tr.Seek(ctx, d)
		if !it.Next() || it.Datom().E != d.E {
			b.Fatal("not found")
		}
	}
}

func BenchmarkScan(b *testing.B) {
	ctx := context.Background()
	tr, all := bigTree(b)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for it := tr.Seek(ctx, nil); it.Next(); {
			n++
		}
		if n != len(all) {
			b.Fatal(n)
		}
	}
	b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "datoms/s")
}

func BenchmarkCountRange(b *testing.B) {
	ctx := context.Background()
	tr, all := bigTree(b)
	r := rand.New(rand.NewPCG(5, 5))
	b.ReportAllocs()
	for b.Loop() {
		from, to := &all[r.IntN(len(all))], &all[r.IntN(len(all))]
		if _, err := tr.CountRange(ctx, from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSeekCold reads a point from a reopened tree with an empty
// cache: verification and decoding of one path.
func BenchmarkOpenSeekCold(b *testing.B) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTreeFrom(b, l, benchDatoms(100000, 2))
	all := scan(b, tr)
	r := rand.New(rand.NewPCG(6, 6))
	b.ReportAllocs()
	for b.Loop() {
		ot := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: l, Cache: index.NewCache(1 << 20)})
		it := ot.Seek(ctx, &all[r.IntN(len(all))])
		if !it.Next() {
			b.Fatal(it.Err())
		}
	}
}
