//go:build !js

package sync_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/coresync"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store/mem"
	csync "github.com/cairn-db/cairn/sync"
)

// ackConn is the connection below a ClientLayer here: it receives the
// frames a Sender sends (through captureOutbox) and hands the layer's acks
// straight to that Sender, adding up the step acks.
type ackConn struct {
	frameConn
	s *csync.Sender

	mu    gosync.Mutex
	steps int // steps acknowledged
	acks  int // step ack messages
}

// counts returns the steps acknowledged and the step ack messages.
func (c *ackConn) counts() (steps, acks int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.steps, c.acks
}

func (c *ackConn) Send(ctx context.Context, m peer.Msg) error {
	if m.Type != csync.TypeAck {
		return nil
	}
	var a csync.Ack
	if err := m.Decode(&a); err != nil {
		return err
	}
	if a.Steps == 0 {
		c.s.Ack(a.Seq)
		return nil
	}
	c.mu.Lock()
	c.steps += a.Steps
	c.acks++
	c.mu.Unlock()
	c.s.StepAck(a.Steps)
	return nil
}

// The client layer acknowledges steps as it processes them, in acks of
// StepAcks steps, so a sender bounded by MaxLag keeps streaming a client
// that keeps up, through far more commits than MaxLag.
func TestClientLayerAcksSteps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, pub := setup(t)
	if _, err := conn.Transact(ctx, bigLoad(200)); err != nil {
		t.Fatal(err)
	}
	r := openReplica(ctx, t, mem.New())
	const stepAcks, maxLag, commits = 3, 6, 60
	out := captureOutbox{frames: make(chan []byte, 4*commits)}
	s := csync.NewSender("people", conn.Store(), pub, out, csync.SenderOptions{MaxLag: maxLag, Engine: coresync.Engine(nil)})
	c := &ackConn{frameConn: frameConn{in: out.frames, done: make(chan struct{})}, s: s}
	l := csync.NewClientLayer(c, csync.ClientOptions{StepAcks: stepAcks, Replica: func(string) *csync.Replica { return r }})
	defer l.Close("done")
	sub := r.Subscription("people")
	sub.StepAcks = stepAcks
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go s.Run(sctx, sub)

	var last int64
	for i := range commits {
		rep, err := conn.Transact(ctx, fmt.Sprintf(`[{:name "acked%d"}]`, i))
		if err != nil {
			t.Fatal(err)
		}
		last = rep.TxID
	}
	db, err := r.WaitFor(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != conn.DB().CommitID() {
		t.Fatal("replica at another commit")
	}
	heads := int(r.Stats().Heads)
	t.Logf("%d commits reached the replica in %d steps", commits, heads)
	// The acks reach the sender after the head that completes them.
	steps, acks := c.counts()
	for deadline := time.Now().Add(2 * time.Second); steps <= heads-stepAcks && time.Now().Before(deadline); steps, acks = c.counts() {
		time.Sleep(time.Millisecond)
	}
	if steps > heads || steps <= heads-stepAcks {
		t.Fatalf("%d steps acknowledged for %d processed (acks of %d)", steps, heads, stepAcks)
	}
	if heads > maxLag && acks < (heads-stepAcks)/stepAcks {
		t.Fatalf("%d step acks for %d steps", acks, heads)
	}
}
