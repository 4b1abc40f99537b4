package mem_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return mem.New() })
}

// Entries under 32-byte keys live in slabs: they survive the slabs
// filling up, a delete of most of them (which compacts), and list in key
// order among entries under other keys.
func TestSlabs(t *testing.T) {
	ctx := context.Background()
	s := mem.New()
	key := func(i int) string { return fmt.Sprintf("%032d", i) }
	val := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100+i%5000) }
	const n = 3000
	var puts []store.KV
	for i := range n {
		puts = append(puts, store.KV{Key: key(i), Value: val(i)})
	}
	puts = append(puts, store.KV{Key: "short", Value: []byte("s")}, store.KV{Key: key(0) + "x", Value: []byte("long")})
	if err := s.Write(ctx, store.Batch{Puts: puts}); err != nil {
		t.Fatal(err)
	}
	var del []string
	for i := range n {
		if i%10 != 0 {
			del = append(del, key(i))
		}
	}
	if err := s.Delete(ctx, del); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		got, err := s.Get(ctx, key(i))
		switch {
		case i%10 != 0 && !errors.Is(err, store.ErrNotFound):
			t.Fatalf("deleted %d: %v", i, err)
		case i%10 == 0 && (err != nil || !bytes.Equal(got, val(i))):
			t.Fatalf("kept %d: %v, %d bytes", i, err, len(got))
		}
	}
	// A deleted key can be written again, with other bytes.
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: key(1), Value: []byte("again")}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, key(1)); err != nil || string(got) != "again" {
		t.Fatalf("rewritten: %q, %v", got, err)
	}
	var keys []string
	if err := s.Iterate(ctx, "", func(k string, v []byte) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != n/10+3 || !sort.StringsAreSorted(keys) || keys[1] != key(0)+"x" || keys[len(keys)-1] != "short" {
		t.Fatalf("Iterate: %d keys, sorted %v, %q ... %q", len(keys), sort.StringsAreSorted(keys), keys[1], keys[len(keys)-1])
	}
}

// Slabs stay small: a store grows in slabs of at most MaxSlab (a value
// larger than that gets one of its own), so no write allocates megabytes at
// once, and the capacity held beyond the bytes stored stays about one slab.
func TestSlabSizes(t *testing.T) {
	ctx := context.Background()
	s := mem.New()
	stored := 0
	for i := range 10000 {
		v := bytes.Repeat([]byte{byte(i)}, 1000)
		if i == 5000 {
			v = bytes.Repeat([]byte{7}, 3*mem.MaxSlab) // an oversized value
		}
		if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: fmt.Sprintf("%032d", i), Value: v}}}); err != nil {
			t.Fatal(err)
		}
		stored += len(v)
	}
	caps := mem.SlabCaps(s)
	total, big := 0, 0
	for _, c := range caps {
		total += c
		if c > mem.MaxSlab {
			big++
			if c != 3*mem.MaxSlab {
				t.Errorf("a slab of %d bytes; only the oversized value's may exceed %d", c, mem.MaxSlab)
			}
		}
	}
	if big != 1 {
		t.Errorf("%d slabs over %d bytes, want 1 (the oversized value's)", big, mem.MaxSlab)
	}
	// Each slab wastes less than one value at its end, plus the last
	// slab's free room and the slab the oversized value interrupted: at
	// most 64 KiB each.
	if limit := stored + len(caps)*1000 + 2*(64<<10); total > limit {
		t.Errorf("slabs hold %d bytes of capacity for %d bytes stored (limit %d)", total, stored, limit)
	}
	if got, err := s.Get(ctx, fmt.Sprintf("%032d", 5000)); err != nil || len(got) != 3*mem.MaxSlab {
		t.Fatalf("oversized value: %d bytes, %v", len(got), err)
	}
}
