package mem_test

import (
	"context"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return mem.New() })
}

// Without Keep the store copies values in; with Keep it may keep them, and
// either way reads return the value written.
func TestKeep(t *testing.T) {
	ctx := context.Background()
	s := mem.New()
	v := []byte("copied")
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "a", Value: v}}}); err != nil {
		t.Fatal(err)
	}
	v[0] = 'X' // breaks the contract on purpose: the copy is unaffected
	if got, _ := s.Get(ctx, "a"); string(got) != "copied" {
		t.Fatalf("a = %q", got)
	}
	if err := s.Write(ctx, store.Batch{Puts: []store.KV{{Key: "b", Value: []byte("kept")}}, Keep: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "b"); string(got) != "kept" {
		t.Fatalf("b = %q", got)
	}
}
