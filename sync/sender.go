package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
)

// Outbox sends one protocol message (a *Nodes, *Head, *Reset, *Deleted or
// *Error) to a subscriber. A peer.Msg is a message already encoded and
// framed (a shared batch of Nodes): it goes out as it is.
type Outbox interface {
	Send(ctx context.Context, typ string, msg any) error
}

// SenderOptions bound a sender. Zero values mean defaults.
type SenderOptions struct {
	// BatchBytes bounds the values carried by one Nodes message (default
	// 1 MiB).
	BatchBytes int
	// Window is how many Nodes messages may be unacknowledged (default 4).
	Window int
	// Diffs shares diff results between senders; nil disables sharing.
	Diffs *DiffCache
	// OnSent is called after each completed step with the nodes and bytes
	// sent (metrics).
	OnSent func(nodes int, bytes int64)
	// Engine diffs commits and encodes heads (its Diff and EncodeHead are
	// required).
	Engine Engine
	// OfferTimeout bounds the wait for the client's answer to an Offer
	// (default 30s).
	OfferTimeout time.Duration
	// MaxLag is how many steps a subscriber that sends step acks
	// (Subscribe.StepAcks) may have unacknowledged before its sender
	// waits, then coalesces every commit made meanwhile into one diff
	// (default 16; at least twice the subscriber's StepAcks).
	MaxLag int
}

func (o SenderOptions) withDefaults() SenderOptions {
	if o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 20
	}
	if o.Window <= 0 {
		o.Window = 4
	}
	if o.OfferTimeout <= 0 {
		o.OfferTimeout = 30 * time.Second
	}
	if o.MaxLag <= 0 {
		o.MaxLag = 16
	}
	return o
}

// Sender streams one database to one subscriber: the nodes the subscriber
// lacks, then the head, then every later commit. Acks arrive through Ack.
type Sender struct {
	db       string
	st       store.Store
	pub      *Publisher
	out      Outbox
	opts     SenderOptions
	acks     chan uint64
	lacks    chan *Lack
	seq      uint64
	inflight int // Nodes messages sent and not yet acknowledged

	// Step acks (Subscribe.StepAcks): steps sent, steps the subscriber
	// acknowledged, and the most it may be behind (0: unbounded).
	steps    int64
	acked    atomic.Int64
	stepAck  chan struct{}
	lagLimit int64
}

// NewSender returns a sender for the database named db, stored in st.
func NewSender(db string, st store.Store, pub *Publisher, out Outbox, opts SenderOptions) *Sender {
	o := opts.withDefaults()
	return &Sender{db: db, st: st, pub: pub, out: out, opts: o, acks: make(chan uint64, o.Window+1), lacks: make(chan *Lack, 1),
		stepAck: make(chan struct{}, 1)}
}

// StepAck records the subscriber's acknowledgement of n more steps. It
// never blocks. A client that acknowledges steps it never got only lifts
// the bound on its own lag.
func (s *Sender) StepAck(n int) {
	if n <= 0 {
		return
	}
	s.acked.Add(int64(n))
	select {
	case s.stepAck <- struct{}{}:
	default:
	}
}

// stepSent records a step whose head went out, with the nodes and bytes
// it carried.
func (s *Sender) stepSent(nodes int, size int64) {
	s.steps++
	if s.opts.OnSent != nil {
		s.opts.OnSent(nodes, size)
	}
}

// waitLag blocks while the subscriber is lagLimit steps behind.
func (s *Sender) waitLag(ctx context.Context) error {
	for s.lagLimit > 0 && s.steps-s.acked.Load() >= s.lagLimit {
		select {
		case <-s.stepAck:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Lack delivers the subscriber's answer to an Offer. It never blocks; an
// answer nobody waits for is dropped.
func (s *Sender) Lack(m *Lack) {
	select {
	case s.lacks <- m:
	default:
	}
}

// Ack records the subscriber's acknowledgement of a Nodes message. It never
// blocks; acks beyond the window are dropped (a misbehaving client only
// slows itself).
func (s *Sender) Ack(seq uint64) {
	select {
	case s.acks <- seq:
	default:
	}
}

// Run serves the subscription until ctx ends, the database is deleted or
// the outbox fails. sub is what the client has.
func (s *Sender) Run(ctx context.Context, sub Subscribe) error {
	if err := s.opts.Engine.forSender(); err != nil {
		return err
	}
	if sub.StepAcks > 0 {
		s.lagLimit = max(int64(s.opts.MaxLag), 2*int64(sub.StepAcks))
	}
	cur, _, deleted := s.pub.Current()
	if deleted || cur == nil {
		return s.out.Send(ctx, TypeDeleted, &Deleted{DB: s.db})
	}
	from := ""
	if len(sub.Commit) > 0 {
		inc := cur.Incarnation()
		known, err := s.st.Has(ctx, string(sub.Commit))
		if err != nil {
			return err
		}
		switch {
		case !bytes.Equal(sub.Incarnation, inc[:]):
			if err := s.out.Send(ctx, TypeReset, &Reset{DB: s.db, Reason: "the database was recreated (new incarnation)"}); err != nil {
				return err
			}
		case known && sub.BasisT <= cur.BasisT():
			from = string(sub.Commit)
		case !known && sub.BasisT < cur.BasisT() && s.opts.Engine.Missing != nil:
			// An older commit the server no longer has (pruned): find
			// what the client lacks top-down instead of starting over.
			if err := s.negotiate(ctx, cur); err != nil {
				return err
			}
			return s.live(ctx, cur.CommitID())
		default:
			// A commit the server does not have at or beyond its own
			// basis-t (the server was restored to an older state): the
			// client starts over.
			if err := s.out.Send(ctx, TypeReset, &Reset{DB: s.db, Reason: "the server does not know the client's commit"}); err != nil {
				return err
			}
		}
	}
	// The first step always runs, so a client that is already up to date
	// still gets a head and knows it is synced.
	if err := s.step(ctx, from, cur); err != nil {
		return err
	}
	return s.live(ctx, cur.CommitID())
}

// live sends every commit after from, coalescing to the newest: a sender
// that had to wait (for the connection, or for step acks) sends one diff
// from the last commit it sent to the newest one.
func (s *Sender) live(ctx context.Context, from string) error {
	for {
		if err := s.waitLag(ctx); err != nil {
			return err
		}
		db, err := s.pub.WaitNewer(ctx, from)
		if errors.Is(err, ErrDeleted) {
			return s.out.Send(ctx, TypeDeleted, &Deleted{DB: s.db})
		}
		if err != nil {
			return err
		}
		if err := s.step(ctx, from, db); err != nil {
			return err
		}
		from = db.CommitID()
	}
}

// step sends everything reachable from db's commit that from lacks, then
// db's head.
func (s *Sender) step(ctx context.Context, from string, db Value) error {
	head := s.opts.Engine.EncodeHead(db)
	p, err := s.opts.Diffs.prepare(ctx, s.st, s.opts.Engine.Diff, s.db, from, db, head, s.opts.BatchBytes)
	if err != nil {
		return fmt.Errorf("sync: diff: %w", err)
	}
	if len(p.batches) == 0 {
		// A large diff (an initial sync), or an empty one.
		return s.sendAll(ctx, p.keys, head)
	}
	// A small diff, encoded once and shared by every subscriber making the
	// same step: each batch's Seq is its position, and the last carries
	// the head (it is not acknowledged).
	last := len(p.batches) - 1
	for _, b := range p.batches[:last] {
		if err := s.sendWindowed(ctx, b); err != nil {
			return err
		}
	}
	if err := s.out.Send(ctx, TypeNodes, p.batches[last]); err != nil {
		return err
	}
	s.stepSent(len(p.keys), p.bytes)
	return nil
}

// sendAll streams the entries under keys from the store in acknowledged
// batches, holding one batch in memory at a time, then head.
func (s *Sender) sendAll(ctx context.Context, keys []string, head []byte) error {
	var seq uint64
	var total int64
	err := batchNodes(ctx, len(keys), storeEntries(s.st, keys), s.db, s.opts.BatchBytes, func(m *Nodes, size int64) error {
		seq++
		m.Seq = seq
		total += size
		return s.sendWindowed(ctx, m)
	})
	if err != nil {
		return err
	}
	// The head follows its nodes on the same ordered connection, and the
	// client stores each batch before it reads the next message, so the
	// head needs no round trip: unacknowledged batches stay counted in the
	// window across steps.
	if err := s.out.Send(ctx, TypeHead, &Head{DB: s.db, Head: head, Nodes: len(keys), Bytes: total}); err != nil {
		return err
	}
	s.stepSent(len(keys), total)
	return nil
}

// sendWindowed sends one Nodes message that the client acknowledges,
// waiting while Window messages are unacknowledged.
func (s *Sender) sendWindowed(ctx context.Context, body any) error {
	for s.inflight >= s.opts.Window {
		select {
		case <-s.acks:
			s.inflight--
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.out.Send(ctx, TypeNodes, body); err != nil {
		return err
	}
	s.inflight++
	return nil
}

// maxOfferKeys bounds the keys of one Offer (about 140 KiB).
const maxOfferKeys = 4096

// negotiate finds what the client lacks of db top-down, asking it with
// Offers, then sends those nodes and db's head.
func (s *Sender) negotiate(ctx context.Context, db Value) error {
	var seq uint64
	lacks := func(ctx context.Context, keys []string) ([]string, error) {
		var out []string
		for len(keys) > 0 {
			n := min(len(keys), maxOfferKeys)
			chunk := keys[:n]
			keys = keys[n:]
			seq++
			offer := &Offer{DB: s.db, Seq: seq, Keys: make([][]byte, len(chunk))}
			for i, k := range chunk {
				offer.Keys[i] = []byte(k)
			}
			if err := s.out.Send(ctx, TypeOffer, offer); err != nil {
				return nil, err
			}
			t := time.NewTimer(s.opts.OfferTimeout)
		wait:
			for {
				select {
				case m := <-s.lacks:
					if m.Seq != seq {
						continue // a late answer to an earlier offer
					}
					for _, k := range m.Keys {
						out = append(out, string(k))
					}
					break wait
				case <-t.C:
					return nil, ErrOfferTimeout
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				}
			}
			t.Stop()
		}
		return out, nil
	}
	keys, err := s.opts.Engine.Missing(ctx, s.st, db.CommitID(), lacks)
	if err != nil {
		return fmt.Errorf("sync: negotiation: %w", err)
	}
	return s.sendAll(ctx, keys, s.opts.Engine.EncodeHead(db))
}

// entryAt returns the i-th entry to send.
type entryAt func(ctx context.Context, i int) (key string, value []byte, err error)

// storeEntries reads the entries under keys from st.
func storeEntries(st store.Store, keys []string) entryAt {
	return func(ctx context.Context, i int) (string, []byte, error) {
		v, err := st.Get(ctx, keys[i])
		return keys[i], v, err
	}
}

// batchNodes hands the n entries at(0)..at(n-1), in order, to emit in Nodes
// messages of at most batchBytes (a larger entry gets a message of its
// own), with the message's key and value bytes.
func batchNodes(ctx context.Context, n int, at entryAt, db string, batchBytes int, emit func(*Nodes, int64) error) error {
	msg, size := &Nodes{DB: db}, 0
	for i := range n {
		k, v, err := at(ctx, i)
		if err != nil {
			return fmt.Errorf("sync: reading node: %w", err)
		}
		if size > 0 && size+len(k)+len(v) > batchBytes {
			if err := emit(msg, int64(size)); err != nil {
				return err
			}
			msg, size = &Nodes{DB: db}, 0
		}
		msg.Keys = append(msg.Keys, []byte(k))
		msg.Values = append(msg.Values, v)
		size += len(k) + len(v)
	}
	if len(msg.Keys) == 0 {
		return nil
	}
	return emit(msg, int64(size))
}

// DiffCache remembers recent diffs so that many subscribers moving between
// the same two commits cost one diff, and, for small diffs, one read and
// one encoding of the node batches. It is safe for concurrent use.
type DiffCache struct {
	mu      gosync.Mutex
	max     int
	entries map[[3]string]*diffEntry
	order   [][3]string
}

// sharedBatchKeys bounds the diffs whose encoded batches are kept and
// shared: a live commit touches tens of nodes, an initial sync thousands.
const sharedBatchKeys = 512

type diffEntry struct {
	once    gosync.Once
	keys    []string
	batches []any // framed Nodes messages (peer.Msg), or nil for large diffs
	bytes   int64
	err     error
}

// NewDiffCache returns a cache of the last max diffs.
func NewDiffCache(max int) *DiffCache {
	return &DiffCache{max: max, entries: map[[3]string]*diffEntry{}}
}

// prepare returns the diff between two commits of database db; for a small
// diff also its Nodes messages, encoded. A nil cache computes every time.
func (c *DiffCache) prepare(ctx context.Context, st store.Store, diff diffFunc, db, from string, to Value, head []byte, batchBytes int) (*diffEntry, error) {
	if c == nil {
		e := &diffEntry{}
		e.compute(ctx, st, diff, db, from, to, head, batchBytes)
		return e, e.err
	}
	k := [3]string{db, from, to.CommitID()}
	c.mu.Lock()
	e, ok := c.entries[k]
	if !ok {
		e = &diffEntry{}
		c.entries[k] = e
		c.order = append(c.order, k)
		if len(c.order) > c.max {
			delete(c.entries, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	// The diff is shared: one subscriber's cancelled context (a cut
	// connection) must not fail it for the others waiting on it.
	e.once.Do(func() { e.compute(context.WithoutCancel(ctx), st, diff, db, from, to, head, batchBytes) })
	if e.err != nil {
		c.mu.Lock()
		if c.entries[k] == e {
			delete(c.entries, k)
		}
		c.mu.Unlock()
	}
	return e, e.err
}

type diffFunc = func(ctx context.Context, st store.Store, from, to string) ([]string, error)

func (e *diffEntry) compute(ctx context.Context, st store.Store, diff diffFunc, db, from string, to Value, head []byte, batchBytes int) {
	var at entryAt
	if parent, nodes, ok := to.CommitNodes(); ok && parent == from && from != "" {
		// A subscriber at the parent of a commit this process just made
		// (every live subscriber): the commit's own entries are the diff,
		// in memory, children first.
		e.keys = make([]string, len(nodes))
		for i, kv := range nodes {
			e.keys[i] = kv.Key
		}
		at = func(_ context.Context, i int) (string, []byte, error) { return nodes[i].Key, nodes[i].Value, nil }
	} else {
		e.keys, e.err = diff(ctx, st, from, to.CommitID())
		at = storeEntries(st, e.keys)
	}
	if e.err != nil || len(e.keys) > sharedBatchKeys {
		return
	}
	var msgs []*Nodes
	e.err = batchNodes(ctx, len(e.keys), at, db, batchBytes, func(m *Nodes, size int64) error {
		msgs = append(msgs, m)
		e.bytes += size
		return nil
	})
	if e.err != nil {
		return
	}
	e.batches = []any{}
	for i, m := range msgs {
		m.Seq = uint64(i + 1)
		if i == len(msgs)-1 {
			// The last message carries the head: every node it names is
			// in this message or an earlier one.
			m.Head, m.StepNodes, m.StepBytes = head, len(e.keys), e.bytes
		}
		// Framed once: every subscriber's connection sends these bytes.
		pm, err := peer.NewMsg(TypeNodes, m)
		if err == nil {
			pm, err = pm.Encoded()
		}
		if err != nil {
			e.err = err
			return
		}
		e.batches = append(e.batches, pm)
	}
}
