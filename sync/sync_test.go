package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/internal/coresync"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	csync "github.com/cairn-db/cairn/sync"
)

// pipe delivers a sender's messages to a replica in order, like a
// connection would, and acknowledges node batches once stored.
type pipe struct {
	msgs chan any
}

func (p *pipe) Send(ctx context.Context, typ string, msg any) error {
	if pm, ok := msg.(peer.Msg); ok {
		// A shared, pre-encoded batch: decode it as a connection would.
		var n csync.Nodes
		if err := msgpack.Unmarshal(pm.Body, &n); err != nil {
			return err
		}
		msg = &n
	}
	select {
	case p.msgs <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveReplica applies messages until ctx ends; tamper may alter a Nodes
// message before it is applied.
func serveReplica(ctx context.Context, t *testing.T, p *pipe, r *csync.Replica, s *csync.Sender, tamper func(*csync.Nodes)) chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
				errc <- nil
				return
			case m := <-p.msgs:
				var err error
				switch m := m.(type) {
				case *csync.Nodes:
					if tamper != nil {
						tamper(m)
					}
					if err = r.ApplyNodes(ctx, m); err == nil {
						if m.Head != nil {
							err = r.ApplyHead(ctx, &csync.Head{DB: m.DB, Head: m.Head, Nodes: m.StepNodes, Bytes: m.StepBytes})
							s.StepAck(1)
						} else {
							s.Ack(m.Seq)
						}
					}
				case *csync.Head:
					err = r.ApplyHead(ctx, m)
					s.StepAck(1)
				case *csync.Offer:
					var lack [][]byte
					if lack, err = r.Lacking(ctx, m.Keys); err == nil {
						s.Lack(&csync.Lack{DB: m.DB, Seq: m.Seq, Keys: lack})
					}
				case *csync.Reset:
					err = r.Reset(ctx)
				case *csync.Deleted:
					r.MarkDeleted()
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	return errc
}

// openReplica opens a replica on st for the engine of package core.
func openReplica(ctx context.Context, t *testing.T, st store.Store) *csync.Replica {
	t.Helper()
	r, err := csync.OpenReplica(ctx, st, coresync.Engine(nil))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func bigLoad(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{:name "user%d" :age %d :city "c%d"}`, i, i%90, i%10)
	}
	return b.String() + "]"
}

func setup(t *testing.T) (*core.Conn, *csync.Publisher) {
	t.Helper()
	ctx := context.Background()
	conn, err := core.Create(ctx, mem.New(), core.Config{Mode: core.ModeDataScript, SchemaFlexibility: schema.FlexRead,
		Schema: `{:name {:db/unique :db.unique/identity}}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	pub := csync.NewPublisher(conn.DB())
	conn.Listen(func(r *core.Report) { pub.Publish(r.DBAfter) })
	return conn, pub
}

// follow streams database "people" of conn into r, through a sender and
// a pipe, until the returned cancel is called; the channel reports how the
// replica's side ended.
func follow(ctx context.Context, t *testing.T, conn *core.Conn, pub *csync.Publisher, r *csync.Replica) (context.CancelFunc, chan error) {
	p := &pipe{msgs: make(chan any, 16)}
	s := csync.NewSender("people", conn.Store(), pub, p, csync.SenderOptions{BatchBytes: 16 << 10, Window: 2, Engine: coresync.Engine(nil)})
	sctx, scancel := context.WithCancel(ctx)
	go s.Run(sctx, r.Subscription("people"))
	return scancel, serveReplica(sctx, t, p, r, s, nil)
}

func TestFullSyncLiveAndResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(3000)); err != nil {
		t.Fatal(err)
	}
	local := mem.New()
	r := openReplica(ctx, t, local)
	var seen []int64
	r.Listen(func(e csync.Event) { seen = append(seen, e.TxID) })

	stop, errc := follow(ctx, t, conn, pub, r)
	db, err := r.WaitFor(ctx, conn.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != conn.DB().CommitID() {
		t.Fatalf("replica at another commit")
	}
	full := r.Stats()
	// Live: each commit arrives.
	for i := 0; i < 5; i++ {
		rep, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "live%d"}]`, i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.WaitFor(ctx, rep.TxID); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 6 {
		t.Fatalf("listener saw %d transactions, want 6: %v", len(seen), seen)
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}

	// Offline: 20 commits; then resume from the stored replica.
	before := conn.DB()
	for i := 0; i < 20; i++ {
		if _, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "off%d" :age %d}]`, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	want, err := core.Diff(ctx, conn.Store(), before.CommitID(), conn.DB().CommitID())
	if err != nil {
		t.Fatal(err)
	}
	r2 := openReplica(ctx, t, local)
	var resumed []int64
	r2.Listen(func(e csync.Event) { resumed = append(resumed, e.TxID) })
	stop, errc = follow(ctx, t, conn, pub, r2)
	defer func() { stop(); <-errc }()
	db, err = r2.WaitFor(ctx, conn.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != conn.DB().CommitID() {
		t.Fatalf("resumed replica at another commit")
	}
	got := r2.Stats()
	if got.Nodes > int64(len(want)) {
		t.Fatalf("resume fetched %d nodes, the 20 commits created %d", got.Nodes, len(want))
	}
	if len(resumed) != 20 {
		t.Fatalf("resume replayed %d transactions, want 20", len(resumed))
	}
	t.Logf("full sync %d nodes / %d bytes; resume %d nodes / %d bytes (%.2f%%)", full.Nodes, full.Bytes, got.Nodes, got.Bytes, 100*float64(got.Bytes)/float64(full.Bytes))
	if n := len(collect(t, coresync.DB(db), datom.AEVT, datom.Keyword("name"))); n != 3025 {
		t.Fatalf("replica holds %d names", n)
	}
}

func collect(t *testing.T, db *core.DB, o datom.Order, comps ...datom.Value) []datom.Datom {
	it := db.Datoms(context.Background(), o, comps...)
	var out []datom.Datom
	for it.Next() {
		out = append(out, *it.Datom())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestForgedNodeNeverEntersReplica(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(200)); err != nil {
		t.Fatal(err)
	}
	local := mem.New()
	r := openReplica(ctx, t, local)
	p := &pipe{msgs: make(chan any, 16)}
	s := csync.NewSender("x", conn.Store(), pub, p, csync.SenderOptions{Engine: coresync.Engine(nil)})
	go s.Run(ctx, r.Subscription("x"))
	errc := serveReplica(ctx, t, p, r, s, func(m *csync.Nodes) {
		m.Values[0] = append([]byte(nil), m.Values[0]...)
		m.Values[0][len(m.Values[0])-1] ^= 1
	})
	if err := <-errc; !errors.Is(err, csync.ErrHashMismatch) {
		t.Fatalf("got %v, want ErrHashMismatch", err)
	}
	if r.DB() != nil {
		t.Fatalf("replica exposed a db")
	}
	n := 0
	local.Iterate(ctx, "", func(string, []byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d entries stored from a forged batch", n)
	}
}

func TestResetOnNewIncarnation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, `[{:name "a"}]`); err != nil {
		t.Fatal(err)
	}
	r := openReplica(ctx, t, mem.New())
	sub := r.Subscription("x")
	sub.Incarnation = []byte("another-incarnat")
	sub.Commit = []byte(strings.Repeat("x", 32))
	p := &pipe{msgs: make(chan any, 16)}
	s := csync.NewSender("x", conn.Store(), pub, p, csync.SenderOptions{Engine: coresync.Engine(nil)})
	go s.Run(ctx, sub)
	if m := <-p.msgs; func() bool { _, ok := m.(*csync.Reset); return !ok }() {
		t.Fatalf("first message %T, want reset", m)
	}
	errc := serveReplica(ctx, t, p, r, s, nil)
	if _, err := r.WaitFor(ctx, conn.DB().BasisT()); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-errc
}

// TestSharedStoreNeverRegresses: two replicas on one store (two browser
// tabs on one IndexedDB). The one that is behind adopts the newer head
// instead of fighting over it.
func TestSharedStoreNeverRegresses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _ := setup(t)
	shared := mem.New()
	r1 := openReplica(ctx, t, shared)
	r2 := openReplica(ctx, t, shared)
	if _, err := conn.Transact(ctx, `[{:name "a"}]`); err != nil {
		t.Fatal(err)
	}
	first := conn.DB()
	if _, err := conn.Transact(ctx, `[{:name "b"}]`); err != nil {
		t.Fatal(err)
	}
	second := conn.DB()
	// r1 receives everything up to the second commit.
	keys, err := core.Diff(ctx, conn.Store(), "", second.CommitID())
	if err != nil {
		t.Fatal(err)
	}
	var n csync.Nodes
	for _, k := range keys {
		v, _ := conn.Store().Get(ctx, k)
		n.Keys, n.Values = append(n.Keys, []byte(k)), append(n.Values, v)
	}
	first1, _ := core.Diff(ctx, conn.Store(), "", first.CommitID())
	for _, k := range first1 {
		v, _ := conn.Store().Get(ctx, k)
		n.Keys, n.Values = append(n.Keys, []byte(k)), append(n.Values, v)
	}
	if err := r1.ApplyNodes(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if err := r1.ApplyHead(ctx, &csync.Head{Head: core.EncodeHead(second.Head())}); err != nil {
		t.Fatal(err)
	}
	// r2 still thinks the store is empty and gets the older head.
	if err := r2.ApplyHead(ctx, &csync.Head{Head: core.EncodeHead(first.Head())}); err != nil {
		t.Fatalf("older head on a shared store: %v", err)
	}
	if got := r2.DB(); got == nil || got.CommitID() != second.CommitID() {
		t.Fatalf("r2 did not adopt the newer shared head")
	}
	h, _ := shared.Head(ctx, core.DefaultBranch)
	if dh, _ := core.DecodeHead(h); dh.Commit != second.CommitID() {
		t.Fatalf("the shared head regressed")
	}
}

// TestNegotiateAfterPrune: when the server no longer has the client's
// commit (pruned) and the client is behind, the two sides find what the
// client lacks top-down; the client fetches only that, never resets, and
// its listeners see every transaction.
func TestNegotiateAfterPrune(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(3000)); err != nil {
		t.Fatal(err)
	}
	local := mem.New()
	r := openReplica(ctx, t, local)
	stop, errc := follow(ctx, t, conn, pub, r)
	if _, err := r.WaitFor(ctx, conn.DB().BasisT()); err != nil {
		t.Fatal(err)
	}
	full := r.Stats()
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	before := conn.DB().CommitID()
	for i := 0; i < 20; i++ {
		if _, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "off%d" :age %d}]`, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	want, err := core.Diff(ctx, conn.Store(), before, conn.DB().CommitID())
	if err != nil {
		t.Fatal(err)
	}
	// Prune the client's commit record from the server.
	if err := conn.Store().Delete(ctx, []string{before}); err != nil {
		t.Fatal(err)
	}
	r2 := openReplica(ctx, t, local)
	var replayed, resets int
	r2.Listen(func(e csync.Event) {
		if e.Resync {
			resets++
		} else {
			replayed++
		}
	})
	stop, errc = follow(ctx, t, conn, pub, r2)
	defer func() { stop(); <-errc }()
	db, err := r2.WaitFor(ctx, conn.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != conn.DB().CommitID() {
		t.Fatal("negotiated replica at another commit")
	}
	got := r2.Stats()
	if resets != 0 || replayed != 20 {
		t.Fatalf("%d resets, %d transactions replayed; want 0 and 20", resets, replayed)
	}
	if got.Nodes != int64(len(want)) {
		t.Fatalf("negotiation fetched %d nodes; the 20 commits added %d", got.Nodes, len(want))
	}
	t.Logf("full sync %d nodes; after the prune %d nodes", full.Nodes, got.Nodes)
	if n := len(collect(t, coresync.DB(db), datom.AEVT, datom.Keyword("name"))); n != 3020 {
		t.Fatalf("replica holds %d names", n)
	}
}

// A client that never answers an offer ends its stream with ErrOfferTimeout
// (the client side then resubscribes), instead of holding a sender forever.
func TestOfferTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(10)); err != nil {
		t.Fatal(err)
	}
	inc := conn.DB().Incarnation()
	p := &pipe{msgs: make(chan any, 16)}
	go func() {
		for range p.msgs { // read, never answer
		}
	}()
	s := csync.NewSender("people", conn.Store(), pub, p, csync.SenderOptions{Engine: coresync.Engine(nil), OfferTimeout: 20 * time.Millisecond})
	sub := csync.Subscribe{DB: "people", Incarnation: inc[:], Commit: []byte("a commit the server never had 0"), BasisT: 1}
	err := s.Run(ctx, sub)
	close(p.msgs) // Run has returned: nothing sends any more
	if !errors.Is(err, csync.ErrOfferTimeout) {
		t.Fatalf("Run: %v, want ErrOfferTimeout", err)
	}
}

// A subscriber that stops reading is not buffered for: with step acks its
// sender stops MaxLag steps ahead of it, even though the connection (here
// a pipe deep enough for every commit) would take more, and when the
// subscriber catches up it gets one diff to the newest commit. Its
// listener still sees every transaction, in order.
func TestSlowSubscriberIsCoalesced(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(500)); err != nil {
		t.Fatal(err)
	}
	r := openReplica(ctx, t, mem.New())
	var seen []int64
	r.Listen(func(e csync.Event) { seen = append(seen, e.TxID) })

	const maxLag, commits = 3, 40
	p := &pipe{msgs: make(chan any, 10*commits)}
	s := csync.NewSender("people", conn.Store(), pub, p, csync.SenderOptions{MaxLag: maxLag, Engine: coresync.Engine(nil)})
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	sub := r.Subscription("people")
	sub.StepAcks = 1
	done := make(chan error, 1)
	go func() { done <- s.Run(sctx, sub) }()

	// Nobody reads while the commits are made.
	var last int64
	for i := range commits {
		rep, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "slow%d"}]`, i))
		if err != nil {
			t.Fatal(err)
		}
		last = rep.TxID
	}
	// The sender has gone quiet: the initial step plus maxLag-1 live
	// ones, each one message here (small steps carry their head).
	deadline := time.Now().Add(2 * time.Second)
	for len(p.msgs) < maxLag && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(p.msgs); n != maxLag {
		t.Fatalf("%d messages wait for the stalled subscriber, want %d (MaxLag steps)", n, maxLag)
	}

	errc := serveReplica(sctx, t, p, r, s, nil)
	db, err := r.WaitFor(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != conn.DB().CommitID() {
		t.Fatal("replica at another commit")
	}
	// maxLag steps, then one coalesced step to the newest commit.
	if h := r.Stats().Heads; h != maxLag+1 {
		t.Fatalf("the replica made %d sync steps, want %d", h, maxLag+1)
	}
	if len(seen) != commits+1 {
		t.Fatalf("listener saw %d transactions, want %d", len(seen), commits+1)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("listener order: %v", seen)
		}
	}
	scancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("sender: %v", err)
	}
}
