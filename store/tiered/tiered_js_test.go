//go:build js && wasm

package tiered_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/indexeddb"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/storetest"
	"github.com/cairn-db/cairn/store/tiered"
)

var idbSeq atomic.Int64

// TestConformanceMemIndexedDB runs the suite on memory in front of
// IndexedDB: in Chromium under scripts/wasm-browser-test.sh, on
// fake-indexeddb under scripts/wasm-node-test.sh.
func TestConformanceMemIndexedDB(t *testing.T) {
	for _, warm := range []bool{false, true} {
		t.Run(fmt.Sprintf("warm=%v", warm), func(t *testing.T) {
			t.Parallel()
			openIDB := func(t *testing.T, name string) store.Store {
				s, err := indexeddb.Open(context.Background(), name, nil)
				if err != nil {
					t.Fatalf("indexeddb.Open: %v", err)
				}
				return s
			}
			r := &reopener{
				opts: &tiered.Options{WarmOnOpen: warm},
				openBack: func(t *testing.T, back store.Store) store.Store {
					return openIDB(t, back.(*indexeddb.Store).Name())
				},
			}
			storetest.RunWithReopen(t, func(t *testing.T) store.Store {
				name := fmt.Sprintf("cairn-test/%s/%d", t.Name(), idbSeq.Add(1))
				t.Cleanup(func() {
					if err := indexeddb.DeleteDatabase(context.Background(), name); err != nil {
						t.Errorf("DeleteDatabase: %v", err)
					}
				})
				return r.open(t, openIDB(t, name))
			}, r.reopen)
		})
	}
}

func benchIDB(b *testing.B) (*indexeddb.Store, string) {
	name := fmt.Sprintf("cairn-bench/%s/%d", b.Name(), idbSeq.Add(1))
	b.Cleanup(func() { indexeddb.DeleteDatabase(context.Background(), name) })
	s, err := indexeddb.Open(context.Background(), name, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s, name
}

// BenchmarkWarm measures Warm: entries copied from IndexedDB into memory.
func BenchmarkWarm(b *testing.B) {
	ctx := context.Background()
	back, name := benchIDB(b)
	const n = 2000
	batch := store.Batch{}
	for i := range n {
		batch.Puts = append(batch.Puts, store.KV{Key: fmt.Sprintf("%032d", i), Value: make([]byte, 4096)})
	}
	if err := back.Write(ctx, batch); err != nil {
		b.Fatal(err)
	}
	back.Close()
	for b.Loop() {
		idb, err := indexeddb.Open(ctx, name, nil)
		if err != nil {
			b.Fatal(err)
		}
		s, err := tiered.Open(ctx, nil, idb, &tiered.Options{WarmOnOpen: true})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkGet compares a Get the front answers with one that reads
// through to IndexedDB.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, hit := range []bool{true, false} {
		b.Run(fmt.Sprintf("hit=%v", hit), func(b *testing.B) {
			back, _ := benchIDB(b)
			front := mem.New()
			s, err := tiered.Open(ctx, front, back, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const n = 1000
			batch := store.Batch{}
			for i := range n {
				batch.Puts = append(batch.Puts, store.KV{Key: fmt.Sprintf("%032d", i), Value: make([]byte, 4096)})
			}
			if err := back.Write(ctx, batch); err != nil { // behind the front's back
				b.Fatal(err)
			}
			if hit {
				if err := s.Warm(ctx); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				key := fmt.Sprintf("%032d", i%n)
				if _, err := s.Get(ctx, key); err != nil {
					b.Fatal(err)
				}
				if !hit {
					front.Delete(ctx, []string{key}) // cold again
				}
				i++
			}
		})
	}
}
