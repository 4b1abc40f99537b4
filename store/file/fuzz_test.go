package file_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/vfs/crashfs"
)

// FuzzOpen feeds arbitrary bytes as the only segment and as the checkpoint:
// opening must never panic, and whatever opens must read back or report
// store.ErrCorrupt.
func FuzzOpen(f *testing.F) {
	ls := buildLog(f, 4)
	seg1, err := ls.fs.ReadFile("/db/00000001.seg")
	if err != nil {
		f.Fatal(err)
	}
	ckpt, err := ls.fs.ReadFile("/db/CHECKPOINT")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seg1, []byte(nil))
	f.Add(seg1[:len(seg1)-5], []byte(nil))
	f.Add(seg1, ckpt)
	f.Add([]byte{}, ckpt)
	f.Fuzz(func(t *testing.T, seg, ckpt []byte) {
		ctx := context.Background()
		fsys := crashfs.New()
		fsys.MkdirAll("/db")
		fsys.WriteFile("/db/00000001.seg", seg)
		if len(ckpt) > 0 {
			fsys.WriteFile("/db/CHECKPOINT", ckpt)
		}
		for _, open := range []func() (*file.Store, error){
			func() (*file.Store, error) { return file.OpenReadOnly(ctx, "/db", &file.Options{FS: fsys}) },
			func() (*file.Store, error) { return file.Open(ctx, "/db", &file.Options{FS: fsys}) },
		} {
			s, err := open()
			if err != nil {
				if !errors.Is(err, store.ErrCorrupt) {
					t.Fatalf("open: %v", err)
				}
				continue
			}
			err = s.Iterate(ctx, "", func(string, []byte) error { return nil })
			if err != nil && !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("Iterate: %v", err)
			}
			s.Close()
		}
	})
}
