package file_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/vfs"
)

// The tests write numbered batches: batch i puts 1–4 keys "bNNNNNN/j" with
// values derived from (i, j) and moves head "db" to "NNNNNN".

func batchKeys(i int) []string {
	n := 1 + i%4
	keys := make([]string, n)
	for j := range n {
		keys[j] = fmt.Sprintf("b%06d/%d", i, j)
	}
	return keys
}

func batchValue(i, j int) []byte {
	n := 8 + (i*37+j*101)%200
	v := make([]byte, n)
	for k := range v {
		v[k] = byte(i*7 + j*13 + k)
	}
	return v
}

func headID(i int) []byte { return fmt.Appendf(nil, "%06d", i) }

// numberedBatch is batch i; it expects head i-1 (none for i == 0).
func numberedBatch(i int) store.Batch {
	b := store.Batch{Head: &store.HeadUpdate{Name: "db", New: headID(i)}}
	if i > 0 {
		b.Head.Old = headID(i - 1)
	}
	for j, k := range batchKeys(i) {
		b.Puts = append(b.Puts, store.KV{Key: k, Value: batchValue(i, j)})
	}
	return b
}

// checkPrefix asserts that s holds exactly batches 0..n-1 of the numbered
// batches (no others, none partially).
func checkPrefix(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	h, err := s.Head(ctx, "db")
	if n == 0 {
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("head = %q, %v; want none", h, err)
		}
	} else if err != nil || !bytes.Equal(h, headID(n-1)) {
		t.Fatalf("head = %q, %v; want %q", h, err, headID(n-1))
	}
	want := 0
	for i := range n {
		want += len(batchKeys(i))
	}
	got := 0
	err = s.Iterate(ctx, "b", func(k string, v []byte) error {
		i, j, ok := parseKey(k)
		if !ok {
			return fmt.Errorf("unexpected key %q", k)
		}
		if i >= n {
			return fmt.Errorf("key %q of batch %d present, want only batches 0..%d", k, i, n-1)
		}
		if !bytes.Equal(v, batchValue(i, j)) {
			return fmt.Errorf("key %q has a wrong value", k)
		}
		got++
		return nil
	})
	if err != nil {
		t.Fatalf("Iterate: %v", err)
	}
	if got != want {
		t.Fatalf("store holds %d keys, want %d (batches 0..%d)", got, want, n-1)
	}
}

// parseKey splits "bNNNNNN/j" (fmt.Sscanf is too slow for the cut tests).
func parseKey(k string) (i, j int, ok bool) {
	if len(k) < 9 || k[0] != 'b' || k[7] != '/' {
		return 0, 0, false
	}
	i, err1 := strconv.Atoi(k[1:7])
	j, err2 := strconv.Atoi(k[8:])
	return i, j, err1 == nil && err2 == nil
}

// headNumber returns the batch number in head "db", or -1.
func headNumber(t *testing.T, s store.Store) int {
	t.Helper()
	h, err := s.Head(context.Background(), "db")
	if errors.Is(err, store.ErrNotFound) {
		return -1
	}
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	var n int
	if _, err := fmt.Sscanf(string(h), "%d", &n); err != nil {
		t.Fatalf("head %q: %v", h, err)
	}
	return n
}

func mustOpen(t testing.TB, dir string, opts *file.Options) *file.Store {
	t.Helper()
	s, err := file.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func mustWrite(t testing.TB, s store.Store, b store.Batch) {
	t.Helper()
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// segments returns the segment file names in dir, ascending.
func segments(t testing.TB, fsys vfs.FS, dir string) []string {
	t.Helper()
	names, err := fsys.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var segs []string
	for _, n := range names {
		if strings.HasSuffix(n, ".seg") {
			segs = append(segs, n)
		}
	}
	return segs
}

// snapshot returns every entry and head of s.
func snapshot(t *testing.T, s store.Store) (map[string]string, string) {
	t.Helper()
	m := make(map[string]string)
	err := s.Iterate(context.Background(), "", func(k string, v []byte) error {
		m[k] = string(v)
		return nil
	})
	if err != nil {
		t.Fatalf("Iterate: %v", err)
	}
	h, err := s.Head(context.Background(), "db")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Head: %v", err)
	}
	return m, string(h)
}

func sameEntries(a, b map[string]string) bool { return maps.Equal(a, b) }

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// testLogger logs through t.Log and counts messages containing a substring.
type logCounter struct {
	bytes.Buffer
}

func newTestLogger(buf *logCounter) *slog.Logger {
	return slog.New(slog.NewTextHandler(&buf.Buffer, nil))
}
