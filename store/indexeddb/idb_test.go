//go:build js && wasm

package indexeddb_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"syscall/js"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/indexeddb"
	"github.com/cairn-db/cairn/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if n := indexeddb.LiveFuncs(); code == 0 && n != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d js.Funcs not released after the tests\n", n)
		code = 1
	}
	os.Exit(code)
}

var dbSeq atomic.Int64

// newName returns a database name no other test uses, deleted at cleanup.
func newName(t testing.TB) string {
	name := fmt.Sprintf("cairn-test/%s/%d", t.Name(), dbSeq.Add(1))
	t.Cleanup(func() {
		if err := indexeddb.DeleteDatabase(context.Background(), name); err != nil {
			t.Errorf("DeleteDatabase(%q): %v", name, err)
		}
	})
	return name
}

func mustOpen(t testing.TB, name string, opts *indexeddb.Options) *indexeddb.Store {
	t.Helper()
	s, err := indexeddb.Open(context.Background(), name, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", name, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunWithReopen(t, func(t *testing.T) store.Store {
		s := mustOpen(t, newName(t), nil)
		t.Cleanup(func() { s.Close() })
		return s
	}, func(t *testing.T, old store.Store) store.Store {
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
		s := mustOpen(t, old.(*indexeddb.Store).Name(), nil)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestConformanceRelaxedWithGuard(t *testing.T) {
	opts := &indexeddb.Options{RelaxedDurability: true, HeadGuard: func(old, new []byte) bool { return true }}
	storetest.Run(t, func(t *testing.T) store.Store {
		s := mustOpen(t, newName(t), opts)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestNoIndexedDB(t *testing.T) {
	for _, f := range []js.Value{js.Undefined(), js.Null(), js.ValueOf(42)} {
		s, err := indexeddb.OpenFactory(context.Background(), f, "x", nil)
		if !errors.Is(err, indexeddb.ErrUnavailable) {
			t.Fatalf("Open with indexedDB = %v: %v, %v; want ErrUnavailable", f, s, err)
		}
	}
}

// testHead is the test's head encoding: incarnation (1 byte), basis-t
// (8 bytes, big endian).
func testHead(inc byte, t uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{inc}, t)
}

func basisT(h []byte) uint64 { return binary.BigEndian.Uint64(h[1:]) }

// newerGuard accepts a head of the same incarnation and a higher basis-t,
// as the engine's guard does for real heads.
func newerGuard(old, new []byte) bool {
	return len(old) == 9 && len(new) == 9 && old[0] == new[0] && basisT(new) > basisT(old)
}

func TestHeadGuardRejects(t *testing.T) {
	ctx := context.Background()
	name := newName(t)
	a := mustOpen(t, name, &indexeddb.Options{HeadGuard: newerGuard})
	defer a.Close()
	b := mustOpen(t, name, &indexeddb.Options{HeadGuard: newerGuard})
	defer b.Close()
	write := func(s store.Store, old, new []byte, key string) error {
		return s.Write(ctx, store.Batch{Puts: []store.KV{{Key: key, Value: []byte(key)}}, Head: &store.HeadUpdate{Name: "db", Old: old, New: new}})
	}
	if err := write(a, nil, testHead(1, 10), "a10"); err != nil {
		t.Fatal(err)
	}
	// b is behind: it read basis-t 10 but wants to store 5.
	for _, tc := range []struct {
		new  []byte
		what string
	}{
		{testHead(1, 5), "an older basis-t"},
		{testHead(1, 10), "the same basis-t"},
		{testHead(2, 99), "another incarnation"},
	} {
		err := write(b, testHead(1, 10), tc.new, "b")
		if !errors.Is(err, indexeddb.ErrHeadRejected) || !errors.Is(err, store.ErrHeadConflict) {
			t.Fatalf("head with %s: %v, want ErrHeadRejected wrapping ErrHeadConflict", tc.what, err)
		}
	}
	if ok, _ := a.Has(ctx, "b"); ok {
		t.Fatal("a rejected batch stored its puts")
	}
	if err := write(b, testHead(1, 10), testHead(1, 11), "b11"); err != nil {
		t.Fatalf("newer head: %v", err)
	}
	h, err := a.Head(ctx, "db")
	if err != nil || !bytes.Equal(h, testHead(1, 11)) {
		t.Fatalf("a sees head %x, %v; want basis-t 11", h, err)
	}
}

// TestMultiTabHeadNeverRegresses has two connections (as two tabs would)
// write heads with basis-t in shuffled orders, each reading the current head
// and compare-and-swapping against it; a reader checks that the head never
// goes back.
func TestMultiTabHeadNeverRegresses(t *testing.T) {
	ctx := context.Background()
	name := newName(t)
	const n = 60
	tabs := make([]*indexeddb.Store, 2)
	for i := range tabs {
		tabs[i] = mustOpen(t, name, &indexeddb.Options{HeadGuard: newerGuard})
		defer tabs[i].Close()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var wg sync.WaitGroup
	errc := make(chan error, len(tabs)+1)
	var written, rejected atomic.Int64
	for i, s := range tabs {
		// Each tab tries every basis-t, in increasing order with local
		// shuffles (a tab applies the commits it receives roughly in
		// order), so the tabs overtake each other all the time.
		order := make([]int, n)
		for j := range order {
			order[j] = j
		}
		for j := 0; j+4 <= n; j += 4 {
			rng.Shuffle(4, func(a, b int) { order[j+a], order[j+b] = order[j+b], order[j+a] })
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, bt := range order {
				t := uint64(bt + 1)
				for {
					old, err := s.Head(ctx, "db")
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						errc <- err
						return
					}
					err = s.Write(ctx, store.Batch{
						Puts: []store.KV{{Key: fmt.Sprintf("tab%d/%03d", i, t), Value: []byte{byte(i)}}},
						Head: &store.HeadUpdate{Name: "db", Old: old, New: testHead(7, t)},
					})
					if errors.Is(err, indexeddb.ErrHeadRejected) {
						rejected.Add(1)
						break
					}
					if errors.Is(err, store.ErrHeadConflict) {
						continue // the other tab moved the head: read it again
					}
					if err != nil {
						errc <- err
						return
					}
					written.Add(1)
					break
				}
			}
		}()
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	rg.Add(1)
	go func() {
		defer rg.Done()
		var last uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			h, err := tabs[0].Head(ctx, "db")
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				errc <- err
				return
			}
			if bt := basisT(h); bt < last {
				errc <- fmt.Errorf("head went back from basis-t %d to %d", last, bt)
				return
			} else {
				last = bt
			}
		}
	}()
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for i, s := range tabs {
		h, err := s.Head(ctx, "db")
		if err != nil || !bytes.Equal(h, testHead(7, n)) {
			t.Fatalf("tab %d sees head %x, %v; want basis-t %d", i, h, err, n)
		}
	}
	t.Logf("%d heads written, %d rejected as not newer", written.Load(), rejected.Load())
	if rejected.Load() == 0 || written.Load() < n/4 {
		t.Fatalf("%d written, %d rejected: the interleaving did not exercise the guard", written.Load(), rejected.Load())
	}
}

func TestVersionChangeClosesConnection(t *testing.T) {
	ctx := context.Background()
	name := newName(t)
	s := mustOpen(t, name, nil)
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "k", Value: []byte("v")}}}); err != nil {
		t.Fatal(err)
	}
	// Deleting the database sends s a versionchange; the deletion is not
	// blocked because s closes its connection.
	if err := indexeddb.DeleteDatabase(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, indexeddb.ErrVersionChange) || !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Get after a version change: %v, want ErrVersionChange wrapping ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after a version change: %v", err)
	}
	s2 := mustOpen(t, name, nil)
	defer s2.Close()
	if _, err := s2.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get in the recreated database: %v, want ErrNotFound", err)
	}
}

// await waits for an IDBRequest, for tests that drive IndexedDB directly.
func await(req js.Value) (js.Value, error) {
	ch := make(chan error, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any { ch <- nil; return nil })
	bad := js.FuncOf(func(js.Value, []js.Value) any {
		e := req.Get("error")
		ch <- errors.New(e.Get("name").String() + ": " + e.Get("message").String())
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	req.Set("onsuccess", ok)
	req.Set("onerror", bad)
	err := <-ch
	req.Set("onsuccess", js.Null())
	req.Set("onerror", js.Null())
	return req.Get("result"), err
}

func TestDOMErrors(t *testing.T) {
	ctx := context.Background()
	name := newName(t)
	// A database at a higher version than the store's makes open fail
	// with a VersionError.
	db, err := await(js.Global().Get("indexedDB").Call("open", name, 5))
	if err != nil {
		t.Fatal(err)
	}
	db.Call("close")
	_, err = indexeddb.Open(ctx, name, nil)
	var de *indexeddb.DOMError
	if !errors.As(err, &de) || de.Name != "VersionError" || de.Op != "open" {
		t.Fatalf("Open of a newer database: %v, want a DOMError VersionError", err)
	}
	// A database at version 1 without the store's object store is not ours.
	other := newName(t)
	db, err = await(js.Global().Get("indexedDB").Call("open", other, 1))
	if err != nil {
		t.Fatal(err)
	}
	db.Call("close")
	if _, err := indexeddb.Open(ctx, other, nil); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Open of a foreign database: %v, want ErrCorrupt", err)
	}
}

func TestCancelledOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := indexeddb.Open(ctx, newName(t), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with a cancelled context: %v", err)
	}
}

func TestIterateManyPages(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newName(t), nil)
	defer s.Close()
	var kvs []store.KV
	for i := range 1000 {
		kvs = append(kvs, store.KV{Key: fmt.Sprintf("p/%04d", i), Value: []byte{byte(i)}})
	}
	kvs = append(kvs, store.KV{Key: "p\xff\xff", Value: []byte("ff")}, store.KV{Key: "q", Value: []byte("q")})
	if err := s.Write(ctx, store.Batch{Puts: kvs}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   int
	}{{"", 1002}, {"p", 1001}, {"p/", 1000}, {"p\xff", 1}, {"q", 1}, {"r", 0}} {
		n, prev := 0, ""
		err := s.Iterate(ctx, tc.prefix, func(k string, v []byte) error {
			if n > 0 && k <= prev {
				return fmt.Errorf("%q after %q", k, prev)
			}
			prev = k
			n++
			return nil
		})
		if err != nil || n != tc.want {
			t.Fatalf("Iterate(%q) visited %d, %v; want %d", tc.prefix, n, err, tc.want)
		}
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, newName(t), nil)
	defer s.Close()
	write := func(b store.Batch) {
		t.Helper()
		if err := s.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	write(store.Batch{Puts: []store.KV{{Key: "ab", Value: []byte("123")}, {Key: "c", Value: []byte("4")}}})
	write(store.Batch{Puts: []store.KV{{Key: "ab", Value: []byte("xxx")}}}) // exists: writes nothing
	write(store.Batch{Puts: []store.KV{{Key: "ab", Value: []byte("xxx")}, {Key: "d", Value: nil}}})
	if got, want := s.Stats(), (store.Stats{BatchesWritten: 2, BytesWritten: 5 + 2 + 1}); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
}

func benchStore(b *testing.B, opts *indexeddb.Options) *indexeddb.Store {
	s := mustOpen(b, newName(b), opts)
	b.Cleanup(func() { s.Close() })
	return s
}

func benchPut(b *testing.B, opts *indexeddb.Options, perBatch int) {
	ctx := context.Background()
	s := benchStore(b, opts)
	val := bytes.Repeat([]byte{7}, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(perBatch * len(val)))
	i := 0
	for b.Loop() {
		batch := store.Batch{Puts: make([]store.KV, perBatch)}
		for j := range batch.Puts {
			batch.Puts[j] = store.KV{Key: fmt.Sprintf("%032d", i), Value: val}
			i++
		}
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkPut writes one 4 KiB entry per transaction.
func BenchmarkPut(b *testing.B) { benchPut(b, nil, 1) }

// BenchmarkPutRelaxed is BenchmarkPut with durability "relaxed".
func BenchmarkPutRelaxed(b *testing.B) {
	benchPut(b, &indexeddb.Options{RelaxedDurability: true}, 1)
}

// BenchmarkWriteBatch100 writes 100 entries of 4 KiB per transaction, as a
// commit of a sync does.
func BenchmarkWriteBatch100(b *testing.B) { benchPut(b, nil, 100) }

// BenchmarkWriteBatch1000 writes 1000 entries of 4 KiB (4 MiB) per
// transaction, as an initial sync might.
func BenchmarkWriteBatch1000(b *testing.B) { benchPut(b, nil, 1000) }

// BenchmarkWriteBatch100Relaxed is BenchmarkWriteBatch100 with durability
// "relaxed".
func BenchmarkWriteBatch100Relaxed(b *testing.B) {
	benchPut(b, &indexeddb.Options{RelaxedDurability: true}, 100)
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, nil)
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "k", Value: bytes.Repeat([]byte{7}, 4096)}}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeadCAS is one conditional head write (read, compare, guard,
// write in one transaction) per op.
func BenchmarkHeadCAS(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, &indexeddb.Options{HeadGuard: newerGuard})
	var old []byte
	t := uint64(0)
	for b.Loop() {
		t++
		next := testHead(1, t)
		if err := s.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: "db", Old: old, New: next}}); err != nil {
			b.Fatal(err)
		}
		old = next
	}
}

func BenchmarkIterate(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b, nil)
	const n = 2000
	val := bytes.Repeat([]byte{7}, 1024)
	batch := store.Batch{}
	for i := range n {
		batch.Puts = append(batch.Puts, store.KV{Key: fmt.Sprintf("%032d", i), Value: val})
	}
	if err := s.Write(ctx, batch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Iterate(ctx, "", func(string, []byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}
