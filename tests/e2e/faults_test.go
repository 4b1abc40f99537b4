package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/store"
)

// completeChecker verifies, for every value a replica exposes, that every
// node its commit reaches is stored: a replica never exposes a db with
// missing nodes.
type completeChecker struct {
	t    *testing.T
	st   store.Store
	mu   gosync.Mutex
	seen map[string]bool
	bad  atomic.Value
}

func (c *completeChecker) check(e client.Event) {
	if e.DB == nil {
		return
	}
	id := e.DB.CommitID()
	c.mu.Lock()
	done := c.seen[id]
	c.seen[id] = true
	c.mu.Unlock()
	if done {
		return
	}
	err := core.Walk(context.Background(), c.st, id, func(string, []byte) error { return nil })
	if err != nil {
		c.bad.Store(fmt.Sprintf("exposed commit %x is incomplete: %v", id[:6], err))
	}
}

func (c *completeChecker) err() string {
	if v := c.bad.Load(); v != nil {
		return v.(string)
	}
	return ""
}

// writer transacts small transactions until stopped, remembering every
// acknowledged one.
type writer struct {
	db    *client.Database
	mu    gosync.Mutex
	acked []int64 // values of :score acknowledged
	last  *client.Result
	stop  chan struct{}
	done  chan error
}

func startWriter(ctx context.Context, db *client.Database, base int) *writer {
	w := &writer{db: db, stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				w.done <- nil
				return
			default:
			}
			v := base + i
			res, err := db.Transact(ctx, fmt.Sprintf(`[{:name "w%d" :score %d}]`, v, v))
			if err != nil {
				w.done <- err
				return
			}
			w.mu.Lock()
			w.acked = append(w.acked, int64(v))
			w.last = res
			w.mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return w
}

func (w *writer) finish(t *testing.T) (*client.Result, []int64) {
	t.Helper()
	close(w.stop)
	if err := <-w.done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last, w.acked
}

func checkAcked(t *testing.T, db *core.DB, acked []int64) {
	t.Helper()
	ctx := context.Background()
	for _, v := range acked {
		e, err := db.Entid(ctx, datom.Tuple([]datom.Value{datom.Keyword("name"), datom.String(fmt.Sprintf("w%d", v))}))
		if err != nil || e == 0 {
			t.Fatalf("acknowledged transaction w%d lost (%v)", v, err)
		}
	}
}

// TestConnectionCutsDuringSync cuts B's connection at random moments
// during its initial sync and while commits stream in; B must always
// converge to the server's commit and never expose an incomplete db.
func TestConnectionCutsDuringSync(t *testing.T) {
	ctx := ctxT(t, 120*time.Second)
	srv := startServer(t, t.TempDir(), token, 0)
	_, da := createPeople(t, ctx, srv.URL(), "cuts", 12000, 4000)
	px := newProxy(t, srv.Addr)
	bst := openFileStore(t, t.TempDir())
	defer bst.Close()
	b := dial(t, ctx, px.url())
	db, err := b.Open(ctx, "cuts", bst)
	if err != nil {
		t.Fatal(err)
	}
	cc := &completeChecker{t: t, st: bst, seen: map[string]bool{}}
	db.Listen(cc.check)
	w := startWriter(ctx, da, 1000000)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	cuts := 0
	for cuts < 25 {
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		if px.cut() > 0 {
			cuts++
		}
	}
	last, acked := w.finish(t)
	got, err := db.Sync(ctx, last.TxID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommitID() != da.DB().CommitID() {
		t.Fatalf("B did not converge to the server's commit")
	}
	if msg := cc.err(); msg != "" {
		t.Fatal(msg)
	}
	if err := core.Walk(ctx, bst, got.CommitID(), func(string, []byte) error { return nil }); err != nil {
		t.Fatalf("final replica incomplete: %v", err)
	}
	checkAcked(t, got, acked)
	t.Logf("%d cuts, %d transactions streamed, %d distinct heads checked complete", cuts, len(acked), len(cc.seen))
}

// TestServerRestartUnderPeers restarts the server (SIGTERM, then SIGKILL)
// while peers are connected and writing: they reconnect, converge, and no
// acknowledged transaction is lost.
func TestServerRestartUnderPeers(t *testing.T) {
	ctx := ctxT(t, 120*time.Second)
	data := t.TempDir()
	srv := startServer(t, data, token, 0)
	px := newProxy(t, srv.Addr)
	_, da := createPeople(t, ctx, px.url(), "restart", 0, 1)
	bst := openFileStore(t, t.TempDir())
	defer bst.Close()
	b := dial(t, ctx, px.url())
	db, err := b.Open(ctx, "restart", bst)
	if err != nil {
		t.Fatal(err)
	}
	cc := &completeChecker{t: t, st: bst, seen: map[string]bool{}}
	db.Listen(cc.check)
	for round, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		w := startWriter(ctx, da, (round+1)*1000000)
		time.Sleep(150 * time.Millisecond)
		srv.Signal(sig)
		time.Sleep(50 * time.Millisecond)
		srv = startServer(t, data, token, 0)
		px.setTarget(srv.Addr)
		px.cut() // connections still open to nothing
		time.Sleep(150 * time.Millisecond)
		last, acked := w.finish(t)
		got, err := db.Sync(ctx, last.TxID)
		if err != nil {
			t.Fatalf("%v: B did not catch up: %v", sig, err)
		}
		if got.CommitID() != da.DB().CommitID() {
			t.Fatalf("%v: B and A on different commits", sig)
		}
		checkAcked(t, got, acked)
		t.Logf("%v: %d acknowledged transactions, all present after the restart", sig, len(acked))
	}
	if msg := cc.err(); msg != "" {
		t.Fatal(msg)
	}
}
