package client

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/internal/coresync"
	"github.com/cairn-db/cairn/internal/entropy"
	"github.com/cairn-db/cairn/logging"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/rpc"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	csync "github.com/cairn-db/cairn/sync"
	"github.com/cairn-db/cairn/wire"
)

// Options configure a Client. Zero values mean defaults.
type Options struct {
	// Token authenticates to the server.
	Token string
	// Peer tunes the connection (backoff, timeouts, limits); its Dial.Token
	// is set from Token and its OnConnect is the client's.
	Peer peer.ClientOptions
	// Core configures the replicas' database values (node cache).
	Core *core.Options
	// OnStatus observes connection status changes.
	OnStatus func(peer.StatusChange)
	// Logger; nil discards.
	Logger logging.Logger
}

// Client is a connection to a sync server and the databases opened through
// it. It is safe for concurrent use.
type Client struct {
	opts Options
	log  logging.Logger
	pc   *peer.Client

	cancel context.CancelFunc
	done   chan struct{}
	runErr error

	mu  gosync.Mutex
	ep  *rpc.Endpoint
	sl  *csync.ClientLayer
	up  chan struct{} // closed while connected
	dbs map[string]*Database
}

// New returns a client for the server at url (ws://host:port/ws) and
// starts connecting in the background; operations wait for the connection
// within their context.
func New(url string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{opts: o, log: logging.Or(o.Logger), up: make(chan struct{}), dbs: map[string]*Database{}, done: make(chan struct{})}
	po := o.Peer
	po.Dial.Token = o.Token
	po.Dial.NodeFormat = index.FormatVersion
	if po.Dial.Logger == nil {
		po.Dial.Logger = c.log
	}
	if po.Logger == nil {
		po.Logger = c.log
	}
	po.OnConnect = c.onConnect
	po.OnStatus = o.OnStatus
	pc, err := peer.NewClient(url, &po)
	if err != nil {
		return nil, err
	}
	c.pc = pc
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		c.runErr = pc.Run(ctx)
	}()
	return c, nil
}

// Dial is New followed by waiting for the first connection.
func Dial(ctx context.Context, url string, opts *Options) (*Client, error) {
	c, err := New(url, opts)
	if err != nil {
		return nil, err
	}
	if err := c.WaitConnected(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Status returns the connection status.
func (c *Client) Status() peer.Status { return c.pc.Status() }

// WaitConnected blocks until the client is connected, ctx ends or the
// client failed permanently (bad token, upgrade required).
func (c *Client) WaitConnected(ctx context.Context) error {
	_, _, err := c.endpoint(ctx)
	return err
}

// Close disconnects and closes every open database's replica (not its
// store).
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	return nil
}

func (c *Client) onConnect(ctx context.Context, conn peer.Conn) error {
	// Sync is the innermost layer: every live commit is a sync message,
	// and it reaches its handler with one hand-off instead of passing
	// through the rpc layer's goroutine first.
	sl := csync.NewClientLayer(conn, csync.ClientOptions{
		Replica: func(db string) *csync.Replica {
			c.mu.Lock()
			defer c.mu.Unlock()
			if d := c.dbs[db]; d != nil {
				return d.r
			}
			return nil
		},
		Logger: c.log,
	})
	ep := rpc.New(sl, &rpc.Options{Logger: c.log})
	c.mu.Lock()
	c.ep, c.sl = ep, sl
	dbs := make([]*Database, 0, len(c.dbs))
	for _, d := range c.dbs {
		dbs = append(dbs, d)
	}
	close(c.up)
	c.mu.Unlock()
	for _, d := range dbs {
		if err := sl.Subscribe(ctx, d.name, d.r); err != nil {
			c.log.Warn("client: subscribe", "db", d.name, "err", err)
		}
	}
	err := peer.RejectUnknown(ctx, ep)
	c.mu.Lock()
	c.ep, c.sl = nil, nil
	c.up = make(chan struct{})
	c.mu.Unlock()
	ep.Close("reconnecting")
	sl.Close("reconnecting")
	return err
}

// endpoint waits for a connected rpc endpoint.
func (c *Client) endpoint(ctx context.Context) (*rpc.Endpoint, *csync.ClientLayer, error) {
	for {
		c.mu.Lock()
		ep, sl, up := c.ep, c.sl, c.up
		c.mu.Unlock()
		if ep != nil && ep.Err() == nil {
			return ep, sl, nil
		}
		select {
		case <-up:
		case <-c.done:
			if c.runErr != nil && !errors.Is(c.runErr, context.Canceled) {
				return nil, nil, c.runErr
			}
			return nil, nil, ErrClosed
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

func (c *Client) call(ctx context.Context, fn string, args, result any) error {
	ep, _, err := c.endpoint(ctx)
	if err != nil {
		return err
	}
	return mapError(ep.Call(ctx, fn, args, result))
}

// CreateOptions describe a new database.
type CreateOptions struct {
	// KeepHistory keeps temporal indices; nil means true.
	KeepHistory *bool
	// SchemaFlexibility is "write" (default) or "read".
	SchemaFlexibility string
	// Schema is the initial schema as EDN tx-data of attribute entities.
	Schema string
}

// CreateDatabase creates a database on the server.
func (c *Client) CreateDatabase(ctx context.Context, name string, o CreateOptions) error {
	return c.call(ctx, wire.FnCreateDatabase, wire.CreateArgs{Name: name, KeepHistory: o.KeepHistory,
		SchemaFlexibility: o.SchemaFlexibility, Schema: o.Schema}, nil)
}

// DeleteDatabase deletes a database on the server; its subscribers get
// ErrDeleted.
func (c *Client) DeleteDatabase(ctx context.Context, name string) error {
	return c.call(ctx, wire.FnDeleteDatabase, wire.NameArgs{Name: name}, nil)
}

// DatabaseExists reports whether the server has the database.
func (c *Client) DatabaseExists(ctx context.Context, name string) (bool, error) {
	var ok bool
	err := c.call(ctx, wire.FnDatabaseExists, wire.NameArgs{Name: name}, &ok)
	return ok, err
}

// ListDatabases returns the server's databases.
func (c *Client) ListDatabases(ctx context.Context) ([]string, error) {
	var names []string
	err := c.call(ctx, wire.FnListDatabases, struct{}{}, &names)
	return names, err
}

// Open starts following a database into st (nil: a new in-memory store).
// A store that already holds a replica of it resumes from there: only what
// changed since is fetched. The returned Database's DB is nil until the
// first sync completes (see Ready); a replica opened from a store is
// queryable at once, even while the server is unreachable.
func (c *Client) Open(ctx context.Context, name string, st store.Store) (*Database, error) {
	if st == nil {
		st = mem.New()
	}
	r, err := csync.OpenReplica(ctx, st, coresync.Engine(c.opts.Core))
	if err != nil {
		return nil, err
	}
	d := &Database{c: c, name: name, st: st, r: r}
	c.mu.Lock()
	if _, ok := c.dbs[name]; ok {
		c.mu.Unlock()
		return nil, fmt.Errorf("client: %s is already open", name)
	}
	c.dbs[name] = d
	sl := c.sl
	c.mu.Unlock()
	if sl != nil {
		if err := sl.Subscribe(ctx, name, r); err != nil {
			c.log.Debug("client: subscribe", "db", name, "err", err)
		}
	}
	return d, nil
}

// Database is a replica of one server database.
type Database struct {
	c    *Client
	name string
	st   store.Store
	r    *csync.Replica
}

// Name returns the database's scope id.
func (d *Database) Name() string { return d.name }

// Store returns the replica's store.
func (d *Database) Store() store.Store { return d.st }

// DB returns the latest complete local value (nil before the first sync).
// Queries on it run locally.
func (d *Database) DB() *core.DB { return coresync.DB(d.r.DB()) }

// Ready waits until the replica holds a complete database value.
func (d *Database) Ready(ctx context.Context) (*core.DB, error) {
	return d.Sync(ctx, 0)
}

// Sync waits until the replica has applied a head with basis-t >= t.
func (d *Database) Sync(ctx context.Context, t int64) (*core.DB, error) {
	db, err := d.r.WaitFor(ctx, t)
	switch {
	case errors.Is(err, csync.ErrDeleted):
		return nil, ErrDeleted
	case errors.Is(err, csync.ErrUnavailable):
		return nil, errors.Join(ErrNotFound, err)
	}
	return coresync.DB(db), err
}

// Listen registers fn for every transaction the replica receives, in
// order. It returns a function that removes the listener.
func (d *Database) Listen(fn func(Event)) func() {
	return d.r.Listen(func(e csync.Event) {
		fn(Event{TxID: e.TxID, TxData: e.TxData, DB: coresync.DB(e.DB), Resync: e.Resync})
	})
}

// Event is one synced transaction, in order, or a resync notice when the
// replica had to start over.
type Event struct {
	// TxID and TxData describe one transaction (replayed from the log).
	TxID   int64
	TxData []datom.Datom
	// DB is the replica's value after the step that brought this
	// transaction (it may already include later transactions of the step).
	DB *core.DB
	// Resync is set (and TxData empty) when the replica was reset: a
	// transaction gap cannot be replayed and listeners should re-read.
	Resync bool
}

// Stats reports what the replica has received.
func (d *Database) Stats() csync.Stats { return d.r.Stats() }

// Result is a committed remote transaction.
type Result struct {
	wire.TransactResult
	// DB is the local value that contains the transaction.
	DB *core.DB
}

// Transact sends tx-data (EDN text) to database name on the server and
// returns its result, without waiting for any replica. It retries with the
// same idempotency key across disconnects until ctx ends, so it applies at
// most once; when ctx ends first the outcome is unknown.
func (c *Client) Transact(ctx context.Context, name, txData string) (*wire.TransactResult, error) {
	var kb [16]byte
	if err := entropy.Read(kb[:]); err != nil {
		return nil, err
	}
	args := wire.TransactArgs{DB: name, TxData: txData, Key: hex.EncodeToString(kb[:])}
	var res wire.TransactResult
	for {
		err := c.call(ctx, wire.FnTransact, args, &res)
		if err == nil {
			return &res, nil
		}
		if errors.Is(err, rpc.ErrDisconnected) {
			if ctx.Err() != nil {
				return nil, errors.Join(ErrOutcomeUnknown, err)
			}
			continue // the next call waits for the reconnect
		}
		if ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, rpc.ErrTimeout)) {
			return nil, errors.Join(ErrOutcomeUnknown, err)
		}
		return nil, err
	}
}

// Transact sends tx-data (EDN text) to the server and returns once the
// local replica contains the transaction (read-your-writes). It retries
// with the same idempotency key across disconnects until ctx ends.
func (d *Database) Transact(ctx context.Context, txData string) (*Result, error) {
	res, err := d.c.Transact(ctx, d.name, txData)
	if err != nil {
		return nil, err
	}
	db, err := d.Sync(ctx, res.TxID)
	if err != nil {
		return nil, err
	}
	return &Result{TransactResult: *res, DB: db}, nil
}

// Close stops following the database (its store stays as it is).
func (d *Database) Close() error {
	d.c.mu.Lock()
	if d.c.dbs[d.name] == d {
		delete(d.c.dbs, d.name)
	}
	sl := d.c.sl
	d.c.mu.Unlock()
	if sl != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = sl.Unsubscribe(ctx, d.name)
	}
	return nil
}
