package file_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/vfs"
	"github.com/cairn-db/cairn/store/vfs/crashfs"
)

var errInjected = errors.New("injected I/O error")

// model is the expected content of a store: entries and head "db".
type model struct {
	entries map[string]string
	head    string
}

func (m model) clone() model { return model{entries: maps.Clone(m.entries), head: m.head} }

// op is a random Write or Delete and its effect on a model.
type op struct {
	batch  *store.Batch
	delete []string
}

func (o op) run(ctx context.Context, s store.Store) error {
	if o.batch != nil {
		return s.Write(ctx, *o.batch)
	}
	return s.Delete(ctx, o.delete)
}

func (o op) apply(m model) model {
	m = m.clone()
	if o.batch != nil {
		for _, kv := range o.batch.Puts {
			if _, ok := m.entries[kv.Key]; !ok {
				m.entries[kv.Key] = string(kv.Value)
			}
		}
		if h := o.batch.Head; h != nil {
			m.head = string(h.New)
		}
		return m
	}
	for _, k := range o.delete {
		delete(m.entries, k)
	}
	return m
}

func randomOp(rng *rand.Rand, m model, n *int) op {
	if len(m.entries) > 0 && rng.IntN(5) == 0 {
		keys := sortedKeys(m.entries)
		var del []string
		for range 1 + rng.IntN(3) {
			del = append(del, keys[rng.IntN(len(keys))])
		}
		return op{delete: append(del, "never-written")}
	}
	*n++
	b := &store.Batch{}
	for j := range rng.IntN(6) {
		v := make([]byte, rng.IntN(700))
		for k := range v {
			v[k] = byte(rng.Uint32())
		}
		b.Puts = append(b.Puts, store.KV{Key: fmt.Sprintf("k%05d/%d", *n, j), Value: v})
	}
	if len(m.entries) > 0 && rng.IntN(4) == 0 { // an existing key: a no-op
		keys := sortedKeys(m.entries)
		b.Puts = append(b.Puts, store.KV{Key: keys[rng.IntN(len(keys))], Value: []byte("other")})
	}
	if rng.IntN(3) > 0 || len(b.Puts) == 0 {
		b.Head = &store.HeadUpdate{Name: "db", Old: []byte(m.head), New: fmt.Appendf(nil, "h%05d", *n)}
	}
	return op{batch: b}
}

// TestCrashRandom runs random batches on crashfs, fails every I/O operation
// from a random point on (the moment of the crash), crashes with torn
// tails, reopens and checks the store holds exactly what was acknowledged,
// plus possibly the one batch in flight, whole.
func TestCrashRandom(t *testing.T) {
	t.Parallel()
	seeds := 40
	if testing.Short() {
		seeds = 10
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			crashRandom(t, seed)
		})
	}
}

func crashRandom(t *testing.T, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0xca1a))
	opts := &file.Options{SegmentSize: int64(512 + rng.IntN(8192))}
	fsys := crashfs.New()
	m := model{entries: map[string]string{}}
	n := 0
	for round := range 4 {
		opts.FS = fsys
		s, err := file.Open(ctx, "/db", opts)
		if err != nil {
			t.Fatalf("round %d: Open after crash: %v", round, err)
		}
		got, head := snapshot(t, s)
		if !sameEntries(got, m.entries) || head != m.head {
			t.Fatalf("round %d: store does not match the acknowledged writes:\n got %d entries, head %q\nwant %d entries, head %q",
				round, len(got), head, len(m.entries), m.head)
		}

		var ops atomic.Int64
		crashAt := int64(rng.IntN(150))
		fsys.Inject(func(crashfs.Op, string) error {
			if ops.Add(1) > crashAt {
				return errInjected
			}
			return nil
		})
		var pending *op
		for range 60 {
			o := randomOp(rng, m, &n)
			if err := o.run(ctx, s); err != nil {
				if !errors.Is(err, errInjected) {
					t.Fatalf("round %d: unexpected error: %v", round, err)
				}
				pending = &o
				break
			}
			m = o.apply(m)
		}
		var tear *rand.Rand
		if rng.IntN(2) == 0 {
			tear = rng
		}
		fsys = fsys.Crash(tear)
		s.Close()

		// Open once to learn whether the batch in flight survived.
		opts.FS = fsys
		s, err = file.Open(ctx, "/db", opts)
		if err != nil {
			t.Fatalf("round %d: Open after crash: %v", round, err)
		}
		got, head = snapshot(t, s)
		switch {
		case sameEntries(got, m.entries) && head == m.head:
		case pending != nil && func() bool {
			m2 := pending.apply(m)
			if sameEntries(got, m2.entries) && head == m2.head {
				m = m2
				return true
			}
			return false
		}():
		default:
			t.Fatalf("round %d: after the crash the store holds %d entries, head %q; want the %d acknowledged entries, head %q (or with the batch in flight applied whole)",
				round, len(got), head, len(m.entries), m.head)
		}
		s.Close()
	}
}

// TestStickyFsyncError: a failed fsync fails the Write, the batch is not
// visible, and every later Write is refused without touching the disk.
func TestStickyFsyncError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fsys := crashfs.New()
	s := mustOpen(t, "/db", &file.Options{FS: fsys})
	mustWrite(t, s, numberedBatch(0))

	var failSync atomic.Bool
	var opsAfter atomic.Int64
	fsys.Inject(func(op crashfs.Op, name string) error {
		opsAfter.Add(1)
		if op == crashfs.OpSync && failSync.Load() {
			return errInjected
		}
		return nil
	})
	failSync.Store(true)
	err := s.Write(ctx, numberedBatch(1))
	if !errors.Is(err, store.ErrBroken) || !errors.Is(err, errInjected) {
		t.Fatalf("Write with a failing fsync: %v, want ErrBroken wrapping the fsync error", err)
	}
	failSync.Store(false)
	checkPrefix(t, s, 1) // the failed batch is not visible

	opsAfter.Store(0)
	if err := s.Write(ctx, numberedBatch(1)); !errors.Is(err, store.ErrBroken) {
		t.Fatalf("Write after a failed fsync: %v, want ErrBroken", err)
	}
	if err := s.Delete(ctx, batchKeys(0)); !errors.Is(err, store.ErrBroken) {
		t.Fatalf("Delete after a failed fsync: %v, want ErrBroken", err)
	}
	if n := opsAfter.Load(); n != 0 {
		t.Fatalf("refused writes did %d file-system operations, want 0 (never retry)", n)
	}
	checkPrefix(t, s, 1) // reads keep working
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening recovers to the last durable batch and writes again.
	fsys = fsys.Crash(nil)
	s = mustOpen(t, "/db", &file.Options{FS: fsys})
	checkPrefix(t, s, 1)
	mustWrite(t, s, numberedBatch(1))
	checkPrefix(t, s, 2)
	s.Close()
}

// TestFailedWriteIsSticky: a failed append (a short write, ENOSPC) is as
// fatal as a failed fsync, since the tail of the file is now unknown.
func TestFailedWriteIsSticky(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fsys := crashfs.New()
	s := mustOpen(t, "/db", &file.Options{FS: fsys})
	defer s.Close()
	fsys.Inject(func(op crashfs.Op, name string) error {
		if op == crashfs.OpWrite {
			return errInjected
		}
		return nil
	})
	if err := s.Write(ctx, numberedBatch(0)); !errors.Is(err, store.ErrBroken) {
		t.Fatalf("Write with a failing append: %v, want ErrBroken", err)
	}
	fsys.Inject(nil)
	if err := s.Write(ctx, numberedBatch(0)); !errors.Is(err, store.ErrBroken) {
		t.Fatalf("Write after a failed append: %v, want ErrBroken", err)
	}
}

// TestReaderFollowsWriter: a read-only store in the same process follows a
// live writer through segment rollovers and always sees a consistent
// prefix.
func TestReaderFollowsWriter(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"crashfs", "os"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			opts := &file.Options{SegmentSize: 2048}
			dir, batches := "/db", 150
			if name == "crashfs" {
				opts.FS = crashfs.New()
			} else {
				// Real fsyncs: fewer, smaller segments.
				dir, batches = t.TempDir(), 40
				opts.SegmentSize = 1024
			}
			w := mustOpen(t, dir, opts)
			defer w.Close()
			r, err := file.OpenReadOnly(ctx, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			checkPrefix(t, r, 0)

			var wg sync.WaitGroup
			wg.Add(1)
			var werr error
			var failed atomic.Bool
			go func() {
				defer wg.Done()
				for i := range batches {
					if werr = w.Write(ctx, numberedBatch(i)); werr != nil {
						failed.Store(true)
						return
					}
				}
			}()
			last := -1
			for last < batches-1 {
				if err := r.Refresh(ctx); err != nil {
					t.Fatalf("Refresh: %v", err)
				}
				h := headNumber(t, r)
				if h < last {
					t.Fatalf("head went back from %d to %d", last, h)
				}
				if h != last {
					// Everything up to the head is there: spot-check the head's
					// batch and one before it.
					for _, i := range []int{h, h / 2} {
						for j, k := range batchKeys(i) {
							v, err := r.Get(ctx, k)
							if err != nil || string(v) != string(batchValue(i, j)) {
								t.Fatalf("head %d visible but Get(%s): %v", h, k, err)
							}
						}
					}
				}
				last = h
				if failed.Load() {
					break
				}
			}
			wg.Wait()
			if werr != nil {
				t.Fatal(werr)
			}
			checkPrefix(t, r, batches)
			fsys := opts.FS
			if fsys == nil {
				fsys = vfs.OS
			}
			if got := len(segments(t, fsys, dir)); got < 3 {
				t.Fatalf("only %d segments: the test did not cover rollover", got)
			}
		})
	}
}

// TestReaderDoesNotCut: a read-only open of a log with a torn tail leaves
// it alone, and a writer that then appends is followed correctly.
func TestReaderDoesNotCut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ls := buildLog(t, 4)
	seg, _ := ls.fs.ReadFile(ls.last)
	torn := append(append([]byte(nil), seg...), seg[16:40]...) // a torn copy of a batch
	fsys := ls.fs.Clone()
	fsys.WriteFile(ls.last, torn)
	opts := &file.Options{FS: fsys, SegmentSize: cutSegSize}
	r, err := file.OpenReadOnly(ctx, "/db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkPrefix(t, r, ls.batches)
	if got := fileSize(t, fsys, ls.last); got != len(torn) {
		t.Fatalf("reader changed the segment from %d to %d bytes", len(torn), got)
	}
	// The writer cuts the tail and appends; the reader picks that up.
	w := mustOpen(t, "/db", opts)
	defer w.Close()
	for i := ls.batches; i < ls.batches+20; i++ {
		mustWrite(t, w, numberedBatch(i))
	}
	if err := r.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	checkPrefix(t, r, ls.batches+20)
}
