package server_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/server"
)

func TestRegistryLifecycleAndIdempotentTransact(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r, err := server.NewRegistry(dir, nil, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "../x", ".hidden", "a/b", string(make([]byte, 200))} {
		if err := r.Create(ctx, bad, core.Config{}); !errors.Is(err, server.ErrBadName) {
			t.Fatalf("name %q: got %v", bad, err)
		}
	}
	cfg := core.Config{Schema: `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}]`}
	if err := r.Create(ctx, "people", cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.Create(ctx, "people", cfg); !errors.Is(err, server.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	first, err := r.Transact(ctx, "people", `[{:db/id "a" :name "Ann"}]`, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if first.Replayed || first.Tempids["a"] == 0 {
		t.Fatalf("first call: %+v", first)
	}
	again, err := r.Transact(ctx, "people", `[{:db/id "a" :name "Ann"}]`, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.TxID != first.TxID {
		t.Fatalf("retry was applied again: %+v vs %+v", again, first)
	}
	// Restart: the key is durable.
	r.Close()
	r, err = server.NewRegistry(dir, nil, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	again, err = r.Transact(ctx, "people", `[{:db/id "a" :name "Ann"}]`, "key-1")
	if err != nil || !again.Replayed || again.TxID != first.TxID {
		t.Fatalf("retry after restart: %+v %v", again, err)
	}
	names, err := r.List()
	if err != nil || len(names) != 1 || names[0] != "people" {
		t.Fatalf("list: %v %v", names, err)
	}
	if err := r.Delete(ctx, "people"); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Exists(ctx, "people"); ok || err != nil {
		t.Fatalf("exists after delete: %v %v", ok, err)
	}
}
