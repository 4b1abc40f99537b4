package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

// TestCacheBound: the cache never holds more than its bound, evicts, and
// trees keep working through the Loader after evictions.
func TestCacheBound(t *testing.T) {
	ctx := context.Background()
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 1024}, datom.CmpEAVT, 20000, 21)
	all := scan(t, tr)
	for _, max := range []int64{0, 10 << 10, 100 << 10, 1 << 20, 8 << 20} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			c := index.NewCache(max)
			ot := index.Open(tr.Root(), datom.CmpEAVT, index.Options{Loader: l, Cache: c})
			var wg sync.WaitGroup
			for g := range 4 {
				r := rand.New(rand.NewPCG(uint64(max), uint64(g)))
				wg.Go(func() {
					for i := range 200 {
						d := all[r.IntN(len(all))]
						if g == 0 && i%50 == 0 {
							if n := len(scan(t, ot)); n != len(all) {
								t.Errorf("scan: %d datoms", n)
							}
						}
						it := ot.Seek(ctx, &d)
						if !it.Next() || !same(it.Datom(), &d) {
							t.Errorf("seek %v: %v", d, it.Err())
						}
						if st := c.Stats(); st.Bytes > max {
							t.Errorf("cache holds %d bytes, bound %d", st.Bytes, max)
						}
					}
				})
			}
			wg.Wait()
			st := c.Stats()
			t.Logf("%+v", st)
			if st.Bytes > max || st.Misses == 0 {
				t.Fatalf("stats %+v", st)
			}
			if max >= 8<<20 && st.Evictions != 0 {
				t.Fatalf("a cache larger than the tree evicted: %+v", st)
			}
			if max > 0 && max < 1<<20 && st.Evictions == 0 {
				t.Fatalf("a small cache did not evict: %+v", st)
			}
		})
	}
}

// TestFlushFillsCache: a flushed tree is read from the cache, not the
// Loader.
func TestFlushFillsCache(t *testing.T) {
	l := newMemLoader()
	tr := buildTree(t, l, index.Options{NodeSize: 1024}, datom.CmpEAVT, 20000, 22)
	l.gets.Store(0)
	scan(t, tr)
	if g := l.gets.Load(); g != 0 {
		t.Fatalf("scan of a freshly flushed tree read %d nodes", g)
	}
}
