package core_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
)

// countingStore counts the reads and writes that reach a store.
type countingStore struct {
	store.Store
	gets    atomic.Int64
	heads   atomic.Int64
	writes  atomic.Int64
	mu      sync.Mutex
	lastPut []store.KV
}

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Head(ctx context.Context, name string) ([]byte, error) {
	c.heads.Add(1)
	return c.Store.Head(ctx, name)
}

func (c *countingStore) Write(ctx context.Context, b store.Batch) error {
	c.writes.Add(1)
	c.mu.Lock()
	c.lastPut = b.Puts
	c.mu.Unlock()
	return c.Store.Write(ctx, b)
}

func (c *countingStore) reset() {
	c.gets.Store(0)
	c.heads.Store(0)
	c.writes.Store(0)
}

// fixedClock returns a clock that advances one second per call from a
// fixed origin, so tests are deterministic.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func newConn(t testing.TB, cfg core.Config) *core.Conn {
	t.Helper()
	conn, err := core.Create(context.Background(), mem.New(), cfg, &core.Options{Now: fixedClock()})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func mustTransact(t testing.TB, conn *core.Conn, data string) *core.Report {
	t.Helper()
	rep, err := conn.Transact(context.Background(), data)
	if err != nil {
		t.Fatalf("transact %s: %v", data, err)
	}
	return rep
}

// eav renders the datoms of an iterator as [e a v] strings.
func eav(t testing.TB, it core.Iterator) []string {
	t.Helper()
	var out []string
	for it.Next() {
		d := it.Datom()
		s := "[" + datom.Long(d.E).String() + " :" + d.A + " " + d.V.String()
		if !d.Added {
			s += " retracted"
		}
		out = append(out, s+"]")
	}
	if err := it.Err(); err != nil {
		t.Fatalf("iterate: %v", err)
	}
	return out
}

func all(t testing.TB, db *core.DB, order datom.Order, comps ...datom.Value) []string {
	t.Helper()
	return eav(t, db.Datoms(context.Background(), order, comps...))
}

func kw(s string) datom.Value { return datom.Keyword(s) }

// people5000 returns a connection (closed at cleanup) on a counting memory
// store, in DataScript mode, holding load20k(5000).
func people5000(t *testing.T) (*core.Conn, *countingStore) {
	t.Helper()
	st := &countingStore{Store: mem.New()}
	conn, err := core.Create(context.Background(), st, core.Config{Mode: core.ModeDataScript, SchemaFlexibility: schema.FlexRead, Schema: benchSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	mustTransact(t, conn, load20k(5000))
	return conn, st
}
