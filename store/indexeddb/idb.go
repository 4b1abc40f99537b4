//go:build js && wasm

package indexeddb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall/js"

	"github.com/cairn-db/cairn/store"
)

const (
	dbVersion   = 1
	objStore    = "kv"
	tagEntry    = 'n'
	tagHead     = 'h'
	iteratePage = 256 // entries per Iterate transaction
)

var (
	jsUint8Array  = js.Global().Get("Uint8Array")
	jsArrayBuffer = js.Global().Get("ArrayBuffer")
	jsKeyRange    = js.Global().Get("IDBKeyRange")
)

// liveFuncs counts js.Funcs made by this package and not yet released; the
// tests check it returns to zero.
var liveFuncs atomic.Int64

func funcOf(fn func(this js.Value, args []js.Value) any) js.Func {
	liveFuncs.Add(1)
	return js.FuncOf(fn)
}

func release(fs ...js.Func) {
	for _, f := range fs {
		f.Release()
		liveFuncs.Add(-1)
	}
}

// Store is a store.Store in one IndexedDB database.
//
// Every method runs its own IndexedDB transaction; IndexedDB orders
// readwrite transactions over the same object store, and a readonly
// transaction sees every transaction that completed before it started, so a
// reader that sees a head sees every entry written with it.
type Store struct {
	name  string
	db    js.Value
	guard func(old, new []byte) bool
	txOpt js.Value

	onVersionChange, onClose js.Func

	mu     sync.Mutex // guards closed and the release of the two funcs
	closed bool
	lost   atomic.Bool // the connection was closed under us

	batches, bytes atomic.Uint64
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// Open opens (creating it if needed) the IndexedDB database name and returns
// a store on it. It fails with ErrUnavailable when there is no global
// indexedDB. It must not be called on the goroutine of a JS callback.
func Open(ctx context.Context, name string, opts *Options) (*Store, error) {
	return open(ctx, js.Global().Get("indexedDB"), name, opts)
}

func open(ctx context.Context, factory js.Value, name string, opts *Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !isObject(factory) {
		return nil, ErrUnavailable
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	req, err := call("open", factory, "open", name, dbVersion)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	upgrade := funcOf(func(this js.Value, args []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", objStore).Bool() {
			if _, err := call("createObjectStore", db, "createObjectStore", objStore); err != nil {
				call("open", req.Get("transaction"), "abort") // open fails with an AbortError
			}
		}
		return nil
	})
	success := funcOf(func(this js.Value, args []js.Value) any { done <- nil; return nil })
	failure := funcOf(func(this js.Value, args []js.Value) any {
		done <- domError("open", req.Get("error"))
		return nil
	})
	req.Set("onupgradeneeded", upgrade)
	req.Set("onsuccess", success)
	req.Set("onerror", failure)
	// onblocked: another connection holds an older version; wait for it.
	settle := func(err error) (js.Value, error) {
		req.Set("onupgradeneeded", js.Null())
		req.Set("onsuccess", js.Null())
		req.Set("onerror", js.Null())
		release(upgrade, success, failure)
		if err != nil {
			return js.Value{}, err
		}
		return req.Get("result"), nil
	}
	select {
	case err := <-done:
		db, err := settle(err)
		if err != nil {
			return nil, err
		}
		return newStore(name, db, o)
	case <-ctx.Done():
		// The open request cannot be cancelled: close the connection
		// when it arrives.
		go func() {
			if db, err := settle(<-done); err == nil {
				db.Call("close")
			}
		}()
		return nil, ctx.Err()
	}
}

func newStore(name string, db js.Value, o Options) (*Store, error) {
	if !db.Get("objectStoreNames").Call("contains", objStore).Bool() {
		db.Call("close")
		return nil, fmt.Errorf("store/indexeddb: database %q has no object store %q: %w", name, objStore, store.ErrCorrupt)
	}
	dur := "strict"
	if o.RelaxedDurability {
		dur = "relaxed"
	}
	s := &Store{name: name, db: db, guard: o.HeadGuard, txOpt: js.ValueOf(map[string]any{"durability": dur})}
	lost := func(this js.Value, args []js.Value) any {
		s.lost.Store(true)
		db.Call("close") // never blocks: pending transactions finish first
		return nil
	}
	s.onVersionChange, s.onClose = funcOf(lost), funcOf(lost)
	db.Set("onversionchange", s.onVersionChange)
	db.Set("onclose", s.onClose)
	return s, nil
}

// DeleteDatabase deletes the IndexedDB database name. Open connections to it
// (in this program or in other tabs) get a versionchange event; Stores close
// theirs, and the deletion waits for every connection to close.
func DeleteDatabase(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	factory := js.Global().Get("indexedDB")
	if !isObject(factory) {
		return ErrUnavailable
	}
	req, err := call("deleteDatabase", factory, "deleteDatabase", name)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	success := funcOf(func(this js.Value, args []js.Value) any { done <- nil; return nil })
	failure := funcOf(func(this js.Value, args []js.Value) any {
		done <- domError("deleteDatabase", req.Get("error"))
		return nil
	})
	req.Set("onsuccess", success)
	req.Set("onerror", failure)
	settle := func(err error) error {
		req.Set("onsuccess", js.Null())
		req.Set("onerror", js.Null())
		release(success, failure)
		return err
	}
	select {
	case err := <-done:
		return settle(err)
	case <-ctx.Done():
		go func() { settle(<-done) }()
		return ctx.Err()
	}
}

// Name returns the IndexedDB database name.
func (s *Store) Name() string { return s.name }

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return store.ErrClosed
	}
	if s.lost.Load() {
		return ErrVersionChange
	}
	return nil
}

// txn is one IndexedDB transaction in flight.
type txn struct {
	op    string
	tx    js.Value
	os    js.Value
	done  chan error
	funcs []js.Func
	// failure, set by a callback before it aborts the transaction, is the
	// error the transaction's caller gets.
	failure error
}

// begin starts a transaction in mode ("readonly" or "readwrite"). Callers
// then place requests and call settleOn (reads) or settleOnComplete
// (writes) before wait.
func (s *Store) begin(op, mode string) (*txn, error) {
	tx, err := call(op, s.db, "transaction", objStore, mode, s.txOpt)
	if err != nil {
		var de *DOMError
		if errors.As(err, &de) && de.Name == "InvalidStateError" {
			// The connection is closing: Close or a version change.
			if s.lost.Load() {
				return nil, ErrVersionChange
			}
			return nil, store.ErrClosed
		}
		return nil, err
	}
	os, err := call(op, tx, "objectStore", objStore)
	if err != nil {
		return nil, err
	}
	return &txn{op: op, tx: tx, os: os, done: make(chan error, 1)}, nil
}

// settleOnComplete makes wait return when the transaction completes (nil)
// or aborts (its error): what a write waits for.
func (t *txn) settleOnComplete() {
	t.fn(func(this js.Value, args []js.Value) any { t.done <- nil; return nil }, t.tx, "oncomplete")
	t.fn(func(this js.Value, args []js.Value) any { t.done <- t.abortError(); return nil }, t.tx, "onabort")
}

// settleOn makes wait return when req, the transaction's last request,
// succeeds or fails. A read needs no more: its results are final at the
// request's success, one event-loop round trip before complete.
func (t *txn) settleOn(req js.Value) {
	t.fn(func(this js.Value, args []js.Value) any { t.done <- nil; return nil }, req, "onsuccess")
	t.fn(func(this js.Value, args []js.Value) any {
		// An earlier request's failure aborted the transaction: report
		// that, not the AbortError of this one.
		if err := t.abortError(); !isAbortError(err) {
			t.done <- err
			return nil
		}
		t.done <- domError(t.op, req.Get("error"))
		return nil
	}, req, "onerror")
}

func isAbortError(err error) bool {
	var de *DOMError
	return errors.As(err, &de) && de.Name == "AbortError"
}

// abortError is the error of an aborted transaction.
func (t *txn) abortError() error {
	if t.failure != nil {
		return t.failure
	}
	if e := t.tx.Get("error"); isObject(e) {
		return domError(t.op, e)
	}
	return &DOMError{Op: t.op, Name: "AbortError", Message: "transaction aborted"}
}

// fn makes a js.Func released when the transaction settles, and sets it as
// the handler prop of target unless target is undefined.
func (t *txn) fn(f func(this js.Value, args []js.Value) any, target js.Value, prop string) js.Func {
	jf := funcOf(f)
	t.funcs = append(t.funcs, jf)
	if !target.IsUndefined() {
		target.Set(prop, jf)
	}
	return jf
}

// abort aborts the transaction, ignoring the error IndexedDB throws when it
// has already committed or aborted.
func (t *txn) abort() {
	call(t.op, t.tx, "abort")
}

// wait blocks until the transaction settles, aborting it when ctx is done,
// and releases its js.Funcs. When ctx is done it returns the context's error
// unless the transaction had completed.
func (t *txn) wait(ctx context.Context) error {
	if len(t.funcs) == 0 { // nothing placed: a request failed to start
		t.abort()
		return t.failure
	}
	var err error
	select {
	case err = <-t.done:
	case <-ctx.Done():
		t.abort()
		if err = <-t.done; err != nil {
			err = ctx.Err()
		}
	}
	// Every event of the transaction has fired by now (complete and abort
	// come last; a request's events come before later requests' and before
	// complete), so no released func can be called.
	release(t.funcs...)
	t.funcs = nil
	return err
}

// fail records err as the transaction's outcome and aborts it.
func (t *txn) fail(err error) {
	if t.failure == nil {
		t.failure = err
	}
	t.abort()
}

// Get returns the entry stored under key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.getValue(ctx, "get", tagEntry, key)
}

// Head returns the named head, or store.ErrNotFound.
func (s *Store) Head(ctx context.Context, name string) ([]byte, error) {
	return s.getValue(ctx, "head", tagHead, name)
}

// read runs one readonly transaction whose last request is the one issue
// returns, and returns that request once it succeeded.
func (s *Store) read(ctx context.Context, op string, issue func(t *txn) (js.Value, error)) (js.Value, error) {
	if err := s.check(ctx); err != nil {
		return js.Value{}, err
	}
	t, err := s.begin(op, "readonly")
	if err != nil {
		return js.Value{}, err
	}
	req, err := issue(t)
	if err != nil {
		t.fail(err)
	} else {
		t.settleOn(req)
	}
	if err := t.wait(ctx); err != nil {
		return js.Value{}, err
	}
	return req, nil
}

func (s *Store) getValue(ctx context.Context, op string, tag byte, key string) ([]byte, error) {
	req, err := s.read(ctx, op, func(t *txn) (js.Value, error) {
		return call(op, t.os, "get", keyJS(tag, key))
	})
	if err != nil {
		return nil, err
	}
	v := req.Get("result")
	if v.IsUndefined() {
		return nil, store.ErrNotFound
	}
	return bytesFromJS(op, v)
}

// Has reports whether key is present.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	req, err := s.read(ctx, "has", func(t *txn) (js.Value, error) {
		return call("has", t.os, "count", keyJS(tagEntry, key))
	})
	if err != nil {
		return false, err
	}
	return req.Get("result").Int() > 0, nil
}

// Write stores b in one readwrite transaction and returns when it completed.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if len(b.Puts) == 0 && b.Head == nil {
		return nil
	}
	t, err := s.begin("write", "readwrite")
	if err != nil {
		return err
	}
	t.settleOnComplete()
	var wroteBytes uint64
	wrote := false
	if h := b.Head; h != nil {
		key := keyJS(tagHead, h.Name)
		req, err := call("write", t.os, "get", key)
		if err != nil {
			t.fail(err)
			return t.wait(ctx)
		}
		t.fn(func(this js.Value, args []js.Value) any {
			if err := s.checkHead(req.Get("result"), h); err != nil {
				t.fail(err)
				return nil
			}
			if _, err := call("write", t.os, "put", bytesJS(h.New), key); err != nil {
				t.fail(err)
			}
			return nil
		}, req, "onsuccess")
		wroteBytes += uint64(len(h.Name) + len(h.New))
		wrote = true
	}
	if len(b.Puts) > 0 {
		// Requests run, and their events fire, in the order they were made:
		// the i-th success or error event is the i-th add's.
		sizes := make([]int, len(b.Puts))
		next := 0
		added := t.fn(func(this js.Value, args []js.Value) any {
			wroteBytes += uint64(sizes[next])
			wrote = true
			next++
			return nil
		}, js.Undefined(), "")
		exists := t.fn(func(this js.Value, args []js.Value) any {
			next++
			ev := args[0]
			if e := ev.Get("target").Get("error"); isObject(e) && e.Get("name").String() == "ConstraintError" {
				// The key exists: keep its first value, and do not let
				// the error abort the transaction.
				ev.Call("preventDefault")
				ev.Call("stopPropagation")
			}
			return nil
		}, js.Undefined(), "")
		for i, kv := range b.Puts {
			sizes[i] = len(kv.Key) + len(kv.Value)
			req, err := call("write", t.os, "add", bytesJS(kv.Value), keyJS(tagEntry, kv.Key))
			if err != nil {
				t.fail(err)
				break
			}
			req.Set("onsuccess", added)
			req.Set("onerror", exists)
		}
	}
	if err := t.wait(ctx); err != nil {
		return err
	}
	if wrote {
		s.batches.Add(1)
		s.bytes.Add(wroteBytes)
	}
	return nil
}

// checkHead decides, inside the transaction, whether cur (the stored head,
// undefined when missing) may be replaced as h asks.
func (s *Store) checkHead(cur js.Value, h *store.HeadUpdate) error {
	if cur.IsUndefined() {
		if len(h.Old) != 0 {
			return store.ErrHeadConflict
		}
		return nil
	}
	if len(h.Old) == 0 {
		return store.ErrHeadConflict
	}
	old, err := bytesFromJS("write", cur)
	if err != nil {
		return err
	}
	if !bytes.Equal(old, h.Old) {
		return store.ErrHeadConflict
	}
	if s.guard != nil && !s.callGuard(old, h.New) {
		return ErrHeadRejected
	}
	return nil
}

func (s *Store) callGuard(old, new []byte) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false // a panicking guard rejects; the engine never panics on data
		}
	}()
	return s.guard(old, bytes.Clone(new))
}

// Iterate calls fn for every entry whose key starts with prefix, in key
// order, reading a page of entries per readonly transaction.
func (s *Store) Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	lo := append([]byte{tagEntry}, prefix...)
	hi := bytesJS(successor(lo))
	lower, lowerOpen := lo, false
	for {
		var kreq js.Value
		vreq, err := s.read(ctx, "iterate", func(t *txn) (js.Value, error) {
			rng, err := call("iterate", jsKeyRange, "bound", bytesJS(lower), hi, lowerOpen, true)
			if err != nil {
				return js.Value{}, err
			}
			if kreq, err = call("iterate", t.os, "getAllKeys", rng, iteratePage); err != nil {
				return js.Value{}, err
			}
			return call("iterate", t.os, "getAll", rng, iteratePage)
		})
		if err != nil {
			return err
		}
		keys, vals, err := s.page(kreq.Get("result"), vreq.Get("result"))
		if err != nil {
			return err
		}
		for i, k := range keys {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(k[1:], vals[i]); err != nil {
				return err
			}
		}
		if len(keys) < iteratePage {
			return nil
		}
		lower, lowerOpen = []byte(keys[len(keys)-1]), true
	}
}

// page copies a page of keys (ArrayBuffers) and values (Uint8Arrays) into Go
// memory. A syscall/js call costs a few microseconds, as much as IndexedDB
// takes per entry, so it makes three per key and three per value.
// (Concatenating the page into one Blob and copying that once was slower in
// Chromium: a Blob goes through the browser process.)
func (s *Store) page(keys, vals js.Value) (ks []string, vs [][]byte, err error) {
	defer func() {
		if r := recover(); r != nil { // CopyBytesToGo of something else than bytes
			ks, vs, err = nil, nil, fmt.Errorf("store/indexeddb: iterate: stored entry is not bytes (%v): %w", r, store.ErrCorrupt)
		}
	}()
	n := keys.Length()
	if vals.Length() != n {
		return nil, nil, fmt.Errorf("store/indexeddb: iterate: %d keys but %d values: %w", n, vals.Length(), store.ErrCorrupt)
	}
	ks, vs = make([]string, n), make([][]byte, n)
	var scratch [256]byte
	for i := range n {
		k := jsUint8Array.New(keys.Index(i))
		if m := js.CopyBytesToGo(scratch[:], k); m < len(scratch) {
			ks[i] = string(scratch[:m])
		} else {
			kb := make([]byte, k.Length())
			js.CopyBytesToGo(kb, k)
			ks[i] = string(kb)
		}
		v := vals.Index(i)
		vs[i] = make([]byte, v.Length())
		js.CopyBytesToGo(vs[i], v)
	}
	return ks, vs, nil
}

// Delete removes keys in one readwrite transaction; missing keys are
// ignored.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	t, err := s.begin("delete", "readwrite")
	if err != nil {
		return err
	}
	t.settleOnComplete()
	for _, k := range keys {
		if _, err := call("delete", t.os, "delete", keyJS(tagEntry, k)); err != nil {
			t.fail(err)
			break
		}
	}
	if err := t.wait(ctx); err != nil {
		return err
	}
	s.batches.Add(1)
	return nil
}

// Close closes the connection (IndexedDB lets its pending transactions
// finish first). It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.db.Set("onversionchange", js.Null())
	s.db.Set("onclose", js.Null())
	release(s.onVersionChange, s.onClose)
	if _, err := call("close", s.db, "close"); err != nil {
		return err
	}
	return nil
}

// Stats counts the batches and bytes this handle stored. IndexedDB does not
// report fsyncs.
func (s *Store) Stats() store.Stats {
	return store.Stats{BatchesWritten: s.batches.Load(), BytesWritten: s.bytes.Load()}
}

// ---- JS helpers ----

func isObject(v js.Value) bool {
	t := v.Type()
	return t == js.TypeObject || t == js.TypeFunction
}

// call invokes v[method](args...) and turns a thrown JS exception into an
// error instead of a panic.
func call(op string, v js.Value, method string, args ...any) (res js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = domError(op, je.Value)
		}
	}()
	return v.Call(method, args...), nil
}

// domError converts a DOMException (or any thrown JS value) into a
// *DOMError.
func domError(op string, e js.Value) error {
	if !isObject(e) {
		return &DOMError{Op: op, Name: "Error", Message: fmt.Sprint(e)}
	}
	name, msg := e.Get("name"), e.Get("message")
	de := &DOMError{Op: op, Name: "Error"}
	if name.Type() == js.TypeString {
		de.Name = name.String()
	}
	if msg.Type() == js.TypeString {
		de.Message = msg.String()
	}
	return de
}

func bytesJS(b []byte) js.Value {
	a := jsUint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

func keyJS(tag byte, key string) js.Value {
	b := make([]byte, 1+len(key))
	b[0] = tag
	copy(b[1:], key)
	return bytesJS(b)
}

// bytesFromJS copies a Uint8Array or ArrayBuffer into Go memory.
func bytesFromJS(op string, v js.Value) ([]byte, error) {
	switch {
	case v.InstanceOf(jsUint8Array):
	case v.InstanceOf(jsArrayBuffer):
		v = jsUint8Array.New(v)
	default:
		return nil, fmt.Errorf("store/indexeddb: %s: stored value is a %s, not bytes: %w", op, v.Type(), store.ErrCorrupt)
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// successor returns the smallest byte string greater than every string
// with prefix p. p must contain a byte below 0xff (its tag does).
func successor(p []byte) []byte {
	s := bytes.Clone(p)
	for len(s) > 0 && s[len(s)-1] == 0xff {
		s = s[:len(s)-1]
	}
	s[len(s)-1]++
	return s
}
