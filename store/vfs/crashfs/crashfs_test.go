package crashfs_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/store/vfs"
	"github.com/cairn-db/cairn/store/vfs/crashfs"
)

func create(t *testing.T, fsys *crashfs.FS, name string, data string, sync bool) vfs.File {
	t.Helper()
	f, err := fsys.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func content(t *testing.T, fsys *crashfs.FS, name string) string {
	t.Helper()
	b, err := fsys.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "<missing>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCrashDropsUnsynced(t *testing.T) {
	fsys := crashfs.New()
	if err := fsys.MkdirAll("/d"); err != nil {
		t.Fatal(err)
	}
	synced := create(t, fsys, "/d/synced", "abc", true)
	synced.Write([]byte("def")) // not synced
	create(t, fsys, "/d/nodirsync", "x", true)
	// Only "synced" and "nodirsync" exist when the directory is synced;
	// "late" is created after.
	if err := fsys.SyncDir("/d"); err != nil {
		t.Fatal(err)
	}
	create(t, fsys, "/d/late", "y", true)
	if err := fsys.Rename("/d/nodirsync", "/d/renamed"); err != nil {
		t.Fatal(err)
	}

	after := fsys.Crash(nil)
	for name, want := range map[string]string{
		"/d/synced":    "abc",
		"/d/nodirsync": "x", // the rename was not synced
		"/d/renamed":   "<missing>",
		"/d/late":      "<missing>",
	} {
		if got := content(t, after, name); got != want {
			t.Errorf("%s after crash = %q, want %q", name, got, want)
		}
	}
	if _, err := synced.Write([]byte("z")); !errors.Is(err, crashfs.ErrCrashed) {
		t.Errorf("write to a crashed FS: %v, want ErrCrashed", err)
	}
}

func TestTruncateBelowSynced(t *testing.T) {
	fsys := crashfs.New()
	f := create(t, fsys, "/f", "0123456789", true)
	f.Truncate(4)
	f.Write([]byte("XY"))
	if got := content(t, fsys, "/f"); got != "0123XY" {
		t.Fatalf("live content %q", got)
	}
	fsys.SyncDir("/")
	// The truncate was not synced: the old content survives.
	if got := content(t, fsys.Clone().Crash(nil), "/f"); got != "0123456789" {
		t.Fatalf("after crash %q, want the synced content", got)
	}
	f.Sync()
	if got := content(t, fsys.Crash(nil), "/f"); got != "0123XY" {
		t.Fatalf("after sync and crash %q", got)
	}
}

func TestTornTailIsAPrefix(t *testing.T) {
	seen := map[int]bool{}
	for seed := range uint64(200) {
		fsys := crashfs.New()
		f := create(t, fsys, "/f", "durable|", true)
		fsys.SyncDir("/")
		f.Write([]byte("0123456789"))
		got := content(t, fsys.Crash(rand.New(rand.NewPCG(seed, 1))), "/f")
		if !bytes.HasPrefix([]byte("durable|0123456789"), []byte(got)) || len(got) < len("durable|") {
			t.Fatalf("torn content %q is not durable data plus a prefix of the rest", got)
		}
		seen[len(got)] = true
	}
	if !seen[8] || !seen[18] || len(seen) < 6 {
		t.Fatalf("torn lengths seen: %v", seen)
	}
}

func TestLockAndInject(t *testing.T) {
	fsys := crashfs.New()
	l, err := fsys.Lock("/LOCK")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Lock("/LOCK"); !errors.Is(err, vfs.ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	}
	l.Close()
	l, err = fsys.Lock("/LOCK")
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	l.Close()

	boom := errors.New("boom")
	f := create(t, fsys, "/f", "a", true)
	fsys.Inject(func(op crashfs.Op, name string) error {
		if op == crashfs.OpSync && name == "/f" {
			return boom
		}
		return nil
	})
	f.Write([]byte("b"))
	if err := f.Sync(); !errors.Is(err, boom) {
		t.Fatalf("Sync: %v, want the injected error", err)
	}
	fsys.SyncDir("/")
	if got := content(t, fsys.Crash(nil), "/f"); got != "a" {
		t.Fatalf("after a failed sync and crash %q, want %q", got, "a")
	}
}
