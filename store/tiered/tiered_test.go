package tiered_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/tiered"
)

// keepOpen lets a mem store stand in for a persistent back: its Close keeps
// the data, so a reopened tiered store sees it. Tests close the mem store
// itself in a cleanup.
type keepOpen struct{ store.Store }

func (keepOpen) Close() error { return nil }

func open(t testing.TB, front, back store.Store, opts *tiered.Options) *tiered.Store {
	t.Helper()
	s, err := tiered.Open(context.Background(), front, back, opts)
	if err != nil {
		t.Fatalf("tiered.Open: %v", err)
	}
	return s
}

// reopener keeps track of which back each tiered store was opened on.
type reopener struct {
	mu    sync.Mutex
	backs map[store.Store]store.Store
	// openBack reopens the back that old was built on (after old is closed).
	openBack func(t *testing.T, back store.Store) store.Store
	opts     *tiered.Options
}

func (r *reopener) open(t *testing.T, back store.Store) store.Store {
	s := open(t, mem.New(), back, r.opts)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.backs == nil {
		r.backs = map[store.Store]store.Store{}
	}
	r.backs[s] = back
	return s
}

func (r *reopener) reopen(t *testing.T, old store.Store) store.Store {
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	back, ok := r.backs[old]
	r.mu.Unlock()
	if !ok {
		t.Fatal("reopen of an unknown store")
	}
	return r.open(t, r.openBack(t, back))
}

func TestReadThroughFillsFront(t *testing.T) {
	ctx := context.Background()
	front, back := mem.New(), mem.New()
	if err := back.Write(ctx, store.Batch{Puts: []store.KV{{Key: "a", Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	s := open(t, front, back, nil)
	defer s.Close()
	if ok, _ := front.Has(ctx, "a"); ok {
		t.Fatal("front filled before any read")
	}
	for range 2 {
		v, err := s.Get(ctx, "a")
		if err != nil || string(v) != "1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if ok, _ := front.Has(ctx, "a"); !ok {
		t.Fatal("read-through did not fill the front")
	}
	if got, want := s.CacheStats(), (tiered.CacheStats{Hits: 1, Misses: 1, Fills: 1}); got != want {
		t.Fatalf("CacheStats = %+v, want %+v", got, want)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
	}
}

func TestWarmOnOpen(t *testing.T) {
	ctx := context.Background()
	front, back := mem.New(), mem.New()
	var kvs []store.KV
	for i := range 1000 {
		kvs = append(kvs, store.KV{Key: fmt.Sprintf("k%04d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	if err := back.Write(ctx, store.Batch{Puts: kvs, Head: &store.HeadUpdate{Name: "db", New: []byte("h")}}); err != nil {
		t.Fatal(err)
	}
	s := open(t, front, back, &tiered.Options{WarmOnOpen: true, WarmBatch: 7})
	defer s.Close()
	for _, kv := range kvs {
		v, err := front.Get(ctx, kv.Key)
		if err != nil || !bytes.Equal(v, kv.Value) {
			t.Fatalf("front.Get(%q) = %q, %v after warm-up", kv.Key, v, err)
		}
	}
	if got := s.CacheStats().Warmed; got != 1000 {
		t.Fatalf("Warmed = %d, want 1000", got)
	}
	if _, err := s.Get(ctx, "k0500"); err != nil {
		t.Fatal(err)
	}
	if st := s.CacheStats(); st.Misses != 0 || st.Hits != 1 {
		t.Fatalf("CacheStats after a warm Get = %+v, want 1 hit, 0 misses", st)
	}
}

func TestWarmFailureClosesBoth(t *testing.T) {
	front, back := mem.New(), mem.New()
	back.Close()
	if _, err := tiered.Open(context.Background(), front, back, &tiered.Options{WarmOnOpen: true}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Open over a closed back: %v, want ErrClosed", err)
	}
	if _, err := front.Get(context.Background(), "x"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("front after a failed Open: %v, want ErrClosed", err)
	}
}

// TestHeadIsTheBacks simulates a second tab writing the shared back: Head
// reports its head, and a compare-and-swap against the stale value fails.
func TestHeadIsTheBacks(t *testing.T) {
	ctx := context.Background()
	front, back := mem.New(), mem.New()
	s := open(t, front, keepOpen{back}, nil)
	defer s.Close()
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "n1", Value: []byte("1")}}, Head: &store.HeadUpdate{Name: "db", New: []byte("h1")}}); err != nil {
		t.Fatal(err)
	}
	if h, _ := front.Head(ctx, "db"); string(h) != "h1" {
		t.Fatalf("front head mirror = %q, want h1", h)
	}
	// The other tab.
	if err := back.Write(ctx, store.Batch{Puts: []store.KV{{Key: "n2", Value: []byte("2")}}, Head: &store.HeadUpdate{Name: "db", Old: []byte("h1"), New: []byte("h2")}}); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "n3", Value: []byte("3")}}, Head: &store.HeadUpdate{Name: "db", Old: []byte("h1"), New: []byte("h3")}})
	if !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("CAS against a stale head: %v, want ErrHeadConflict", err)
	}
	if ok, _ := front.Has(ctx, "n3"); ok {
		t.Fatal("a conflicting batch reached the front")
	}
	h, err := s.Head(ctx, "db")
	if err != nil || string(h) != "h2" {
		t.Fatalf("Head = %q, %v, want the back's h2", h, err)
	}
	if v, err := s.Get(ctx, "n2"); err != nil || string(v) != "2" {
		t.Fatalf("Get(n2) written by the other tab = %q, %v", v, err)
	}
	if h, _ := front.Head(ctx, "db"); string(h) != "h2" {
		t.Fatalf("front head mirror = %q, want h2", h)
	}
}

// gated is a back whose Get waits until the test opens the gate.
type gated struct {
	store.Store
	entered chan struct{}
	gate    chan struct{}
}

func (g *gated) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := g.Store.Get(ctx, key)
	g.entered <- struct{}{}
	<-g.gate
	return v, err
}

// TestDeleteRacingReadThrough checks that a fill that read the back before a
// Delete cannot leave the deleted entry in the front.
func TestDeleteRacingReadThrough(t *testing.T) {
	ctx := context.Background()
	front, back := mem.New(), mem.New()
	if err := back.Write(ctx, store.Batch{Puts: []store.KV{{Key: "k", Value: []byte("v")}}}); err != nil {
		t.Fatal(err)
	}
	g := &gated{Store: back, entered: make(chan struct{}, 1), gate: make(chan struct{})}
	s := open(t, front, g, nil)
	defer s.Close()
	got := make(chan error, 1)
	go func() { _, err := s.Get(ctx, "k"); got <- err }()
	<-g.entered // the Get has read the old value from the back
	deleted := make(chan error, 1)
	go func() { deleted <- s.Delete(ctx, []string{"k"}) }()
	close(g.gate)
	if err := <-got; err != nil {
		t.Fatalf("Get: %v", err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ok, _ := front.Has(ctx, "k"); ok {
		t.Fatal("the racing read-through put a deleted entry back into the front")
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
}

func TestStatsAreTheBacks(t *testing.T) {
	ctx := context.Background()
	back := mem.New()
	s := open(t, nil, back, nil)
	defer s.Close()
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "a", Value: []byte("1")}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Stats(), back.Stats(); got != want || got.BatchesWritten != 1 {
		t.Fatalf("Stats = %+v, want the back's %+v", got, want)
	}
}

func BenchmarkGetHit(b *testing.B) {
	ctx := context.Background()
	s := open(b, nil, mem.New(), nil)
	defer s.Close()
	val := bytes.Repeat([]byte{1}, 4096)
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "k", Value: val}}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}
