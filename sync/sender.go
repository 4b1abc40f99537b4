package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	gosync "sync"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/store"
)

// Outbox sends one protocol message (a *Nodes, *Head, *Reset, *Deleted or
// *Error) to a subscriber.
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
}

func (o SenderOptions) withDefaults() SenderOptions {
	if o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 20
	}
	if o.Window <= 0 {
		o.Window = 4
	}
	return o
}

// Sender streams one database to one subscriber: the nodes the subscriber
// lacks, then the head, then every later commit. Acks arrive through Ack.
type Sender struct {
	db   string
	st   store.Store
	pub  *Publisher
	out  Outbox
	opts SenderOptions
	acks chan uint64
	seq  uint64
}

// NewSender returns a sender for the database named db, stored in st.
func NewSender(db string, st store.Store, pub *Publisher, out Outbox, opts SenderOptions) *Sender {
	o := opts.withDefaults()
	return &Sender{db: db, st: st, pub: pub, out: out, opts: o, acks: make(chan uint64, o.Window+1)}
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
		case !known || sub.BasisT > cur.BasisT():
			// A commit the server does not have, or one ahead of the
			// server's head (the server was restored to an older state):
			// the client starts over.
			if err := s.out.Send(ctx, TypeReset, &Reset{DB: s.db, Reason: "the server does not know the client's commit"}); err != nil {
				return err
			}
		default:
			from = string(sub.Commit)
		}
	}
	// The first step always runs, so a client that is already up to date
	// still gets a head and knows it is synced.
	if err := s.step(ctx, from, cur); err != nil {
		return err
	}
	from = cur.CommitID()
	for {
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
func (s *Sender) step(ctx context.Context, from string, db *core.DB) error {
	keys, err := s.opts.Diffs.Diff(ctx, s.st, from, db.CommitID())
	if err != nil {
		return fmt.Errorf("sync: diff: %w", err)
	}
	inflight := 0
	var total int64
	msg := &Nodes{DB: s.db}
	size := 0
	flush := func() error {
		if len(msg.Keys) == 0 {
			return nil
		}
		for inflight >= s.opts.Window {
			select {
			case <-s.acks:
				inflight--
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s.seq++
		msg.Seq = s.seq
		if err := s.out.Send(ctx, TypeNodes, msg); err != nil {
			return err
		}
		inflight++
		msg = &Nodes{DB: s.db}
		size = 0
		return nil
	}
	for _, k := range keys {
		v, err := s.st.Get(ctx, k)
		if err != nil {
			return fmt.Errorf("sync: reading node: %w", err)
		}
		if size > 0 && size+len(v) > s.opts.BatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		msg.Keys = append(msg.Keys, []byte(k))
		msg.Values = append(msg.Values, v)
		size += len(v) + len(k)
		total += int64(len(v) + len(k))
	}
	if err := flush(); err != nil {
		return err
	}
	// The head goes only after every batch is acknowledged: the client has
	// stored everything it names.
	for inflight > 0 {
		select {
		case <-s.acks:
			inflight--
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	head := core.EncodeHead(db.Head())
	if err := s.out.Send(ctx, TypeHead, &Head{DB: s.db, Head: head, Nodes: len(keys), Bytes: total}); err != nil {
		return err
	}
	if s.opts.OnSent != nil {
		s.opts.OnSent(len(keys), total)
	}
	return nil
}

// DiffCache remembers recent diffs so that many subscribers moving between
// the same two commits cost one diff. It is safe for concurrent use.
type DiffCache struct {
	mu      gosync.Mutex
	max     int
	entries map[[2]string]*diffEntry
	order   [][2]string
}

type diffEntry struct {
	once gosync.Once
	keys []string
	err  error
}

// NewDiffCache returns a cache of the last max diffs.
func NewDiffCache(max int) *DiffCache {
	return &DiffCache{max: max, entries: map[[2]string]*diffEntry{}}
}

// Diff returns core.Diff(from, to), computing it once for concurrent and
// repeated callers. A nil cache computes every time.
func (c *DiffCache) Diff(ctx context.Context, st store.Store, from, to string) ([]string, error) {
	if c == nil {
		return core.Diff(ctx, st, from, to)
	}
	k := [2]string{from, to}
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
	e.once.Do(func() { e.keys, e.err = core.Diff(context.WithoutCancel(ctx), st, from, to) })
	if e.err != nil {
		c.mu.Lock()
		if c.entries[k] == e {
			delete(c.entries, k)
		}
		c.mu.Unlock()
	}
	return e.keys, e.err
}
