package sync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/logging"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
)

// connOutbox sends protocol messages on a peer connection.
type connOutbox struct{ c peer.Conn }

func (o connOutbox) Send(ctx context.Context, typ string, msg any) error {
	if m, ok := msg.(peer.Msg); ok {
		return o.c.Send(ctx, m)
	}
	m, err := peer.NewMsg(typ, msg)
	if err != nil {
		return err
	}
	return o.c.Send(ctx, m)
}

// Source is a database a server layer can stream: its store and its
// publisher.
type Source struct {
	Store     store.Store
	Publisher *Publisher
}

// ServerOptions configure the server side of the protocol on one
// connection.
type ServerOptions struct {
	// Lookup resolves a subscription's database for the connection's
	// principal. Its error is reported to the client as a sync/error
	// message (the connection stays open).
	Lookup func(ctx context.Context, db, principal string) (Source, error)
	// Sender bounds each subscription's stream.
	Sender SenderOptions
	// OnSubscribe and OnUnsubscribe observe subscriptions (metrics).
	OnSubscribe, OnUnsubscribe func(db string)
	Logger                     logging.Logger
}

// ServerLayer is the sync middleware on a server connection: it handles
// subscribe, ack and unsubscribe, and runs one Sender per subscription.
type ServerLayer struct {
	*peer.Layer
	opts ServerOptions
	log  logging.Logger

	mu   gosync.Mutex
	subs map[string]*subscription
	wg   gosync.WaitGroup
}

type subscription struct {
	s      *Sender
	cancel context.CancelFunc
}

// NewServerLayer stacks the server side of sync on inner.
func NewServerLayer(inner peer.Conn, opts ServerOptions) *ServerLayer {
	l := &ServerLayer{opts: opts, log: logging.Or(opts.Logger), subs: map[string]*subscription{}}
	l.Layer = peer.NewLayer(inner, l.handle, nil)
	l.Layer.Start()
	return l
}

func (l *ServerLayer) handle(ctx context.Context, m peer.Msg) bool {
	switch m.Type {
	case TypeSubscribe:
		var sub Subscribe
		if err := m.Decode(&sub); err != nil {
			l.sendError(ctx, "", "bad-request", err.Error())
			return true
		}
		l.subscribe(ctx, sub)
	case TypeAck:
		var a Ack
		if err := m.Decode(&a); err != nil {
			l.sendError(ctx, "", "bad-request", err.Error())
			return true
		}
		l.mu.Lock()
		if s := l.subs[a.DB]; s != nil {
			if a.Steps != 0 {
				s.s.StepAck(a.Steps)
			} else {
				s.s.Ack(a.Seq)
			}
		}
		l.mu.Unlock()
	case TypeLack:
		var x Lack
		if err := m.Decode(&x); err != nil {
			l.sendError(ctx, "", "bad-request", err.Error())
			return true
		}
		l.mu.Lock()
		if s := l.subs[x.DB]; s != nil {
			s.s.Lack(&x)
		}
		l.mu.Unlock()
	case TypeUnsubscribe:
		var u Unsubscribe
		if err := m.Decode(&u); err != nil {
			l.sendError(ctx, "", "bad-request", err.Error())
			return true
		}
		l.stop(u.DB)
	default:
		return false
	}
	return true
}

func (l *ServerLayer) sendError(ctx context.Context, db, code, msg string) {
	if err := (connOutbox{l.Layer.Conn}).Send(ctx, TypeError, &Error{DB: db, Code: code, Message: msg}); err != nil {
		l.log.Debug("sync: sending error", "err", err)
	}
}

func (l *ServerLayer) subscribe(ctx context.Context, sub Subscribe) {
	src, err := l.opts.Lookup(ctx, sub.DB, l.Principal())
	if err != nil {
		l.sendError(ctx, sub.DB, CodeUnavailable, err.Error())
		return
	}
	l.stop(sub.DB) // a new subscribe replaces the old stream
	sctx, cancel := context.WithCancel(l.Context())
	s := NewSender(sub.DB, src.Store, src.Publisher, connOutbox{l.Layer.Conn}, l.opts.Sender)
	l.mu.Lock()
	l.subs[sub.DB] = &subscription{s: s, cancel: cancel}
	l.mu.Unlock()
	if l.opts.OnSubscribe != nil {
		l.opts.OnSubscribe(sub.DB)
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer cancel()
		err := s.Run(sctx, sub)
		if err != nil && !errors.Is(err, context.Canceled) && l.Err() == nil {
			l.log.Warn("sync: subscription ended", "db", sub.DB, "err", err)
			l.sendError(sctx, sub.DB, CodeStreamFailed, err.Error())
		}
		if l.opts.OnUnsubscribe != nil {
			l.opts.OnUnsubscribe(sub.DB)
		}
		l.mu.Lock()
		if cur := l.subs[sub.DB]; cur != nil && cur.s == s {
			delete(l.subs, sub.DB)
		}
		l.mu.Unlock()
	}()
}

func (l *ServerLayer) stop(db string) {
	l.mu.Lock()
	s := l.subs[db]
	delete(l.subs, db)
	l.mu.Unlock()
	if s != nil {
		s.cancel()
	}
}

// Close closes the connection and waits for every subscription's sender.
func (l *ServerLayer) Close(reason string) error {
	err := l.Layer.Close(reason)
	l.mu.Lock()
	for _, s := range l.subs {
		s.cancel()
	}
	l.mu.Unlock()
	l.wg.Wait()
	return err
}

// Wait blocks until every subscription's sender has ended (after the
// connection closed).
func (l *ServerLayer) Wait() { l.wg.Wait() }

// CodeUnavailable is the sync/error code of a subscription the server
// cannot serve (no such database, not authorized).
const CodeUnavailable = "unavailable"

// CodeStreamFailed is the sync/error code of a subscription whose stream
// ended on a server-side error; the client resubscribes.
const CodeStreamFailed = "stream-failed"

// ClientOptions configure the client side of the protocol.
type ClientOptions struct {
	// RetryDelay is the pause before resubscribing after a failed stream
	// (default 200ms).
	RetryDelay time.Duration
	// Replica returns the replica of a database this client follows, or
	// nil when it no longer does.
	Replica func(db string) *Replica
	// OnError observes protocol errors for a database (a sync/error from
	// the server, a rejected batch); the layer resubscribes where that
	// helps.
	OnError func(db string, err error)
	Logger  logging.Logger
	// StepAcks: the client acknowledges every StepAcks-th step (head) it
	// processes, so that the server bounds how far behind it falls and
	// coalesces the rest (Subscribe.StepAcks). Default 8; negative: no
	// step acks.
	StepAcks int
}

// ClientLayer is the sync middleware on a client connection: it applies
// nodes and heads to replicas, acknowledges batches and resubscribes after
// a reset.
type ClientLayer struct {
	*peer.Layer
	opts ClientOptions
	log  logging.Logger
	// unacked counts the steps processed and not yet acknowledged, per
	// database; only handle's goroutine touches it.
	unacked map[string]*stepCount
}

// stepCount is a database's steps processed since the last step ack, and
// how many make the next one due.
type stepCount struct{ n, due int }

// NewClientLayer stacks the client side of sync on inner.
func NewClientLayer(inner peer.Conn, opts ClientOptions) *ClientLayer {
	if opts.StepAcks == 0 {
		opts.StepAcks = 8
	}
	l := &ClientLayer{opts: opts, log: logging.Or(opts.Logger), unacked: map[string]*stepCount{}}
	l.Layer = peer.NewLayer(inner, l.handle, nil)
	l.Layer.Start()
	return l
}

// Subscribe asks the server to stream db to r, from what r has.
func (l *ClientLayer) Subscribe(ctx context.Context, db string, r *Replica) error {
	sub := r.Subscription(db)
	sub.StepAcks = max(l.opts.StepAcks, 0)
	return connOutbox{l.Layer.Conn}.Send(ctx, TypeSubscribe, sub)
}

// Unsubscribe ends the stream of db.
func (l *ClientLayer) Unsubscribe(ctx context.Context, db string) error {
	return connOutbox{l.Layer.Conn}.Send(ctx, TypeUnsubscribe, &Unsubscribe{DB: db})
}

func (l *ClientLayer) fail(db string, err error) {
	l.log.Warn("sync: replica", "db", db, "err", err)
	if l.opts.OnError != nil {
		l.opts.OnError(db, err)
	}
}

func (l *ClientLayer) handle(ctx context.Context, m peer.Msg) bool {
	switch m.Type {
	case TypeNodes:
		var n Nodes
		if err := m.Decode(&n); err != nil {
			l.fail("", fmt.Errorf("sync: bad nodes message: %w", err))
			return true
		}
		r := l.opts.Replica(n.DB)
		if r == nil {
			return true
		}
		if err := r.ApplyNodes(ctx, &n); err != nil {
			// A rejected batch is never acknowledged: the server's stream
			// stalls, and the client resubscribes from what it has.
			l.fail(n.DB, err)
			l.resubscribe(ctx, n.DB, r)
			return true
		}
		if n.Head != nil {
			// The step's last message: apply its head (not acknowledged).
			l.applyHead(ctx, r, &Head{DB: n.DB, Head: n.Head, Nodes: n.StepNodes, Bytes: n.StepBytes})
			return true
		}
		if err := (connOutbox{l.Layer.Conn}).Send(ctx, TypeAck, &Ack{DB: n.DB, Seq: n.Seq}); err != nil {
			l.log.Debug("sync: ack", "err", err)
		}
	case TypeOffer:
		var o Offer
		if err := m.Decode(&o); err != nil {
			l.fail("", fmt.Errorf("sync: bad offer message: %w", err))
			return true
		}
		r := l.opts.Replica(o.DB)
		if r == nil {
			return true
		}
		lack, err := r.Lacking(ctx, o.Keys)
		if err != nil {
			l.fail(o.DB, err)
			return true // unanswered: the server's stream times out and the client resubscribes
		}
		if err := (connOutbox{l.Layer.Conn}).Send(ctx, TypeLack, &Lack{DB: o.DB, Seq: o.Seq, Keys: lack}); err != nil {
			l.log.Debug("sync: lack", "err", err)
		}
	case TypeHead:
		var h Head
		if err := m.Decode(&h); err != nil {
			l.fail("", fmt.Errorf("sync: bad head message: %w", err))
			return true
		}
		if r := l.opts.Replica(h.DB); r != nil {
			l.applyHead(ctx, r, &h)
		}
	case TypeReset:
		var x Reset
		if err := m.Decode(&x); err != nil {
			l.fail("", err)
			return true
		}
		if r := l.opts.Replica(x.DB); r != nil {
			l.log.Info("sync: server reset the replica", "db", x.DB, "reason", x.Reason)
			if err := r.Reset(ctx); err != nil {
				l.fail(x.DB, err)
			}
		}
	case TypeDeleted:
		var x Deleted
		if err := m.Decode(&x); err != nil {
			l.fail("", err)
			return true
		}
		if r := l.opts.Replica(x.DB); r != nil {
			r.MarkDeleted()
		}
	case TypeError:
		var x Error
		if err := m.Decode(&x); err != nil {
			l.fail("", err)
			return true
		}
		err := fmt.Errorf("sync: server: %s: %s", x.Code, x.Message)
		l.fail(x.DB, err)
		if x.Code == CodeUnavailable {
			if r := l.opts.Replica(x.DB); r != nil {
				r.Fail(fmt.Errorf("%w: %w", ErrUnavailable, err))
			}
		}
		if x.Code == CodeStreamFailed {
			// The server's stream for this database ended on an error;
			// resubscribe from what the replica has, after a pause so a
			// persistent failure does not spin.
			if r := l.opts.Replica(x.DB); r != nil {
				go func() {
					select {
					case <-time.After(l.retry()):
						l.resubscribe(l.Context(), x.DB, r)
					case <-l.Context().Done():
					}
				}()
			}
		}
	default:
		return false
	}
	return true
}

// applyHead makes a received head current; on failure it resubscribes from
// what the replica has (after a reset when the incarnation changed).
func (l *ClientLayer) applyHead(ctx context.Context, r *Replica, h *Head) {
	if err := r.ApplyHead(ctx, h); err != nil {
		l.fail(h.DB, err)
		if errors.Is(err, ErrIncarnation) {
			_ = r.Reset(ctx)
		}
		l.resubscribe(ctx, h.DB, r)
	}
	l.stepDone(ctx, h.DB)
}

// stepDone counts a processed step and acknowledges every StepAcks-th.
// The first ack comes after a random 1..StepAcks steps, so that the many
// clients of one database do not all ack the same commit. (After a
// resubscribe the count carries over: an early ack only lifts the
// server's bound a little.)
func (l *ClientLayer) stepDone(ctx context.Context, db string) {
	k := l.opts.StepAcks
	if k <= 0 {
		return
	}
	c := l.unacked[db]
	if c == nil {
		c = &stepCount{due: 1 + rand.IntN(k)}
		l.unacked[db] = c
	}
	if c.n++; c.n < c.due {
		return
	}
	n := c.n
	c.n, c.due = 0, k
	if err := (connOutbox{l.Layer.Conn}).Send(ctx, TypeAck, &Ack{DB: db, Steps: n}); err != nil {
		l.log.Debug("sync: step ack", "err", err)
	}
}

func (l *ClientLayer) retry() time.Duration {
	if l.opts.RetryDelay > 0 {
		return l.opts.RetryDelay
	}
	return 200 * time.Millisecond
}

func (l *ClientLayer) resubscribe(ctx context.Context, db string, r *Replica) {
	if err := l.Subscribe(ctx, db, r); err != nil {
		l.log.Debug("sync: resubscribe", "db", db, "err", err)
	}
}
