package sync

import (
	"context"
	gosync "sync"
)

// Publisher holds the newest committed value of one database on the server
// and wakes the senders waiting for a newer one. It never buffers commits:
// a sender always moves to the newest head.
type Publisher struct {
	mu      gosync.Mutex
	db      Value
	changed chan struct{} // closed and replaced on every Publish
	deleted bool
}

// NewPublisher returns a publisher starting at db.
func NewPublisher(db Value) *Publisher {
	return &Publisher{db: db, changed: make(chan struct{})}
}

// Publish announces a new committed value. Values without a commit id
// (intermediate values of a group commit) and values not newer than the
// current one are ignored.
func (p *Publisher) Publish(db Value) {
	if db.CommitID() == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deleted || (p.db != nil && db.BasisT() <= p.db.BasisT() && db.Incarnation() == p.db.Incarnation()) {
		return
	}
	p.db = db
	close(p.changed)
	p.changed = make(chan struct{})
}

// Delete marks the database deleted and wakes every sender.
func (p *Publisher) Delete() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.deleted {
		p.deleted = true
		close(p.changed)
	}
}

// Current returns the newest value and a channel closed when it changes.
func (p *Publisher) Current() (db Value, changed <-chan struct{}, deleted bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.db, p.changed, p.deleted
}

// WaitNewer blocks until the newest value's commit differs from commit (or
// the database is deleted, or ctx ends).
func (p *Publisher) WaitNewer(ctx context.Context, commit string) (Value, error) {
	for {
		db, ch, deleted := p.Current()
		if deleted {
			return nil, ErrDeleted
		}
		if db != nil && db.CommitID() != commit {
			return db, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
