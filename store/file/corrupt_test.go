package file_test

import (
	"context"
	"errors"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/vfs/crashfs"
)

// logStore is a closed store on crashfs holding numbered batches, with the
// layout of its last segment.
type logStore struct {
	fs      *crashfs.FS
	last    string // path of the last segment
	before  int    // batches in earlier segments
	ends    []int  // end offset of each batch of the last segment
	batches int
}

const cutSegSize = 2048

// buildLog writes numbered batches until the last segment holds at least
// minLast of them (and at least one segment is sealed).
func buildLog(t testing.TB, minLast int) logStore {
	t.Helper()
	fsys := crashfs.New()
	s := mustOpen(t, "/db", &file.Options{FS: fsys, SegmentSize: cutSegSize})
	var ls logStore
	for i := 0; ; i++ {
		mustWrite(t, s, numberedBatch(i))
		segs := segments(t, fsys, "/db")
		last := path.Join("/db", segs[len(segs)-1])
		size := fileSize(t, fsys, last)
		if last != ls.last {
			ls.before += len(ls.ends)
			ls.last, ls.ends = last, nil
		}
		ls.ends = append(ls.ends, size)
		ls.batches = i + 1
		if len(segs) > 1 && len(ls.ends) >= minLast {
			break
		}
		if i > 1000 {
			t.Fatal("could not build the test log")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ls.fs = fsys
	t.Logf("test log: %d batches in sealed segments, %d in the last one (%d bytes)", ls.before, len(ls.ends), ls.ends[len(ls.ends)-1])
	return ls
}

// wholeBefore returns how many batches survive when the last segment is
// valid only up to offset off.
func (ls logStore) wholeBefore(off int) int {
	n := ls.before
	if off < 16 { // segment header
		return n
	}
	for _, end := range ls.ends {
		if end <= off {
			n++
		}
	}
	return n
}

// batchEnd returns the end offset of the valid prefix of n batches in the
// last segment (the header size when none of its batches survive).
func (ls logStore) validEnd(n int) int {
	if n == ls.before {
		return 16
	}
	return ls.ends[n-ls.before-1]
}

// damaged returns a copy of the store with the last segment replaced by seg.
func (ls logStore) damaged(t *testing.T, seg []byte, dropCheckpoint bool) *crashfs.FS {
	t.Helper()
	fsys := ls.fs.Clone()
	if err := fsys.WriteFile(ls.last, seg); err != nil {
		t.Fatal(err)
	}
	if dropCheckpoint {
		fsys.WriteFile("/db/CHECKPOINT", []byte("garbage"))
	}
	return fsys
}

func fileSize(t testing.TB, fsys *crashfs.FS, name string) int {
	t.Helper()
	b, err := fsys.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

// checkDamaged opens a damaged copy read-only and for writing and checks
// that both see exactly the first want batches, that the reader leaves the
// file alone and that the writer cuts it to the last whole batch.
func (ls logStore) checkDamaged(t *testing.T, seg []byte, want int, what string, writeAfter bool) {
	t.Helper()
	ctx := context.Background()
	dropCheckpoint := len(seg)%7 == 0 // vary: full replay or from the checkpoint

	fsys := ls.damaged(t, seg, dropCheckpoint)
	r, err := file.OpenReadOnly(ctx, "/db", &file.Options{FS: fsys, SegmentSize: cutSegSize})
	if err != nil {
		t.Fatalf("%s: OpenReadOnly: %v", what, err)
	}
	checkPrefix(t, r, want)
	r.Close()
	if got := fileSize(t, fsys, ls.last); got != len(seg) {
		t.Fatalf("%s: read-only open changed the segment size from %d to %d", what, len(seg), got)
	}

	var logs logCounter
	s, err := file.Open(ctx, "/db", &file.Options{FS: fsys, SegmentSize: cutSegSize, Logger: newTestLogger(&logs)})
	if err != nil {
		t.Fatalf("%s: Open: %v", what, err)
	}
	checkPrefix(t, s, want)
	wantSize := ls.validEnd(want)
	if got := fileSize(t, fsys, ls.last); got != wantSize {
		t.Fatalf("%s: writer open left the segment at %d bytes, want %d", what, got, wantSize)
	}
	if wantSize < len(seg) && !strings.Contains(logs.String(), "cutting invalid tail") {
		t.Fatalf("%s: the cut was not logged; log:\n%s", what, logs.String())
	}
	if writeAfter {
		// The repaired log takes new batches, and they survive a crash.
		mustWrite(t, s, numberedBatch(want))
		fsys = fsys.Crash(nil)
		s.Close()
		s = mustOpen(t, "/db", &file.Options{FS: fsys, SegmentSize: cutSegSize})
		checkPrefix(t, s, want+1)
	}
	s.Close()
}

// TestCutLastSegment cuts the last segment at every byte offset.
func TestCutLastSegment(t *testing.T) {
	t.Parallel()
	ls := buildLog(t, 4)
	seg, err := ls.fs.ReadFile(ls.last)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= len(seg); cut++ {
		ls.checkDamaged(t, seg[:cut], ls.wholeBefore(cut), "cut at "+strconv.Itoa(cut), cut%61 == 0)
	}
}

// TestFlipBitsInLastSegment flips one bit at every byte offset of the last
// segment: the batch holding it and everything after it must go.
func TestFlipBitsInLastSegment(t *testing.T) {
	t.Parallel()
	ls := buildLog(t, 4)
	seg, err := ls.fs.ReadFile(ls.last)
	if err != nil {
		t.Fatal(err)
	}
	for off := range seg {
		bad := append([]byte(nil), seg...)
		bad[off] ^= 1 << (off % 8)
		ls.checkDamaged(t, bad, ls.wholeBefore(off), "bit flipped at "+strconv.Itoa(off), off%61 == 0)
	}
}

// TestGarbageTail appends junk that is not a batch: zeros (a file extended
// by the FS but never written) and random bytes.
func TestGarbageTail(t *testing.T) {
	t.Parallel()
	ls := buildLog(t, 4)
	seg, _ := ls.fs.ReadFile(ls.last)
	for _, junk := range [][]byte{make([]byte, 4096), []byte("not a batch header at all"), {0xff}} {
		bad := append(append([]byte(nil), seg...), junk...)
		ls.checkDamaged(t, bad, ls.batches, "junk tail", true)
	}
}

// TestCorruptSealedSegment: damage before the last segment is not a torn
// tail, and Open must refuse rather than drop later batches.
func TestCorruptSealedSegment(t *testing.T) {
	t.Parallel()
	ls := buildLog(t, 4)
	first := "/db/00000001.seg"
	data, _ := ls.fs.ReadFile(first)
	// Inside the value of the first put of the first batch: segment header,
	// batch header, record header, key "b000000/0".
	data[16+20+13+9+2] ^= 0x10
	fsys := ls.fs.Clone()
	fsys.WriteFile(first, data)
	fsys.WriteFile("/db/CHECKPOINT", nil) // force a full replay
	_, err := file.Open(context.Background(), "/db", &file.Options{FS: fsys})
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Open with a corrupt sealed segment: %v, want ErrCorrupt", err)
	}
	if _, err := file.OpenReadOnly(context.Background(), "/db", &file.Options{FS: fsys}); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("OpenReadOnly with a corrupt sealed segment: %v, want ErrCorrupt", err)
	}

	// With the checkpoint in place the damage is found by Get instead.
	fsys = ls.fs.Clone()
	fsys.WriteFile(first, data)
	s := mustOpen(t, "/db", &file.Options{FS: fsys})
	defer s.Close()
	var corrupt int
	for i := range ls.batches {
		for _, k := range batchKeys(i) {
			if _, err := s.Get(context.Background(), k); errors.Is(err, store.ErrCorrupt) {
				corrupt++
			} else if err != nil {
				t.Fatalf("Get(%s): %v", k, err)
			}
		}
	}
	if corrupt != 1 {
		t.Fatalf("%d values reported corrupt, want 1", corrupt)
	}
}

// TestCheckpointDamage: a corrupt, truncated or missing checkpoint only
// costs a full replay.
func TestCheckpointDamage(t *testing.T) {
	t.Parallel()
	ls := buildLog(t, 4)
	ckpt, err := ls.fs.ReadFile("/db/CHECKPOINT")
	if err != nil {
		t.Fatalf("no checkpoint written: %v", err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", ckpt[:len(ckpt)/2]},
		{"flipped", func() []byte { b := append([]byte(nil), ckpt...); b[len(b)/3] ^= 4; return b }()},
		{"empty", nil},
		{"missing", nil},
	} {
		fsys := ls.fs.Clone()
		if tc.name == "missing" {
			fsys.Remove("/db/CHECKPOINT")
		} else {
			fsys.WriteFile("/db/CHECKPOINT", tc.data)
		}
		var logs logCounter
		s, err := file.Open(context.Background(), "/db", &file.Options{FS: fsys, Logger: newTestLogger(&logs)})
		if err != nil {
			t.Fatalf("%s checkpoint: Open: %v", tc.name, err)
		}
		checkPrefix(t, s, ls.batches)
		s.Close()
		if tc.name != "missing" && !strings.Contains(logs.String(), "ignoring checkpoint") {
			t.Fatalf("%s checkpoint: not logged; log:\n%s", tc.name, logs.String())
		}
	}
}
