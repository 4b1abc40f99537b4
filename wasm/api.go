//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"syscall/js"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
	csync "github.com/cairn-db/cairn/sync"
)

const version = "0.1.0"

const (
	defaultReadTimeout     = 15 * time.Second
	defaultTransactTimeout = 30 * time.Second
	progressInterval       = 200 * time.Millisecond
)

// api is the state behind the global cairn object.
type api struct {
	exported []js.Func
	stopped  chan struct{}
	stopOnce gosync.Once
	cache    *index.Cache

	mu      gosync.Mutex
	c       *client.Client
	url     string
	status  peer.StatusChange
	dbs     map[int]*handle
	byName  map[string]*handle
	subs    map[int]*subscription
	next    int
	stOnSub map[int]bool // subscription ids that observe status
}

// handle is an open database replica.
type handle struct {
	id        int
	name      string
	d         *client.Database
	st        store.Store
	front     store.Store  // the memory tier, for synchronous reads
	cache     *index.Cache // the decoded-node cache shared with the replica
	storeKind string
	opened    time.Time

	syncMu     gosync.Mutex
	syncCommit string
	syncDB     *core.DB // the replica's value read through front only
}

// syncValue returns the replica's latest value read through the memory
// tier alone, so that it never waits: for the synchronous functions, which
// run on the JavaScript caller's goroutine. A node missing from memory is
// an error there, never a wait.
func (h *handle) syncValue(v view) (*core.DB, error) {
	db := h.d.DB()
	if db == nil {
		return nil, errf("not-ready", "%s: the replica has no complete value yet (await ready first)", h.name)
	}
	h.syncMu.Lock()
	defer h.syncMu.Unlock()
	if h.syncCommit != db.CommitID() {
		fdb, err := core.LoadCommit(context.Background(), h.front, db.CommitID(), &core.Options{Cache: h.cache})
		if err != nil {
			return nil, errf("not-in-memory", "%s: %v (use the asynchronous call)", h.name, err)
		}
		h.syncCommit, h.syncDB = db.CommitID(), fdb
	}
	return v.apply(h.syncDB), nil
}

// subscription is a registered JavaScript callback fed in order from an
// unbounded queue by its own goroutine, so that producers (the replica's
// apply loop, the peer's status hook) never wait for JavaScript.
type subscription struct {
	fn    js.Value
	mu    gosync.Mutex
	queue []func() []any
	wake  chan struct{}
	done  chan struct{}
	stop  func() // unhooks the producer
	once  gosync.Once
}

func newSubscription(fn js.Value) *subscription {
	s := &subscription{fn: fn, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// push queues an event; args is built on the delivery goroutine.
func (s *subscription) push(args func() []any) {
	s.mu.Lock()
	s.queue = append(s.queue, args)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscription) run() {
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		for {
			s.mu.Lock()
			q := s.queue
			s.queue = nil
			s.mu.Unlock()
			if len(q) == 0 {
				break
			}
			for _, ev := range q {
				select {
				case <-s.done:
					return
				default:
				}
				callJS(s.fn, ev()...)
			}
		}
	}
}

func (s *subscription) close() {
	s.once.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		close(s.done)
	})
}

func newAPI() *api {
	return &api{
		stopped: make(chan struct{}),
		cache:   index.NewCache(48 << 20),
		dbs:     map[int]*handle{},
		byName:  map[string]*handle{},
		subs:    map[int]*subscription{},
		stOnSub: map[int]bool{},
	}
}

// exports lists the functions of the global cairn object: a static table
// (rather than a map literal of method values, which compiles to code per
// entry). sync marks the synchronous ones, which return their value
// instead of a Promise.
var exports = [...]struct {
	name string
	fn   func(a *api, args []js.Value) (any, error)
	sync bool
}{
	{"connect", (*api).connect, false},
	{"disconnect", (*api).disconnect, false},
	{"status", (*api).statusFn, false},
	{"onStatus", (*api).onStatus, false},
	{"createDatabase", (*api).createDatabase, false},
	{"deleteDatabase", (*api).deleteDatabase, false},
	{"listDatabases", (*api).listDatabases, false},
	{"open", (*api).open, false},
	{"close", (*api).closeDB, false},
	{"ready", (*api).ready, false},
	{"stats", (*api).stats, false},
	{"onProgress", (*api).onProgress, false},
	{"transact", (*api).transact, false},
	{"q", (*api).q, false},
	{"pull", (*api).pull, false},
	{"pullMany", (*api).pullMany, false},
	{"datoms", (*api).datoms, false},
	{"txLog", (*api).txLog, false},
	{"listen", (*api).listen, false},
	{"off", (*api).off, false},
	{"shutdown", (*api).shutdown, false},
	{"history", (*api).history, true},
	{"asOf", (*api).asOf, true},
	{"since", (*api).since, true},
	{"toJS", (*api).toJSFn, true},
	{"qSync", (*api).qSync, true},
	{"pullSync", (*api).pullSync, true},
	{"pullManySync", (*api).pullManySync, true},
}

func (a *api) funcs() map[string]js.Func {
	m := make(map[string]js.Func, len(exports))
	for _, e := range exports {
		fn := func(args []js.Value) (any, error) { return e.fn(a, args) }
		if e.sync {
			m[e.name] = syncFn(fn)
		} else {
			m[e.name] = async(fn)
		}
	}
	for _, f := range m {
		a.exported = append(a.exported, f)
	}
	return m
}

// --- connection ---

// connect(url, token, {backoffMaxMs}) starts the connection in the
// background and resolves at once: a page whose server is down still opens
// its replicas and queries them. Watch onStatus for "connected".
func (a *api) connect(args []js.Value) (any, error) {
	url, _ := argString(args, 0, "connect url")
	if url == "" {
		loc := js.Global().Get("location")
		scheme := "ws://"
		if loc.Get("protocol").String() == "https:" {
			scheme = "wss://"
		}
		url = scheme + loc.Get("host").String() + "/ws"
	}
	token, _ := argString(args, 1, "connect token")
	o := optObject(args, 2)
	po := peer.ClientOptions{
		Dial:        peer.DialOptions{TokenInMessage: true},
		BackoffBase: 250 * time.Millisecond,
		BackoffMax:  5 * time.Second,
	}
	if ms, ok := getNumber(o, "backoffMaxMs"); ok && ms > 0 {
		po.BackoffMax = time.Duration(ms) * time.Millisecond
	}
	a.mu.Lock()
	if a.c != nil {
		same := a.url == url
		a.mu.Unlock()
		if same {
			return nil, nil
		}
		return nil, errf("invalid", "connect: already connected to %s (disconnect first)", a.url)
	}
	a.mu.Unlock()
	c, err := client.New(url, &client.Options{
		Token:    token,
		Peer:     po,
		Core:     &core.Options{Cache: a.cache},
		OnStatus: a.onStatusChange,
	})
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.c != nil { // lost a race with another connect
		a.mu.Unlock()
		c.Close()
		return nil, errf("invalid", "connect: already connected to %s", a.url)
	}
	a.c, a.url = c, url
	a.mu.Unlock()
	return nil, nil
}

func (a *api) onStatusChange(sc peer.StatusChange) {
	a.mu.Lock()
	a.status = sc
	var subs []*subscription
	for id := range a.stOnSub {
		if s := a.subs[id]; s != nil {
			subs = append(subs, s)
		}
	}
	a.mu.Unlock()
	for _, s := range subs {
		s.push(func() []any { return []any{statusObject(sc)} })
	}
}

func statusObject(sc peer.StatusChange) any {
	m := map[string]any{"status": sc.Status.String(), "attempt": sc.Attempt}
	if sc.Err != nil {
		m["error"] = sc.Err.Error()
	} else {
		m["error"] = nil
	}
	return m
}

func (a *api) statusFn(args []js.Value) (any, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c == nil {
		return map[string]any{"status": "not-connected", "attempt": 0, "error": nil}, nil
	}
	sc := a.status
	sc.Status = a.c.Status()
	m := statusObject(sc).(map[string]any)
	m["url"] = a.url
	return m, nil
}

// onStatus(cb) calls cb({status, attempt, error}) at every change, and once
// at once with the current status. Resolves with an id for off(id).
func (a *api) onStatus(args []js.Value) (any, error) {
	fn, err := argFunc(args, 0, "onStatus")
	if err != nil {
		return nil, err
	}
	s := newSubscription(fn)
	a.mu.Lock()
	id := a.addSub(s)
	a.stOnSub[id] = true
	a.mu.Unlock()
	cur, _ := a.statusFn(nil)
	s.push(func() []any { return []any{cur} })
	return id, nil
}

func (a *api) disconnect(args []js.Value) (any, error) {
	a.mu.Lock()
	c := a.c
	hs := make([]*handle, 0, len(a.dbs))
	for _, h := range a.dbs {
		hs = append(hs, h)
	}
	a.c, a.url = nil, ""
	a.dbs, a.byName = map[int]*handle{}, map[string]*handle{}
	a.mu.Unlock()
	for _, h := range hs {
		h.d.Close()
		h.st.Close()
	}
	if c != nil {
		c.Close()
	}
	return nil, nil
}

func (a *api) shutdown(args []js.Value) (any, error) {
	a.mu.Lock()
	subs := a.subs
	a.subs = map[int]*subscription{}
	a.mu.Unlock()
	for _, s := range subs {
		s.close()
	}
	a.disconnect(nil)
	a.stopOnce.Do(func() { close(a.stopped) })
	return nil, nil
}

func (a *api) addSub(s *subscription) int {
	a.next++
	a.subs[a.next] = s
	return a.next
}

// off(id) removes a listener registered by listen, onStatus or onProgress.
func (a *api) off(args []js.Value) (any, error) {
	id, err := argInt(args, 0, "off")
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	s := a.subs[int(id)]
	delete(a.subs, int(id))
	delete(a.stOnSub, int(id))
	a.mu.Unlock()
	if s == nil {
		return false, nil
	}
	s.close()
	return true, nil
}

func (a *api) client() (*client.Client, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c == nil {
		return nil, errf("not-connected", "not connected: call connect(url, token) first")
	}
	return a.c, nil
}

// --- databases on the server ---

// createDatabase(name, {keepHistory, schemaFlexibility, schema, timeoutMs})
func (a *api) createDatabase(args []js.Value) (any, error) {
	name, err := argString(args, 0, "createDatabase name")
	if err != nil {
		return nil, err
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	o := optObject(args, 1)
	var co client.CreateOptions
	if b, ok := getBool(o, "keepHistory"); ok {
		co.KeepHistory = &b
	}
	co.SchemaFlexibility = getString(o, "schemaFlexibility")
	co.Schema = getString(o, "schema")
	ctx, cancel := timeoutCtx(o, defaultTransactTimeout)
	defer cancel()
	return nil, c.CreateDatabase(ctx, name, co)
}

func (a *api) deleteDatabase(args []js.Value) (any, error) {
	name, err := argString(args, 0, "deleteDatabase name")
	if err != nil {
		return nil, err
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := timeoutCtx(optObject(args, 1), defaultTransactTimeout)
	defer cancel()
	if err := c.DeleteDatabase(ctx, name); err != nil {
		return nil, err
	}
	// Forget this page's replica of it, in memory and in IndexedDB.
	a.mu.Lock()
	h := a.byName[name]
	if h != nil {
		delete(a.byName, name)
		delete(a.dbs, h.id)
	}
	a.mu.Unlock()
	if h != nil {
		h.d.Close()
		h.st.Close()
	}
	dropReplicaStore(name)
	return nil, nil
}

func (a *api) listDatabases(args []js.Value) (any, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := timeoutCtx(optObject(args, 0), defaultTransactTimeout)
	defer cancel()
	names, err := c.ListDatabases(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out, nil
}

func timeoutCtx(o js.Value, def time.Duration) (context.Context, context.CancelFunc) {
	d := def
	if ms, ok := getNumber(o, "timeoutMs"); ok && ms > 0 {
		d = time.Duration(ms) * time.Millisecond
	}
	return context.WithTimeout(context.Background(), d)
}

// --- replicas ---

// open(name, {persist}) opens a local replica of the database and follows
// it; it resolves with a handle id at once. With persist (the default) the
// replica lives in IndexedDB behind a memory tier when available, so a
// reload (even offline) queries it immediately and a reconnect fetches
// only the delta.
func (a *api) open(args []js.Value) (any, error) {
	name, err := argString(args, 0, "open name")
	if err != nil {
		return nil, err
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	persist := true
	o := optObject(args, 1)
	if b, ok := getBool(o, "persist"); ok {
		persist = b
	}
	a.mu.Lock()
	if h := a.byName[name]; h != nil {
		a.mu.Unlock()
		return h.id, nil
	}
	a.mu.Unlock()
	ctx, cancel := timeoutCtx(o, defaultReadTimeout)
	defer cancel()
	st, front, kind, err := openReplicaStore(ctx, name, persist)
	if err != nil {
		return nil, err
	}
	d, err := c.Open(ctx, name, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	h := &handle{id: a.next, name: name, d: d, st: st, front: front, cache: a.cache, storeKind: kind, opened: time.Now()}
	a.dbs[h.id], a.byName[name] = h, h
	return h.id, nil
}

func (a *api) closeDB(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	delete(a.dbs, h.id)
	if a.byName[h.name] == h {
		delete(a.byName, h.name)
	}
	a.mu.Unlock()
	h.d.Close()
	return nil, h.st.Close()
}

// view is a time-travel view of a handle: {db: id, history, asOf, since}.
type view struct {
	history      bool
	asOf, since  int64
	hasAs, hasSn bool
}

func (v view) apply(db *core.DB) *core.DB {
	if v.history {
		db = db.History()
	}
	if v.hasAs {
		db = db.AsOf(v.asOf)
	}
	if v.hasSn {
		db = db.Since(v.since)
	}
	return db
}

func (v *view) merge(o js.Value) {
	if o.IsUndefined() {
		return
	}
	if b, ok := getBool(o, "history"); ok && b {
		v.history = true
	}
	if t, ok := getNumber(o, "asOf"); ok {
		if !v.hasAs || int64(t) < v.asOf {
			v.asOf, v.hasAs = int64(t), true
		}
	}
	if t, ok := getNumber(o, "since"); ok {
		if !v.hasSn || int64(t) > v.since {
			v.since, v.hasSn = int64(t), true
		}
	}
}

// handleArg resolves args[i]: a handle id, or a view object {db: id, …}.
func (a *api) handleArg(args []js.Value, i int) (*handle, view, error) {
	var v view
	if i >= len(args) {
		return nil, v, errf("invalid", "expected a database handle")
	}
	x := args[i]
	var id int
	switch x.Type() {
	case js.TypeNumber:
		id = x.Int()
	case js.TypeObject:
		if x.Get("db").Type() != js.TypeNumber {
			return nil, v, errf("invalid", "expected a database handle or view {db: handle, …}")
		}
		id = x.Get("db").Int()
		v.merge(x)
	default:
		return nil, v, errf("invalid", "expected a database handle (from open)")
	}
	a.mu.Lock()
	h := a.dbs[id]
	a.mu.Unlock()
	if h == nil {
		return nil, v, errf("closed", "database handle %d is not open", id)
	}
	return h, v, nil
}

// value waits (bounded) for the replica's first complete value and applies
// the view.
func (h *handle) value(ctx context.Context, v view) (*core.DB, error) {
	db := h.d.DB()
	if db == nil {
		var err error
		db, err = h.d.Ready(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, errf("timeout", "%s: no local replica yet and the initial sync did not finish in time (offline?)", h.name)
			}
			return nil, err
		}
	}
	return v.apply(db), nil
}

// ready(db, {timeoutMs}) resolves with {basisT} once the replica holds a
// complete database value.
func (a *api) ready(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	ctx, cancel := timeoutCtx(optObject(args, 1), defaultReadTimeout)
	defer cancel()
	db, err := h.value(ctx, view{})
	if err != nil {
		return nil, err
	}
	return map[string]any{"basisT": db.BasisT()}, nil
}

func (h *handle) statsObject() map[string]any {
	s := h.d.Stats()
	m := map[string]any{
		"name": h.name, "store": h.storeKind,
		"nodes": s.Nodes, "bytes": s.Bytes, "heads": s.Heads,
		"ready": false, "basisT": nil,
	}
	if db := h.d.DB(); db != nil {
		m["ready"] = true
		m["basisT"] = db.BasisT()
	}
	return m
}

// stats(db) resolves with {name, store, nodes, bytes, heads, ready,
// basisT}: what this page's replica received since it was opened (nodes
// and bytes count what came over the network).
func (a *api) stats(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	return h.statsObject(), nil
}

// onProgress(db, cb) calls cb(stats) whenever the replica's counters move
// (initial sync progress, catch-up, live commits), at most every 200 ms.
func (a *api) onProgress(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	fn, err := argFunc(args, 1, "onProgress")
	if err != nil {
		return nil, err
	}
	s := newSubscription(fn)
	stop := make(chan struct{})
	s.stop = func() { close(stop) }
	go func() {
		var last csync.Stats
		lastReady := false
		first := true
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			cur := h.d.Stats()
			ready := h.d.DB() != nil
			if first || cur != last || ready != lastReady {
				first, last, lastReady = false, cur, ready
				m := h.statsObject()
				s.push(func() []any { return []any{m} })
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	a.mu.Lock()
	id := a.addSub(s)
	a.mu.Unlock()
	return id, nil
}

// listen(db, cb) calls cb({tx, datoms, basisT}) for every transaction the
// replica receives, in order (datoms as EDN text [[e :a v tx added] …]),
// or cb({resync: true}) when the replica had to start over.
func (a *api) listen(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	fn, err := argFunc(args, 1, "listen")
	if err != nil {
		return nil, err
	}
	s := newSubscription(fn)
	s.stop = h.d.Listen(func(ev client.Event) {
		if ev.Resync {
			s.push(func() []any { return []any{map[string]any{"resync": true}} })
			return
		}
		tx, ds := ev.TxID, ev.TxData
		var basis int64
		if ev.DB != nil {
			basis = ev.DB.BasisT()
		}
		s.push(func() []any {
			return []any{map[string]any{"tx": tx, "datoms": datomsEDN(ds), "basisT": basis, "resync": false}}
		})
	})
	a.mu.Lock()
	id := a.addSub(s)
	a.mu.Unlock()
	return id, nil
}

// --- writes ---

// transact(db, txEdn, {timeoutMs}) resolves with {tx, tempids, basisT,
// replayed} once the local replica contains the transaction.
func (a *api) transact(args []js.Value) (any, error) {
	h, _, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	text, err := argString(args, 1, "transact tx-data")
	if err != nil {
		return nil, err
	}
	ctx, cancel := timeoutCtx(optObject(args, 2), defaultTransactTimeout)
	defer cancel()
	res, err := h.d.Transact(ctx, text)
	if err != nil {
		return nil, err
	}
	tempids := map[string]any{}
	for k, v := range res.Tempids {
		tempids[k] = v
	}
	return map[string]any{"tx": res.TxID, "tempids": tempids, "basisT": res.DB.BasisT(), "replayed": res.Replayed}, nil
}

// --- reads (local, no round trip) ---

// splitOpts separates EDN string arguments from a trailing options object.
func splitOpts(args []js.Value, from int, what string) ([]string, js.Value, error) {
	opts := js.Undefined()
	var strs []string
	for i := from; i < len(args); i++ {
		x := args[i]
		switch {
		case x.Type() == js.TypeString:
			strs = append(strs, x.String())
		case i == len(args)-1 && x.Type() == js.TypeObject && !x.IsNull():
			opts = x
		case i == len(args)-1 && x.IsUndefined():
		default:
			return nil, opts, errf("invalid", "%s: argument %d must be EDN text (a string)", what, i+1)
		}
	}
	return strs, opts, nil
}

// readDB resolves the handle, the view (handle view merged with options)
// and the value, within the read timeout.
func (a *api) readDB(args []js.Value, opts js.Value) (*core.DB, context.Context, context.CancelFunc, error) {
	h, v, err := a.handleArg(args, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	v.merge(opts)
	ctx, cancel := timeoutCtx(opts, defaultReadTimeout)
	db, err := h.value(ctx, v)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return db, ctx, cancel, nil
}

// q(db, queryEdn, ...inputsEdn, {asOf, since, history, timeoutMs})
// resolves with the result as EDN text.
func (a *api) q(args []js.Value) (any, error) {
	return a.qWith(args, "q", func(opts js.Value) (*core.DB, context.Context, context.CancelFunc, error) {
		return a.readDB(args, opts)
	})
}

// qSync(db, queryEdn, ...inputsEdn, opts) is q run synchronously on the
// replica's memory tier: it returns the EDN text (or an Error) at once,
// without a Promise round trip. It needs a ready replica held in memory.
func (a *api) qSync(args []js.Value) (any, error) {
	return a.qWith(args, "qSync", a.syncReader(args))
}

// pullSync and pullManySync are pull and pullMany run synchronously (see
// qSync).
func (a *api) pullSync(args []js.Value) (any, error) {
	return a.pullWith(args, "pullSync", false, a.syncReader(args))
}

func (a *api) pullManySync(args []js.Value) (any, error) {
	return a.pullWith(args, "pullManySync", true, a.syncReader(args))
}

type dbReader func(opts js.Value) (*core.DB, context.Context, context.CancelFunc, error)

func (a *api) syncReader(args []js.Value) dbReader {
	return func(opts js.Value) (*core.DB, context.Context, context.CancelFunc, error) {
		h, v, err := a.handleArg(args, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		v.merge(opts)
		db, err := h.syncValue(v)
		if err != nil {
			return nil, nil, nil, err
		}
		return db, context.Background(), func() {}, nil
	}
}

func (a *api) qWith(args []js.Value, what string, read dbReader) (any, error) {
	strs, opts, err := splitOpts(args, 1, what)
	if err != nil {
		return nil, err
	}
	if len(strs) == 0 {
		return nil, errf("invalid", "q: expected the query as EDN text")
	}
	inputs, err := readInputs(strs[1:])
	if err != nil {
		return nil, err
	}
	db, ctx, cancel, err := read(opts)
	if err != nil {
		return nil, err
	}
	defer cancel()
	b, err := appendQ(nil, ctx, db, strs[0], inputs)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// readInputs parses q's inputs (EDN text each).
func readInputs(strs []string) ([]any, error) {
	inputs := make([]any, len(strs))
	for i, s := range strs {
		var err error
		if inputs[i], err = readEDN(fmt.Sprintf("q input %d", i+1), s); err != nil {
			return nil, err
		}
	}
	return inputs, nil
}

// appendQ runs the query (text; parsed queries are cached by text) and
// appends its result as EDN text to b.
func appendQ(b []byte, ctx context.Context, db *core.DB, query any, inputs []any) ([]byte, error) {
	res, err := db.Q(ctx, query, inputs...)
	if err != nil {
		return b, err
	}
	return edn.AppendPrint(b, res), nil
}

// pull(db, patternEdn, eidEdn, opts) resolves with EDN text (nil when the
// entity does not exist).
func (a *api) pull(args []js.Value) (any, error) {
	return a.pullImpl(args, "pull", false)
}

func (a *api) pullImpl(args []js.Value, what string, many bool) (any, error) {
	return a.pullWith(args, what, many, func(opts js.Value) (*core.DB, context.Context, context.CancelFunc, error) {
		return a.readDB(args, opts)
	})
}

// pullMany(db, patternEdn, eidsEdn, opts)
func (a *api) pullMany(args []js.Value) (any, error) {
	return a.pullImpl(args, "pullMany", true)
}

func (a *api) pullWith(args []js.Value, what string, many bool, read dbReader) (any, error) {
	strs, opts, err := splitOpts(args, 1, what)
	if err != nil {
		return nil, err
	}
	if len(strs) != 2 {
		return nil, errf("invalid", "%s: expected a pattern and an entity as EDN text", what)
	}
	db, ctx, cancel, err := read(opts)
	if err != nil {
		return nil, err
	}
	defer cancel()
	b, err := appendPull(nil, ctx, db, what, many, strs[0], strs[1])
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// appendPull pulls (many: pull-many) and appends the result as EDN text to
// b. The pattern goes to pull as text: parsed patterns are cached by text.
func appendPull(b []byte, ctx context.Context, db *core.DB, what string, many bool, pattern any, eidText string) ([]byte, error) {
	eid, err := readEntity(what+" entity", eidText)
	if err != nil {
		return b, err
	}
	var res any
	if many {
		res, err = db.PullMany(ctx, pattern, eid)
	} else {
		res, err = db.Pull(ctx, pattern, eid)
	}
	if err != nil {
		return b, err
	}
	return edn.AppendPrint(b, res), nil
}

// datoms(db, index, ...componentsEdn, {limit, …}) resolves with
// [[e :a v tx added] …] as EDN text.
func (a *api) datoms(args []js.Value) (any, error) {
	strs, opts, err := splitOpts(args, 1, "datoms")
	if err != nil {
		return nil, err
	}
	if len(strs) == 0 {
		return nil, errf("invalid", "datoms: expected an index (eavt, aevt or avet)")
	}
	order, err := parseOrder(strs[0])
	if err != nil {
		return nil, err
	}
	comps := make([]datom.Value, len(strs)-1)
	for i, s := range strs[1:] {
		x, err := readEDN(fmt.Sprintf("datoms component %d", i+1), s)
		if err != nil {
			return nil, err
		}
		if comps[i], err = datom.FromEDN(x); err != nil {
			return nil, &jsErr{code: "invalid", msg: fmt.Sprintf("datoms component %d: %v", i+1, err), err: err}
		}
	}
	limit := -1
	if n, ok := getNumber(opts, "limit"); ok && n >= 0 {
		limit = int(n)
	}
	db, ctx, cancel, err := a.readDB(args, opts)
	if err != nil {
		return nil, err
	}
	defer cancel()
	it := db.Datoms(ctx, order, comps...)
	var ds []datom.Datom
	for (limit < 0 || len(ds) < limit) && it.Next() {
		ds = append(ds, *it.Datom())
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	return datomsEDN(ds), nil
}

// txLog(db, {after, limit}) resolves with [{tx, datoms}] for the
// transactions after basis-t `after` (default: all), oldest first.
func (a *api) txLog(args []js.Value) (any, error) {
	h, v, err := a.handleArg(args, 0)
	if err != nil {
		return nil, err
	}
	opts := optObject(args, 1)
	v.merge(opts)
	ctx, cancel := timeoutCtx(opts, defaultReadTimeout)
	defer cancel()
	db, err := h.value(ctx, v)
	if err != nil {
		return nil, err
	}
	after := datom.Tx0
	if t, ok := getNumber(opts, "after"); ok {
		after = int64(t)
	}
	limit := -1
	if n, ok := getNumber(opts, "limit"); ok && n >= 0 {
		limit = int(n)
	}
	errStop := errors.New("stop")
	var out []any
	err = db.TxLog(ctx, after, func(tx int64, ds []datom.Datom) error {
		if limit >= 0 && len(out) >= limit {
			return errStop
		}
		out = append(out, map[string]any{"tx": tx, "datoms": datomsEDN(ds)})
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// --- pure helpers (synchronous) ---

// history(db) returns the view {db, history: true} (every assertion and
// retraction); asOf(db, t) and since(db, t) likewise. Views compose and are
// accepted wherever a handle is.
func (a *api) history(args []js.Value) (any, error) {
	return a.viewOf(args, "history", 0, false)
}

func (a *api) asOf(args []js.Value) (any, error) {
	t, err := argInt(args, 1, "asOf t")
	if err != nil {
		return nil, err
	}
	return a.viewOf(args, "asOf", t, true)
}

func (a *api) since(args []js.Value) (any, error) {
	t, err := argInt(args, 1, "since t")
	if err != nil {
		return nil, err
	}
	return a.viewOf(args, "since", t, true)
}

func (a *api) viewOf(args []js.Value, key string, t int64, hasT bool) (any, error) {
	if len(args) == 0 {
		return nil, errf("invalid", "%s: expected a database handle or view", key)
	}
	o := js.Global().Get("Object").New()
	switch x := args[0]; x.Type() {
	case js.TypeNumber:
		o.Set("db", x)
	case js.TypeObject:
		if x.Get("db").Type() != js.TypeNumber {
			return nil, errf("invalid", "%s: expected a database handle or view", key)
		}
		js.Global().Get("Object").Call("assign", o, x)
	default:
		return nil, errf("invalid", "%s: expected a database handle or view", key)
	}
	var v view
	v.merge(o)
	switch key {
	case "history":
		o.Set("history", true)
	case "asOf":
		if !v.hasAs || t < v.asOf {
			o.Set("asOf", float64(t))
		}
	case "since":
		if !v.hasSn || t > v.since {
			o.Set("since", float64(t))
		}
	}
	_ = hasT
	return o, nil
}

// toJS(ednText) converts EDN text to plain JavaScript data (see convert.go).
func (a *api) toJSFn(args []js.Value) (any, error) {
	s, err := argString(args, 0, "toJS")
	if err != nil {
		return nil, err
	}
	v, err := readEDN("toJS", s)
	if err != nil {
		return nil, err
	}
	return toJS(v), nil
}
