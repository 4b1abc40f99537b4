// Package storetest is the conformance suite that every store.Store backend
// runs: mem, file (on the OS and on a crash-simulating file system), tiered,
// indexeddb. A backend's test calls Run, or RunWithReopen when its data
// outlives Close:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mem.New() })
//	}
//
// The suite pins down what the store.Store comments leave open:
//
//   - a Put of a key that exists already is a no-op: the first value stays;
//   - Old == nil and Old == []byte{} both mean "the head must not exist";
//   - empty values and arbitrary binary keys (NUL, 0xff, invalid UTF-8, the
//     empty key) are allowed, and keys order bytewise;
//   - stores copy values: mutating a slice passed to Write or returned by
//     Get/Head/Iterate never changes stored data;
//   - Iterate visits only immutable entries (never heads), and fn may call
//     the store;
//   - Close returns nil when called again; every other method returns an
//     error wrapping store.ErrClosed after Close;
//   - a cancelled context makes every method return an error wrapping the
//     context's error, and a Write with a cancelled context writes nothing.
//
// Subtests run in parallel; open must be safe to call from several
// goroutines and return a new, empty store each time.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-db/cairn/store"
)

// OpenFunc returns a new, empty store. The suite closes it; backends may also
// register their own cleanup with t.Cleanup.
type OpenFunc func(t *testing.T) store.Store

// ReopenFunc closes old and returns a store over the same data, as a new
// process would see it after old's Close.
type ReopenFunc func(t *testing.T, old store.Store) store.Store

// Run runs the conformance suite on the stores that open returns.
func Run(t *testing.T, open OpenFunc) {
	RunWithReopen(t, open, nil)
}

// RunWithReopen runs the conformance suite and, when reopen is not nil, the
// persistence checks that need it.
func RunWithReopen(t *testing.T, open OpenFunc, reopen ReopenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Missing", testMissing},
		{"PutGet", testPutGet},
		{"EmptyBatch", testEmptyBatch},
		{"EmptyValue", testEmptyValue},
		{"BinaryKeys", testBinaryKeys},
		{"ExistingKeyIsNoop", testExistingKeyIsNoop},
		{"HeadCAS", testHeadCAS},
		{"HeadConflictWritesNothing", testHeadConflictWritesNothing},
		{"HeadsAreIndependent", testHeadsAreIndependent},
		{"Iterate", testIterate},
		{"IterateEarlyStop", testIterateEarlyStop},
		{"IterateCallsStore", testIterateCallsStore},
		{"Delete", testDelete},
		{"NotAliased", testNotAliased},
		{"ContextCancelled", testContextCancelled},
		{"HeadAndPutsVisibleTogether", testHeadAndPutsVisibleTogether},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
	if reopen == nil {
		return
	}
	t.Run("Persistence", func(t *testing.T) {
		t.Parallel()
		testPersistence(t, open, reopen)
	})
}

// ---- helpers ----

func write(t *testing.T, s store.Store, b store.Batch) {
	t.Helper()
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func puts(kvs ...string) []store.KV {
	var out []store.KV
	for i := 0; i+1 < len(kvs); i += 2 {
		out = append(out, store.KV{Key: kvs[i], Value: []byte(kvs[i+1])})
	}
	return out
}

func wantGet(t *testing.T, s store.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
	ok, err := s.Has(context.Background(), key)
	if err != nil || !ok {
		t.Fatalf("Has(%q) = %v, %v; want true, nil", key, ok, err)
	}
}

func wantMissing(t *testing.T, s store.Store, key string) {
	t.Helper()
	if v, err := s.Get(context.Background(), key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
	ok, err := s.Has(context.Background(), key)
	if err != nil || ok {
		t.Fatalf("Has(%q) = %v, %v; want false, nil", key, ok, err)
	}
}

func wantHead(t *testing.T, s store.Store, name string, want []byte) {
	t.Helper()
	got, err := s.Head(context.Background(), name)
	if want == nil {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Head(%q) = %q, %v; want ErrNotFound", name, got, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Head(%q): %v", name, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Head(%q) = %q, want %q", name, got, want)
	}
}

type entry struct {
	key   string
	value string
}

func collect(t *testing.T, s store.Store, prefix string) []entry {
	t.Helper()
	var out []entry
	err := s.Iterate(context.Background(), prefix, func(k string, v []byte) error {
		out = append(out, entry{k, string(v)})
		return nil
	})
	if err != nil {
		t.Fatalf("Iterate(%q): %v", prefix, err)
	}
	return out
}

// ---- tests ----

func testMissing(t *testing.T, s store.Store) {
	wantMissing(t, s, "nope")
	wantHead(t, s, "db", nil)
	if got := collect(t, s, ""); len(got) != 0 {
		t.Fatalf("Iterate on empty store = %v", got)
	}
	if err := s.Delete(context.Background(), []string{"nope"}); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func testPutGet(t *testing.T, s store.Store) {
	write(t, s, store.Batch{Puts: puts("a", "1", "b", "2", "c", strings.Repeat("x", 100_000))})
	wantGet(t, s, "a", []byte("1"))
	wantGet(t, s, "b", []byte("2"))
	wantGet(t, s, "c", []byte(strings.Repeat("x", 100_000)))
	wantMissing(t, s, "d")
}

func testEmptyBatch(t *testing.T, s store.Store) {
	write(t, s, store.Batch{})
	write(t, s, store.Batch{Puts: []store.KV{}})
	if got := collect(t, s, ""); len(got) != 0 {
		t.Fatalf("Iterate after empty batches = %v", got)
	}
}

func testEmptyValue(t *testing.T, s store.Store) {
	write(t, s, store.Batch{Puts: []store.KV{{Key: "nil", Value: nil}, {Key: "empty", Value: []byte{}}}})
	wantGet(t, s, "nil", []byte{})
	wantGet(t, s, "empty", []byte{})
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: "h", New: []byte("v")}})
	got := collect(t, s, "")
	if len(got) != 2 || got[0] != (entry{"empty", ""}) || got[1] != (entry{"nil", ""}) {
		t.Fatalf("Iterate = %q", got)
	}
}

var binaryKeys = []string{
	"",
	"\x00",
	"\x00\x00",
	"\x00\x01",
	"\x01",
	"a\x00b",
	"a\xffb",
	"\x7f",
	"\x80",
	"\xc3\x28", // invalid UTF-8
	"\xfe",
	"\xff",
	"\xff\x00",
	"\xff\xff",
	string(bytes.Repeat([]byte{0xab}, 32)),
}

func testBinaryKeys(t *testing.T, s store.Store) {
	var kvs []store.KV
	for i, k := range binaryKeys {
		kvs = append(kvs, store.KV{Key: k, Value: []byte{byte(i), 0, 0xff}})
	}
	write(t, s, store.Batch{Puts: kvs})
	for i, k := range binaryKeys {
		wantGet(t, s, k, []byte{byte(i), 0, 0xff})
	}
	sorted := append([]string(nil), binaryKeys...)
	sort.Strings(sorted)
	got := collect(t, s, "")
	if len(got) != len(sorted) {
		t.Fatalf("Iterate returned %d entries, want %d", len(got), len(sorted))
	}
	for i := range sorted {
		if got[i].key != sorted[i] {
			t.Fatalf("Iterate key %d = %q, want %q", i, got[i].key, sorted[i])
		}
	}
	for _, prefix := range []string{"\x00", "\xff", "a", "\x00\x00"} {
		var want []string
		for _, k := range sorted {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		got := collect(t, s, prefix)
		if len(got) != len(want) {
			t.Fatalf("Iterate(%q) returned %d entries, want %d", prefix, len(got), len(want))
		}
		for i := range want {
			if got[i].key != want[i] {
				t.Fatalf("Iterate(%q) key %d = %q, want %q", prefix, i, got[i].key, want[i])
			}
		}
	}
	// Binary head names and values.
	name, val := "\x00\xffhead", []byte{0, 1, 0xff}
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: name, New: val}})
	wantHead(t, s, name, val)
}

func testExistingKeyIsNoop(t *testing.T, s store.Store) {
	write(t, s, store.Batch{Puts: puts("k", "first")})
	write(t, s, store.Batch{Puts: puts("k", "second", "other", "o")})
	wantGet(t, s, "k", []byte("first"))
	wantGet(t, s, "other", []byte("o"))
	// The same key twice in one batch, with the same content, is fine too.
	write(t, s, store.Batch{Puts: puts("d", "same", "d", "same")})
	wantGet(t, s, "d", []byte("same"))
	if got := collect(t, s, ""); len(got) != 3 {
		t.Fatalf("Iterate = %q, want 3 entries", got)
	}
}

func testHeadCAS(t *testing.T, s store.Store) {
	ctx := context.Background()
	head := func(old, new string) *store.HeadUpdate {
		h := &store.HeadUpdate{Name: "db", New: []byte(new)}
		if old != "" {
			h.Old = []byte(old)
		}
		return h
	}
	// Updating a head that does not exist conflicts.
	if err := s.Write(ctx, store.Batch{Head: head("x", "c1")}); !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("update of a missing head: %v, want ErrHeadConflict", err)
	}
	wantHead(t, s, "db", nil)
	write(t, s, store.Batch{Head: head("", "c1")})
	wantHead(t, s, "db", []byte("c1"))
	// Creating it again conflicts, with nil or empty Old.
	if err := s.Write(ctx, store.Batch{Head: head("", "c2")}); !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("second create: %v, want ErrHeadConflict", err)
	}
	err := s.Write(ctx, store.Batch{Head: &store.HeadUpdate{Name: "db", Old: []byte{}, New: []byte("c2")}})
	if !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("second create with empty Old: %v, want ErrHeadConflict", err)
	}
	write(t, s, store.Batch{Head: head("c1", "c2")})
	wantHead(t, s, "db", []byte("c2"))
	if err := s.Write(ctx, store.Batch{Head: head("c1", "c3")}); !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("stale Old: %v, want ErrHeadConflict", err)
	}
	wantHead(t, s, "db", []byte("c2"))
	// Setting the same value again is an ordinary successful update.
	write(t, s, store.Batch{Head: head("c2", "c2")})
	wantHead(t, s, "db", []byte("c2"))
}

func testHeadConflictWritesNothing(t *testing.T, s store.Store) {
	ctx := context.Background()
	write(t, s, store.Batch{Puts: puts("n1", "v1"), Head: &store.HeadUpdate{Name: "db", New: []byte("n1")}})
	err := s.Write(ctx, store.Batch{
		Puts: puts("n2", "v2", "n3", "v3"),
		Head: &store.HeadUpdate{Name: "db", Old: []byte("wrong"), New: []byte("n3")},
	})
	if !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("Write with wrong Old: %v, want ErrHeadConflict", err)
	}
	wantMissing(t, s, "n2")
	wantMissing(t, s, "n3")
	wantHead(t, s, "db", []byte("n1"))
	// A conflicting create writes nothing either.
	err = s.Write(ctx, store.Batch{Puts: puts("n4", "v4"), Head: &store.HeadUpdate{Name: "db", New: []byte("n4")}})
	if !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("create of an existing head: %v, want ErrHeadConflict", err)
	}
	wantMissing(t, s, "n4")
	if got := collect(t, s, ""); len(got) != 1 {
		t.Fatalf("Iterate = %q, want only n1", got)
	}
	write(t, s, store.Batch{Puts: puts("n2", "v2"), Head: &store.HeadUpdate{Name: "db", Old: []byte("n1"), New: []byte("n2")}})
	wantGet(t, s, "n2", []byte("v2"))
	wantHead(t, s, "db", []byte("n2"))
}

func testHeadsAreIndependent(t *testing.T, s store.Store) {
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: "db", New: []byte("a")}})
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: "other", New: []byte("b")}})
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: "db", Old: []byte("a"), New: []byte("c")}})
	wantHead(t, s, "db", []byte("c"))
	wantHead(t, s, "other", []byte("b"))
	// Heads are not immutable entries: Get does not see them, Iterate skips them.
	wantMissing(t, s, "db")
	if got := collect(t, s, ""); len(got) != 0 {
		t.Fatalf("Iterate = %q, want no entries", got)
	}
}

func testIterate(t *testing.T, s store.Store) {
	keys := []string{"n/b", "n/a", "m/z", "n/c", "n", "o", "n/a/1", "nn"}
	var kvs []store.KV
	for _, k := range keys {
		kvs = append(kvs, store.KV{Key: k, Value: []byte("v:" + k)})
	}
	// Spread over several batches so backends cannot rely on batch order.
	write(t, s, store.Batch{Puts: kvs[:3]})
	write(t, s, store.Batch{Puts: kvs[3:]})
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"m/z", "n", "n/a", "n/a/1", "n/b", "n/c", "nn", "o"}},
		{"n/", []string{"n/a", "n/a/1", "n/b", "n/c"}},
		{"n", []string{"n", "n/a", "n/a/1", "n/b", "n/c", "nn"}},
		{"n/a", []string{"n/a", "n/a/1"}},
		{"p", nil},
		{"n/a/1/x", nil},
	} {
		got := collect(t, s, tc.prefix)
		if len(got) != len(tc.want) {
			t.Fatalf("Iterate(%q) = %q, want keys %q", tc.prefix, got, tc.want)
		}
		for i, k := range tc.want {
			if got[i].key != k || got[i].value != "v:"+k {
				t.Fatalf("Iterate(%q)[%d] = %q, want key %q", tc.prefix, i, got[i], k)
			}
		}
	}
}

func testIterateEarlyStop(t *testing.T, s store.Store) {
	var kvs []store.KV
	for i := range 20 {
		kvs = append(kvs, store.KV{Key: fmt.Sprintf("k%02d", i), Value: []byte{byte(i)}})
	}
	write(t, s, store.Batch{Puts: kvs})
	stop := errors.New("stop")
	var seen []string
	err := s.Iterate(context.Background(), "k", func(k string, v []byte) error {
		seen = append(seen, k)
		if len(seen) == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Iterate returned %v, want the callback's error", err)
	}
	if len(seen) != 5 || seen[4] != "k04" {
		t.Fatalf("Iterate visited %q after the callback failed", seen)
	}
}

func testIterateCallsStore(t *testing.T, s store.Store) {
	ctx := context.Background()
	write(t, s, store.Batch{Puts: puts("a", "1", "b", "2")})
	n := 0
	err := s.Iterate(ctx, "", func(k string, v []byte) error {
		n++
		got, err := s.Get(ctx, k)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, v) {
			return fmt.Errorf("Get(%q) = %q inside Iterate, want %q", k, got, v)
		}
		return s.Write(ctx, store.Batch{Puts: puts("z/"+k, "x")})
	})
	if err != nil {
		t.Fatalf("Iterate with a callback that reads and writes: %v", err)
	}
	if n < 2 {
		t.Fatalf("Iterate visited %d entries, want at least 2", n)
	}
	wantGet(t, s, "z/a", []byte("x"))
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	write(t, s, store.Batch{Puts: puts("a", "1", "b", "2", "c", "3"), Head: &store.HeadUpdate{Name: "db", New: []byte("h")}})
	if err := s.Delete(ctx, []string{"a", "c", "missing"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, s, "a")
	wantMissing(t, s, "c")
	wantGet(t, s, "b", []byte("2"))
	wantHead(t, s, "db", []byte("h"))
	if got := collect(t, s, ""); len(got) != 1 || got[0].key != "b" {
		t.Fatalf("Iterate after Delete = %q", got)
	}
	if err := s.Delete(ctx, nil); err != nil {
		t.Fatalf("Delete(nil): %v", err)
	}
	if err := s.Delete(ctx, []string{"a"}); err != nil {
		t.Fatalf("Delete of a deleted key: %v", err)
	}
	// A deleted key can be written again.
	write(t, s, store.Batch{Puts: puts("a", "again")})
	wantGet(t, s, "a", []byte("again"))
}

func testNotAliased(t *testing.T, s store.Store) {
	ctx := context.Background()
	val := []byte("original")
	head := []byte("head-1")
	write(t, s, store.Batch{Puts: []store.KV{{Key: "k", Value: val}}, Head: &store.HeadUpdate{Name: "db", New: head}})
	copy(val, "XXXXXXXX")
	copy(head, "XXXXXX")
	wantGet(t, s, "k", []byte("original"))
	wantHead(t, s, "db", []byte("head-1"))

	got, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	copy(got, "YYYYYYYY")
	wantGet(t, s, "k", []byte("original"))

	h, err := s.Head(ctx, "db")
	if err != nil {
		t.Fatal(err)
	}
	copy(h, "YYYYYY")
	wantHead(t, s, "db", []byte("head-1"))

	err = s.Iterate(ctx, "", func(k string, v []byte) error {
		copy(v, "ZZZZZZZZ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantGet(t, s, "k", []byte("original"))
}

func testContextCancelled(t *testing.T, s store.Store) {
	bg := context.Background()
	write(t, s, store.Batch{Puts: puts("a", "1", "b", "2", "c", "3"), Head: &store.HeadUpdate{Name: "db", New: []byte("h")}})
	ctx, cancel := context.WithCancel(bg)
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s with a cancelled context: %v, want context.Canceled", op, err)
		}
	}
	_, err := s.Get(ctx, "a")
	check("Get", err)
	_, err = s.Has(ctx, "a")
	check("Has", err)
	_, err = s.Head(ctx, "db")
	check("Head", err)
	check("Iterate", s.Iterate(ctx, "", func(string, []byte) error { return nil }))
	check("Write", s.Write(ctx, store.Batch{Puts: puts("x", "1"), Head: &store.HeadUpdate{Name: "db", Old: []byte("h"), New: []byte("x")}}))
	check("Delete", s.Delete(ctx, []string{"a"}))
	wantMissing(t, s, "x")
	wantGet(t, s, "a", []byte("1"))
	wantHead(t, s, "db", []byte("h"))

	// Cancelling during Iterate stops it.
	ctx, cancel = context.WithCancel(bg)
	defer cancel()
	n := 0
	err = s.Iterate(ctx, "", func(string, []byte) error {
		n++
		cancel()
		return nil
	})
	check("Iterate cancelled in the callback", err)
	if n != 1 {
		t.Fatalf("Iterate called fn %d times after its context was cancelled, want 1", n)
	}
}

// testHeadAndPutsVisibleTogether checks that a reader that sees a head also
// sees every entry written in the head's batch.
func testHeadAndPutsVisibleTogether(t *testing.T, s store.Store) {
	ctx := context.Background()
	const batches = 40
	done := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				h, err := s.Head(ctx, "db")
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					failed.Store(fmt.Sprintf("Head: %v", err))
					return
				}
				for j := range 3 {
					k := fmt.Sprintf("%s/%d", h, j)
					if _, err := s.Get(ctx, k); err != nil {
						failed.Store(fmt.Sprintf("head %s visible but Get(%q): %v", h, k, err))
						return
					}
				}
			}
		}()
	}
	var old []byte
	for i := range batches {
		name := fmt.Sprintf("c%03d", i)
		b := store.Batch{Head: &store.HeadUpdate{Name: "db", Old: old, New: []byte(name)}}
		for j := range 3 {
			b.Puts = append(b.Puts, store.KV{Key: fmt.Sprintf("%s/%d", name, j), Value: []byte(name)})
		}
		if err := s.Write(ctx, b); err != nil {
			close(done)
			wg.Wait()
			t.Fatalf("Write %d: %v", i, err)
		}
		old = []byte(name)
	}
	close(done)
	wg.Wait()
	if msg := failed.Load(); msg != nil {
		t.Fatal(msg)
	}
}

// testConcurrentWriters runs writers racing on one head, plus readers and
// iterators, and checks that every successful CAS is reflected exactly once.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := context.Background()
	const writers, perWriter = 4, 12
	var wg sync.WaitGroup
	var wins atomic.Int64
	errc := make(chan error, writers+2)
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				key := fmt.Sprintf("w%d/%03d", w, i)
				for {
					old, err := s.Head(ctx, "counter")
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						errc <- err
						return
					}
					n := 0
					if old != nil {
						fmt.Sscanf(string(old), "%d", &n)
					}
					err = s.Write(ctx, store.Batch{
						Puts: []store.KV{{Key: key, Value: []byte(key)}},
						Head: &store.HeadUpdate{Name: "counter", Old: old, New: fmt.Appendf(nil, "%d", n+1)},
					})
					if errors.Is(err, store.ErrHeadConflict) {
						continue
					}
					if err != nil {
						errc <- err
						return
					}
					wins.Add(1)
					break
				}
			}
		}()
	}
	var rg sync.WaitGroup
	rg.Add(1)
	go func() {
		defer rg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			prev := ""
			err := s.Iterate(ctx, "w", func(k string, v []byte) error {
				if k <= prev {
					return fmt.Errorf("Iterate out of order: %q after %q", k, prev)
				}
				if string(v) != k {
					return fmt.Errorf("Iterate: %q = %q", k, v)
				}
				prev = k
				return nil
			})
			if err != nil {
				errc <- err
				return
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
	wantHead(t, s, "counter", fmt.Appendf(nil, "%d", writers*perWriter))
	if got := collect(t, s, "w"); len(got) != writers*perWriter {
		t.Fatalf("Iterate found %d entries, want %d", len(got), writers*perWriter)
	}
}

func testClose(t *testing.T, s store.Store) {
	ctx := context.Background()
	write(t, s, store.Batch{Puts: puts("a", "1"), Head: &store.HeadUpdate{Name: "db", New: []byte("h")}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v, want nil", err)
	}
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrClosed) {
			t.Fatalf("%s after Close: %v, want ErrClosed", op, err)
		}
	}
	_, err := s.Get(ctx, "a")
	check("Get", err)
	_, err = s.Has(ctx, "a")
	check("Has", err)
	_, err = s.Head(ctx, "db")
	check("Head", err)
	check("Write", s.Write(ctx, store.Batch{Puts: puts("b", "2")}))
	check("Delete", s.Delete(ctx, []string{"a"}))
	check("Iterate", s.Iterate(ctx, "", func(string, []byte) error { return nil }))
}

func testPersistence(t *testing.T, open OpenFunc, reopen ReopenFunc) {
	ctx := context.Background()
	s := open(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 8192)
	var kvs []store.KV
	for i := range 50 {
		kvs = append(kvs, store.KV{Key: fmt.Sprintf("p%03d", i), Value: fmt.Appendf(nil, "value %d", i)})
	}
	kvs = append(kvs, store.KV{Key: "big", Value: big}, store.KV{Key: "\x00\xff", Value: nil})
	write(t, s, store.Batch{Puts: kvs[:25], Head: &store.HeadUpdate{Name: "db", New: []byte("h1")}})
	write(t, s, store.Batch{Puts: kvs[25:], Head: &store.HeadUpdate{Name: "db", Old: []byte("h1"), New: []byte("h2")}})
	write(t, s, store.Batch{Head: &store.HeadUpdate{Name: "other", New: []byte("o1")}})
	if err := s.Delete(ctx, []string{"p000", "p049"}); err != nil {
		t.Fatal(err)
	}
	_ = s.Write(ctx, store.Batch{Puts: puts("conflict", "x"), Head: &store.HeadUpdate{Name: "db", Old: []byte("h1"), New: []byte("h3")}})

	check := func(s store.Store) {
		t.Helper()
		wantHead(t, s, "db", []byte("h2"))
		wantHead(t, s, "other", []byte("o1"))
		wantMissing(t, s, "p000")
		wantMissing(t, s, "p049")
		wantMissing(t, s, "conflict")
		wantGet(t, s, "big", big)
		wantGet(t, s, "\x00\xff", []byte{})
		for _, kv := range kvs[1:49] {
			wantGet(t, s, kv.Key, kv.Value)
		}
		if got := collect(t, s, "p"); len(got) != 48 {
			t.Fatalf("Iterate(p) found %d entries, want 48", len(got))
		}
	}
	check(s)
	s = reopen(t, s)
	check(s)
	// The reopened store keeps working and its writes persist as well.
	write(t, s, store.Batch{Puts: puts("later", "l"), Head: &store.HeadUpdate{Name: "db", Old: []byte("h2"), New: []byte("h4")}})
	if err := s.Delete(ctx, []string{"p001"}); err != nil {
		t.Fatal(err)
	}
	write(t, s, store.Batch{Puts: puts("p000", "rewritten")})
	s = reopen(t, s)
	defer s.Close()
	wantHead(t, s, "db", []byte("h4"))
	wantGet(t, s, "later", []byte("l"))
	wantGet(t, s, "p000", []byte("rewritten"))
	wantMissing(t, s, "p001")
	wantGet(t, s, "big", big)
}
