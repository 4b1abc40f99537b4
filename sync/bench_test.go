//go:build !js

package sync_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/internal/coresync"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	csync "github.com/cairn-db/cairn/sync"
)

// frameConn is the connection below a ClientLayer in the benchmark: Recv
// returns the frames pushed into in, decoded as a received frame is.
type frameConn struct {
	in   chan []byte
	done chan struct{}
}

func (c *frameConn) Send(ctx context.Context, m peer.Msg) error { return nil }
func (c *frameConn) Recv(ctx context.Context) (peer.Msg, error) {
	select {
	case f := <-c.in:
		return peer.DecodeFrame(f)
	case <-c.done:
		return peer.Msg{}, &peer.CloseError{Code: peer.CloseNormal, Reason: "done"}
	case <-ctx.Done():
		return peer.Msg{}, ctx.Err()
	}
}
func (c *frameConn) Close(string) error {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	return nil
}
func (c *frameConn) Principal() string     { return "" }
func (c *frameConn) Info() peer.Info       { return peer.Info{} }
func (c *frameConn) Done() <-chan struct{} { return c.done }
func (c *frameConn) Err() error            { return nil }

// captureOutbox keeps what a sender sends, framed.
type captureOutbox struct{ frames chan []byte }

func (o captureOutbox) Send(ctx context.Context, typ string, msg any) error {
	m, ok := msg.(peer.Msg)
	if !ok {
		var err error
		if m, err = peer.NewMsg(typ, msg); err != nil {
			return err
		}
	}
	f, err := peer.EncodeFrame(m)
	if err != nil {
		return err
	}
	o.frames <- f
	return nil
}

const benchPeople = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :city :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/index true}
 {:db/ident :score :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}]`

// BenchmarkReplicaLive measures what a live commit costs the replicas that
// follow it: 100 replicas (each its own store, sharing one node cache, as
// in bench/sync) each receive the frames of 200 small commits, in turn,
// through a ClientLayer (frame decoding, hash verification, the store
// write, the head, the listener). It reports ns per (replica, commit).
func BenchmarkReplicaLive(b *testing.B) {
	const replicas, commits = 100, 200
	ctx := context.Background()
	conn, err := core.Create(ctx, mem.New(), core.Config{Schema: benchPeople}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var tx strings.Builder
	tx.WriteString("[")
	for i := range 1000 {
		fmt.Fprintf(&tx, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`, i, i, i%90, i%10, i*7%1000, (i+1)%1000)
	}
	tx.WriteString("]")
	if _, err := conn.Transact(ctx, tx.String()); err != nil {
		b.Fatal(err)
	}
	base := conn.DB()
	pub := csync.NewPublisher(base)
	conn.Listen(func(r *core.Report) { pub.Publish(r.DBAfter) })

	// The frames of every live commit, as the server's sender makes them
	// for a subscriber at the base commit.
	out := captureOutbox{frames: make(chan []byte, commits+16)}
	eng := coresync.Engine(nil)
	s := csync.NewSender("people", conn.Store(), pub, out, csync.SenderOptions{Engine: eng, Diffs: csync.NewDiffCache(8)})
	sctx, stop := context.WithCancel(ctx)
	inc := base.Incarnation()
	go s.Run(sctx, csync.Subscribe{DB: "people", Incarnation: inc[:], Commit: []byte(base.CommitID()), BasisT: base.BasisT()})
	<-out.frames // the up-to-date answer: a head
	var frames [][]byte
	for i := range commits {
		if _, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "w%d" :age %d :city "city%d" :score %d}]`, i, i%90, i%10, i)); err != nil {
			b.Fatal(err)
		}
		frames = append(frames, <-out.frames)
	}
	stop()
	last := conn.DB().BasisT()

	// The base commit's entries, to start each replica from.
	var entries []store.KV
	if err := conn.Store().Iterate(ctx, "", func(k string, v []byte) error {
		entries = append(entries, store.KV{Key: k, Value: v})
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	head := core.EncodeHead(base.Head())

	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		cache := index.NewCache(256 << 20)
		reng := coresync.Engine(&core.Options{Cache: cache})
		type follower struct {
			r    *csync.Replica
			c    *frameConn
			l    *csync.ClientLayer
			seen chan int64
		}
		fs := make([]*follower, replicas)
		for i := range fs {
			st := mem.New()
			if err := st.Write(ctx, store.Batch{Puts: entries, Head: &store.HeadUpdate{Name: reng.Branch, New: head}}); err != nil {
				b.Fatal(err)
			}
			r, err := csync.OpenReplica(ctx, st, reng)
			if err != nil {
				b.Fatal(err)
			}
			f := &follower{r: r, c: &frameConn{in: make(chan []byte, 4), done: make(chan struct{})}, seen: make(chan int64, commits)}
			f.l = csync.NewClientLayer(f.c, csync.ClientOptions{Replica: func(string) *csync.Replica { return r }})
			r.Listen(func(e csync.Event) { f.seen <- e.TxID })
			fs[i] = f
		}
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime()
		for _, fr := range frames {
			for _, f := range fs {
				f.c.in <- append([]byte(nil), fr...) // each connection reads its own copy
			}
		}
		for _, f := range fs {
			if _, err := f.r.WaitFor(ctx, last); err != nil {
				b.Fatal(err)
			}
		}
		el, cpu := time.Since(t0), cpuTime()-c0
		b.StopTimer()
		b.ReportMetric(float64(el.Nanoseconds())/float64(replicas*commits), "ns/replica-commit")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(replicas*commits), "cpu-ns/replica-commit")
		for _, f := range fs {
			f.l.Close("done")
		}
		b.StartTimer()
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
