package file_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/storetest"
	"github.com/cairn-db/cairn/store/vfs/crashfs"
)

func TestConformanceOS(t *testing.T) {
	var mu sync.Mutex
	dirs := map[store.Store]string{}
	storetest.RunWithReopen(t, func(t *testing.T) store.Store {
		dir := t.TempDir()
		s := mustOpen(t, dir, &file.Options{SegmentSize: 64 << 10})
		mu.Lock()
		dirs[s] = dir
		mu.Unlock()
		return s
	}, func(t *testing.T, old store.Store) store.Store {
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		dir, ok := dirs[old]
		if !ok {
			t.Fatal("reopen of an unknown store")
		}
		s := mustOpen(t, dir, &file.Options{SegmentSize: 64 << 10})
		dirs[s] = dir
		return s
	})
}

// TestConformanceCrashFS runs the suite on the crash-simulating FS, where a
// reopen is a crash: anything not made durable by Write is lost.
func TestConformanceCrashFS(t *testing.T) {
	var mu sync.Mutex
	fss := map[store.Store]*crashfs.FS{}
	open := func(t *testing.T, fsys *crashfs.FS) store.Store {
		// A tiny segment size makes most batches roll over and checkpoint.
		s := mustOpen(t, "/db", &file.Options{FS: fsys, SegmentSize: 1024})
		mu.Lock()
		fss[s] = fsys
		mu.Unlock()
		return s
	}
	storetest.RunWithReopen(t, func(t *testing.T) store.Store {
		return open(t, crashfs.New())
	}, func(t *testing.T, old store.Store) store.Store {
		mu.Lock()
		fsys, ok := fss[old]
		mu.Unlock()
		if !ok {
			t.Fatal("reopen of an unknown store")
		}
		// Crash first: Close must not be what makes data durable.
		next := fsys.Crash(nil)
		old.Close()
		return open(t, next)
	})
}

func TestSecondWriterIsLocked(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	_, err := file.Open(ctx, dir, nil)
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, "LOCK")) {
		t.Fatalf("error %q does not name the lock file", err)
	}
	// A reader does not need the lock.
	r, err := file.OpenReadOnly(ctx, dir, nil)
	if err != nil {
		t.Fatalf("OpenReadOnly next to a writer: %v", err)
	}
	if err := r.Write(ctx, numberedBatch(0)); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("Write on a read-only store: %v, want ErrReadOnly", err)
	}
	if err := r.Delete(ctx, []string{"x"}); !errors.Is(err, store.ErrReadOnly) {
		t.Fatalf("Delete on a read-only store: %v, want ErrReadOnly", err)
	}
	r.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	s.Close()

	// The same on crashfs.
	fsys := crashfs.New()
	s = mustOpen(t, "/db", &file.Options{FS: fsys})
	if _, err := file.Open(ctx, "/db", &file.Options{FS: fsys}); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open on crashfs: %v, want ErrLocked", err)
	}
	s.Close()
	mustOpen(t, "/db", &file.Options{FS: fsys}).Close()
}

func TestOneFsyncPerBatch(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	before := s.Stats()
	for i := range 10 {
		mustWrite(t, s, numberedBatch(i))
	}
	// Rewriting existing keys with no head writes nothing.
	mustWrite(t, s, store.Batch{Puts: numberedBatch(3).Puts})
	st := s.Stats()
	if got := st.Fsyncs - before.Fsyncs; got != 10 {
		t.Fatalf("10 batches took %d fsyncs, want 10", got)
	}
	if got := st.BatchesWritten - before.BatchesWritten; got != 10 {
		t.Fatalf("BatchesWritten = %d, want 10", got)
	}
	if st.BytesWritten == 0 {
		t.Fatal("BytesWritten = 0")
	}
}

func TestOptionsValidation(t *testing.T) {
	if _, err := file.Open(context.Background(), t.TempDir(), &file.Options{SegmentSize: -1}); err == nil {
		t.Fatal("negative SegmentSize accepted")
	}
	opts := &file.Options{}
	s := mustOpen(t, t.TempDir(), opts)
	s.Close()
	if *opts != (file.Options{}) {
		t.Fatalf("Open modified the caller's options: %+v", opts)
	}
}

func TestTooLarge(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	err := s.Write(context.Background(), store.Batch{Puts: []store.KV{{Key: strings.Repeat("k", file.MaxKeyLen+1)}}})
	if !errors.Is(err, file.ErrTooLarge) {
		t.Fatalf("huge key: %v, want ErrTooLarge", err)
	}
	mustWrite(t, s, numberedBatch(0))
	checkPrefix(t, s, 1)
}
