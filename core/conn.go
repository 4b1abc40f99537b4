package core

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
	"github.com/cairn-db/cairn/internal/entropy"
	"github.com/cairn-db/cairn/logging"
	"github.com/cairn-db/cairn/store"
)

// DefaultBranch is the name of the head a database is stored under.
const DefaultBranch = "db"

// Mode selects how schema and transaction entities are handled.
type Mode = tx.Mode

// The two modes of one engine.
const (
	// ModeDatahike (the default) transacts schema as entities and writes a
	// :db/txInstant datom on every transaction entity.
	ModeDatahike = tx.ModeDatahike
	// ModeDataScript takes the schema as a map at creation (kept in the
	// schema node, consuming no entity ids) and writes no transaction-entity
	// datoms.
	ModeDataScript = tx.ModeDataScript
)

// Config describes a database at creation. It is stored in the database;
// Connect reads it back.
type Config struct {
	// KeepHistory keeps temporal indices for History and AsOf. nil means
	// true.
	KeepHistory *bool
	// SchemaFlexibility is schema.Write (FlexWrite, the default: attributes must be
	// declared and values are type checked) or schema.FlexRead.
	SchemaFlexibility schema.Flexibility
	// Mode is ModeDatahike (default) or ModeDataScript.
	Mode Mode
	// Schema is the initial schema: an EDN map text or *edn.Map in
	// DataScript's shape ({:name {:db/unique :db.unique/identity}}) for
	// ModeDataScript, or tx-data (EDN vector text or []any) of attribute
	// entities for ModeDatahike, transacted as the first transaction.
	Schema any
	// Incarnation fixes the database's incarnation id (tests); zero means a
	// random one.
	Incarnation [16]byte
}

// Options tune a connection; they are not stored. The zero value is fine.
type Options struct {
	// Cache is the decoded-node cache; nil gives a private 64 MiB cache.
	Cache *index.Cache
	// NodeSize is the target encoded size of index nodes (default 4096).
	NodeSize int
	// Now is the clock for :db/txInstant; nil means time.Now.
	Now func() time.Time
	// Logger receives the connection's logs; nil discards them.
	Logger logging.Logger
	// MaxGroup bounds how many queued transactions one group commit takes
	// (default 512).
	MaxGroup int
	// Branch is the head name (default "db").
	Branch string
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Cache == nil {
		c.Cache = index.NewCache(64 << 20)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = logging.Or(c.Logger)
	if c.MaxGroup <= 0 {
		c.MaxGroup = 512
	}
	if c.Branch == "" {
		c.Branch = DefaultBranch
	}
	return c
}

// Report describes one committed transaction.
type Report struct {
	// DBBefore and DBAfter are the values before and after this
	// transaction. Inside a group commit each transaction has its own.
	DBBefore, DBAfter *DB
	// TxData is every datom the transaction asserted or retracted.
	TxData []datom.Datom
	// Tempids maps each tempid of the tx-data (string or negative int64) to
	// its entity id; the key "db/current-tx" maps to the transaction id.
	Tempids map[any]int64
	// TxID is the transaction's id (its basis-t).
	TxID int64
}

// Conn is a connection to one database with a local writer: it owns the
// store's head and applies transactions with group commit.
//
// Design: one goroutine (the writer) takes every queued transaction, applies
// them in order to successive DB values (a failing one is dropped and only
// its caller gets the error), flushes the last value's new nodes, its schema
// node and commit, and writes them with the head in ONE store batch — one
// durable write per group. Reports, listeners and the next DB() happen only
// after that write returns. The rejected alternative, one durable write per
// transaction, costs an fsync each and made Datahike's file store do a few
// transactions per second.
type Conn struct {
	st   store.Store
	opts Options
	cfg  struct{ mode Mode }

	queue   chan *txRequest
	closed  chan struct{}
	stopped chan struct{} // closed when the writer goroutine has returned
	wg      gosync.WaitGroup
	ctx     context.Context // owned by the writer; cancelled on Close
	cancel  context.CancelFunc

	mu        gosync.RWMutex
	db        *DB
	head      []byte
	err       error // sticky: the store failed or another writer took over
	listeners map[int]func(*Report)
	nextL     int
	closeOnce gosync.Once
}

type txRequest struct {
	ctx  context.Context
	data []any
	done chan txResult
}

type txResult struct {
	report *Report
	err    error
}

func newEnv(st store.Store, o Options) *env {
	return &env{loader: st, cache: o.Cache, nodeSz: o.NodeSize}
}

// Create makes a new database in st and connects to it. It fails with
// ErrDatabaseExists when st already holds one under the branch.
func Create(ctx context.Context, st store.Store, cfg Config, opts *Options) (*Conn, error) {
	o := opts.withDefaults()
	if _, err := st.Head(ctx, o.Branch); err == nil {
		return nil, ErrDatabaseExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	e := newEnv(st, o)
	db := &DB{env: e, maxTx: datom.Tx0, incarnation: cfg.Incarnation}
	if db.incarnation == ([16]byte{}) {
		if err := entropy.Read(db.incarnation[:]); err != nil {
			return nil, err
		}
	}
	if cfg.KeepHistory == nil || *cfg.KeepHistory {
		db.flags |= flagKeepHistory
	}
	if cfg.Mode == ModeDataScript {
		db.flags |= flagDataScript
	}
	if cfg.SchemaFlexibility == schema.FlexRead {
		db.flags |= flagSchemaRead
	}
	for i := range db.trees {
		db.trees[i] = index.New(treeCmp(i), e.treeOptions())
	}
	var initialTx []any
	switch cfg.Mode {
	case ModeDataScript:
		m, err := schemaMap(cfg.Schema)
		if err != nil {
			return nil, err
		}
		s, err := schema.FromEDN(m, cfg.SchemaFlexibility)
		if err != nil {
			return nil, err
		}
		db.schema = s
	default:
		s, err := schema.Empty(cfg.SchemaFlexibility), error(nil)
		if err != nil {
			return nil, err
		}
		db.schema = s
		if cfg.Schema != nil {
			if initialTx, err = ParseTxData(cfg.Schema); err != nil {
				return nil, err
			}
		}
	}
	final, puts, head, err := db.flush(o.Branch)
	if err != nil {
		return nil, err
	}
	if err := st.Write(ctx, store.Batch{Puts: puts, Head: &store.HeadUpdate{Name: o.Branch, New: head}}); err != nil {
		if errors.Is(err, store.ErrHeadConflict) {
			return nil, ErrDatabaseExists
		}
		return nil, err
	}
	c := start(st, o, final, head)
	if len(initialTx) > 0 {
		if _, err := c.Transact(ctx, initialTx); err != nil {
			c.Close()
			return nil, fmt.Errorf("cairn: initial schema: %w", err)
		}
	}
	return c, nil
}

func schemaMap(v any) (*edn.Map, error) {
	switch s := v.(type) {
	case nil:
		return edn.NewMap(), nil
	case *edn.Map:
		return s, nil
	case string:
		r, err := edn.ReadString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: schema: %w", ErrInvalidArgument, err)
		}
		if m, ok := r.(*edn.Map); ok {
			return m, nil
		}
		if r == nil {
			return edn.NewMap(), nil
		}
	}
	return nil, fmt.Errorf("%w: schema must be an EDN map, got %T", ErrInvalidArgument, v)
}

// Connect opens the database stored in st. Opening reads only the head, the
// commit and the schema node; index nodes load on demand.
func Connect(ctx context.Context, st store.Store, opts *Options) (*Conn, error) {
	o := opts.withDefaults()
	db, head, err := load(ctx, st, o)
	if err != nil {
		return nil, err
	}
	return start(st, o, db, head), nil
}

// Load returns the latest DB value stored in st without taking the role of
// writer (for readers of a shared store and replicas).
func Load(ctx context.Context, st store.Store, opts *Options) (*DB, error) {
	o := opts.withDefaults()
	db, _, err := load(ctx, st, o)
	return db, err
}

// LoadCommit returns the DB value stored under a commit key.
func LoadCommit(ctx context.Context, st store.Store, commit string, opts *Options) (*DB, error) {
	o := opts.withDefaults()
	return loadCommit(ctx, newEnv(st, o), commit)
}

func load(ctx context.Context, st store.Store, o Options) (*DB, []byte, error) {
	head, err := st.Head(ctx, o.Branch)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoDatabase
	}
	if err != nil {
		return nil, nil, err
	}
	h, err := decodeHead(head)
	if err != nil {
		return nil, nil, err
	}
	db, err := loadCommit(ctx, newEnv(st, o), h.commit)
	if err != nil {
		return nil, nil, err
	}
	return db, head, nil
}

func loadCommit(ctx context.Context, e *env, key string) (*DB, error) {
	b, err := e.loader.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("cairn: reading commit: %w", err)
	}
	if hashKey(b) != key {
		return nil, fmt.Errorf("%w: commit does not match its key", ErrCorrupt)
	}
	c, err := decodeCommit(b)
	if err != nil {
		return nil, err
	}
	s, err := loadSchema(ctx, e.loader, c.schema)
	if err != nil {
		return nil, err
	}
	db := &DB{env: e, commit: key, parent: c.parent, incarnation: c.incarnation, schema: s,
		schemaKey: c.schema, maxEid: c.maxEid, maxTx: c.maxTx, lastInstant: c.lastInstant, flags: c.flags}
	for i := range db.trees {
		db.trees[i] = index.Open(c.roots[i], treeCmp(i), e.treeOptions())
	}
	return db, nil
}

// schemas remembers decoded schema nodes by key: schemas are immutable
// values, and a replica loads a commit (and so its schema) at every head.
var schemas struct {
	mu gosync.Mutex
	m  map[string]*schema.Schema
}

func loadSchema(ctx context.Context, loader index.Loader, key string) (*schema.Schema, error) {
	schemas.mu.Lock()
	s, ok := schemas.m[key]
	schemas.mu.Unlock()
	if ok {
		return s, nil
	}
	sb, err := loader.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("cairn: reading schema: %w", err)
	}
	if hashKey(sb) != key {
		return nil, fmt.Errorf("%w: schema does not match its key", ErrCorrupt)
	}
	if s, err = schema.Decode(sb); err != nil {
		return nil, err
	}
	schemas.mu.Lock()
	if schemas.m == nil || len(schemas.m) >= 256 {
		schemas.m = map[string]*schema.Schema{}
	}
	schemas.m[key] = s
	schemas.mu.Unlock()
	return s, nil
}

func start(st store.Store, o Options, db *DB, head []byte) *Conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conn{st: st, opts: o, queue: make(chan *txRequest, o.MaxGroup), closed: make(chan struct{}), stopped: make(chan struct{}),
		ctx: ctx, cancel: cancel, db: db, head: head, listeners: map[int]func(*Report){}}
	if db.flags&flagDataScript != 0 {
		c.cfg.mode = ModeDataScript
	}
	c.wg.Add(1)
	go c.run()
	return c
}

// DB returns the latest committed database value.
func (c *Conn) DB() *DB {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.db
}

// Store returns the store the connection writes to.
func (c *Conn) Store() store.Store { return c.st }

// Listen registers fn to receive the report of every transaction committed
// from now on, in commit order, after it is durable. fn runs on the writer
// goroutine: it must be quick and must not call Transact. The returned
// function removes the listener.
func (c *Conn) Listen(fn func(*Report)) (unlisten func()) {
	c.mu.Lock()
	id := c.nextL
	c.nextL++
	c.listeners[id] = fn
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.listeners, id)
		c.mu.Unlock()
	}
}

// ParseTxData turns tx-data given as EDN text, an edn.Vector/List or a
// []any into the list of operations the transaction processor takes.
func ParseTxData(data any) ([]any, error) {
	switch d := data.(type) {
	case string:
		v, err := edn.ReadString(d)
		if err != nil {
			return nil, fmt.Errorf("%w: tx-data: %w", ErrInvalidArgument, err)
		}
		return ParseTxData(v)
	case []byte:
		return ParseTxData(string(d))
	case edn.Vector:
		return []any(d), nil
	case edn.List:
		return []any(d), nil
	case []any:
		return d, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: tx-data must be a vector or list, got %T", ErrInvalidArgument, data)
}

// Transact applies tx-data (EDN text or parsed values) and returns its
// report once the commit holding it is durable. If ctx ends first the
// transaction may still commit.
func (c *Conn) Transact(ctx context.Context, data any) (*Report, error) {
	ops, err := ParseTxData(data)
	if err != nil {
		return nil, err
	}
	req := &txRequest{ctx: ctx, data: ops, done: make(chan txResult, 1)}
	select {
	case <-c.closed:
		return nil, ErrClosed
	default:
	}
	select {
	case c.queue <- req:
	case <-c.closed:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.report, r.err
	case <-c.stopped:
		// The writer ended; it answered every request it took.
		select {
		case r := <-req.done:
			return r.report, r.err
		default:
			return nil, ErrClosed
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the writer after the transactions already queued; later
// calls to Transact return ErrClosed. It does not close the store.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.wg.Wait()
		c.cancel()
	})
	return nil
}

func (c *Conn) run() {
	defer c.wg.Done()
	defer close(c.stopped)
	group := make([]*txRequest, 0, c.opts.MaxGroup)
	for {
		var first *txRequest
		select {
		case first = <-c.queue:
		case <-c.closed:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-c.queue:
					c.commitGroup([]*txRequest{r})
				default:
					return
				}
			}
		}
		group = append(group[:0], first)
	drain:
		for len(group) < c.opts.MaxGroup {
			select {
			case r := <-c.queue:
				group = append(group, r)
			default:
				break drain
			}
		}
		c.commitGroup(group)
	}
}

type pending struct {
	req    *txRequest
	report *Report
}

func (c *Conn) commitGroup(group []*txRequest) {
	c.mu.RLock()
	base, head, stuck := c.db, c.head, c.err
	c.mu.RUnlock()
	if stuck != nil {
		for _, r := range group {
			r.done <- txResult{err: stuck}
		}
		return
	}
	db := base
	var done []pending
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- txResult{err: err}
			continue
		}
		next, rep, err := db.transact(c.ctx, r.data, c.opts.Now, c.cfg.mode)
		if err != nil {
			r.done <- txResult{err: err}
			continue
		}
		done = append(done, pending{req: r, report: rep})
		db = next
	}
	if len(done) == 0 {
		return
	}
	final, puts, newHead, err := db.flush(c.opts.Branch)
	if err == nil {
		err = c.st.Write(c.ctx, store.Batch{Puts: puts, Head: &store.HeadUpdate{Name: c.opts.Branch, Old: head, New: newHead}})
	}
	if err != nil {
		if errors.Is(err, store.ErrHeadConflict) {
			err = fmt.Errorf("%w: %w", ErrConflict, err)
		}
		c.opts.Logger.Error("commit failed", "err", err, "transactions", len(done))
		c.mu.Lock()
		c.err = err // a failed durable write is sticky: never retried
		c.mu.Unlock()
		for _, p := range done {
			p.req.done <- txResult{err: err}
		}
		return
	}
	done[len(done)-1].report.DBAfter = final
	c.mu.Lock()
	c.db, c.head = final, newHead
	ls := make([]func(*Report), 0, len(c.listeners))
	for _, k := range slices.Sorted(maps.Keys(c.listeners)) {
		ls = append(ls, c.listeners[k])
	}
	c.mu.Unlock()
	for _, p := range done {
		p.req.done <- txResult{report: p.report}
	}
	for _, p := range done {
		for _, fn := range ls {
			fn(p.report)
		}
	}
}

// transact applies one transaction to db in memory, returning the new value
// and the report.
func (db *DB) transact(ctx context.Context, data []any, now func() time.Time, mode Mode) (*DB, *Report, error) {
	res, err := tx.Process(txSnapshot{db: db, ctx: ctx}, data, tx.Options{Now: now, Mode: mode})
	if err != nil {
		return nil, nil, err
	}
	next, err := db.apply(ctx, res)
	if err != nil {
		return nil, nil, err
	}
	return next, &Report{DBBefore: db, DBAfter: next, TxData: res.TxData, Tempids: res.Tempids, TxID: res.TxID}, nil
}

// apply writes a transaction's net effect into copies of the trees.
func (db *DB) apply(ctx context.Context, res *tx.Result) (*DB, error) {
	next := *db
	next.parent = db.commitOrParent()
	next.commit = ""
	next.view = view{}
	next.maxEid = max(db.maxEid, res.MaxEid)
	next.maxTx = res.TxID
	next.lastInstant = res.TxInstant
	if res.Schema != nil && res.Schema != db.schema {
		next.schema = res.Schema
		next.schemaKey = ""
	}
	// The indices are independent: each gets its part of the change.
	type job struct {
		tree          int
		adds, removes []datom.Datom
	}
	var jobs []job
	if len(res.Adds) > 0 || len(res.Retracts) > 0 {
		// With sorts copies of its inputs: the slices can be shared.
		for _, i := range []int{rootEAVT, rootAEVT, rootAVET} {
			jobs = append(jobs, job{i, res.Adds, res.Retracts})
		}
	}
	if db.KeepHistory() && len(res.Retracts) > 0 {
		temporal := make([]datom.Datom, 0, 2*len(res.Retracts))
		for _, r := range res.Retracts {
			if a, ok := db.schema.Attr(r.A); ok && a.NoHistory {
				continue
			}
			temporal = append(temporal, r)
			temporal = append(temporal, datom.Datom{E: r.E, A: r.A, V: r.V, Tx: res.TxID, Added: false})
		}
		if len(temporal) > 0 {
			for _, i := range []int{rootTEAVT, rootTAEVT, rootTAVET} {
				jobs = append(jobs, job{i, temporal, nil})
			}
		}
	}
	if len(res.TxData) > 0 {
		jobs = append(jobs, job{rootLog, res.TxData, nil})
	}
	errs := make([]error, len(jobs))
	run := func(k int) {
		j := jobs[k]
		next.trees[j.tree], errs[k] = db.trees[j.tree].With(ctx, j.adds, j.removes)
	}
	if len(res.TxData) < parallelApply {
		for k := range jobs {
			run(k)
		}
	} else {
		// A large transaction updates its indices in parallel.
		var wg gosync.WaitGroup
		for k := range jobs {
			wg.Go(func() { run(k) })
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &next, nil
}

// parallelApply is the transaction size (datoms) from which apply updates
// the indices in parallel; below it goroutines cost more than they save.
const parallelApply = 512

// flush encodes every new node of db and its commit. It returns the clean,
// committed value, the entries to write (children before parents, the
// commit last) and the head record naming the commit.
func (db *DB) flush(branch string) (*DB, []store.KV, []byte, error) {
	next := *db
	var puts []store.KV
	seen := map[string]bool{}
	add := func(k string, b []byte) {
		if !seen[k] {
			seen[k] = true
			puts = append(puts, store.KV{Key: k, Value: b})
		}
	}
	// Trees flush (hash their new nodes) in parallel; their nodes are then
	// added in tree order so the batch is deterministic.
	var nodes [numRoots][]index.Node
	var errs [numRoots]error
	var wg gosync.WaitGroup
	for i, t := range db.trees {
		if !t.Dirty() {
			next.trees[i] = t
			continue
		}
		wg.Go(func() { next.trees[i], nodes[i], errs[i] = t.Flush() })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, nil, err
	}
	for i := range nodes {
		for _, n := range nodes[i] {
			add(n.Key, n.Bytes)
		}
	}
	if next.schemaKey == "" {
		b := next.schema.Encode()
		next.schemaKey = hashKey(b)
		add(next.schemaKey, b)
	}
	rec := commitRecord{incarnation: db.incarnation, parent: db.commitOrParent(), schema: next.schemaKey,
		maxEid: db.maxEid, maxTx: db.maxTx, lastInstant: db.lastInstant, flags: db.flags}
	for i, t := range next.trees {
		rec.roots[i] = t.Root()
	}
	b := rec.encode()
	next.commit = hashKey(b)
	next.parent = rec.parent
	add(next.commit, b)
	next.added, next.addedFor = nil, ""
	if len(puts) <= maxAddedEntries {
		next.added, next.addedFor = puts, next.commit
	}
	h := headRecord{commit: next.commit, incarnation: db.incarnation, basisT: db.maxTx}
	return &next, puts, h.encode(), nil
}

// commitOrParent is the parent of a commit made from db: db's own commit
// when it has one, else the commit it descends from.
func (db *DB) commitOrParent() string {
	if db.commit != "" {
		return db.commit
	}
	return db.parent
}
