//go:build js && wasm

// Unit tests of the wasm API that need no browser: run them under node with
// PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test ./wasm/
// (the browser behaviour is tested end to end by tests/browser).
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
)

// await waits for a Promise (the test goroutine blocks; the event loop
// runs).
func await(t *testing.T, p js.Value) (js.Value, js.Value) {
	t.Helper()
	type res struct{ v, err js.Value }
	ch := make(chan res, 1)
	ok := js.FuncOf(func(this js.Value, args []js.Value) any { ch <- res{v: args[0]}; return nil })
	bad := js.FuncOf(func(this js.Value, args []js.Value) any { ch <- res{err: args[0]}; return nil })
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("promise did not settle")
	}
	return js.Undefined(), js.Undefined()
}

func TestPromiseRejectsPanicsAndErrors(t *testing.T) {
	f := async(func(args []js.Value) (any, error) { panic("boom") })
	defer f.Release()
	_, e := await(t, f.Invoke())
	if e.IsUndefined() || e.Get("code").String() != "panic" || !strings.Contains(e.Get("message").String(), "boom") {
		t.Fatalf("panic: got %v", e)
	}
	g := async(func(args []js.Value) (any, error) { return nil, errf("invalid", "bad %s", "thing") })
	defer g.Release()
	_, e = await(t, g.Invoke())
	if e.Get("code").String() != "invalid" || e.Get("name").String() != "CairnError" {
		t.Fatalf("error: got code %v", e.Get("code"))
	}
	h := async(func(args []js.Value) (any, error) { return map[string]any{"n": int64(7)}, nil })
	defer h.Release()
	v, e := await(t, h.Invoke())
	if !e.IsUndefined() || v.Get("n").Int() != 7 {
		t.Fatalf("value: got %v %v", v, e)
	}
	s := syncFn(func(args []js.Value) (any, error) { panic("sync boom") })
	defer s.Release()
	if r := s.Invoke(); !r.InstanceOf(js.Global().Get("Error")) || r.Get("code").String() != "panic" {
		t.Fatalf("sync panic: got %v", r)
	}
}

func TestAPIArgumentErrors(t *testing.T) {
	a := newAPI()
	fns := a.funcs()
	defer func() {
		for _, f := range a.exported {
			f.Release()
		}
	}()
	for _, c := range []struct {
		fn   string
		args []any
		code string
	}{
		{"open", []any{"x"}, "not-connected"},
		{"q", []any{1, "[:find ?e :where [?e :a]]"}, "closed"},
		{"q", []any{"nope"}, "invalid"},
		{"transact", []any{}, "invalid"},
		{"createDatabase", []any{42}, "invalid"},
		{"off", []any{"x"}, "invalid"},
	} {
		_, e := await(t, fns[c.fn].Invoke(c.args...))
		if e.IsUndefined() || e.Get("code").String() != c.code {
			t.Errorf("%s%v: got %v, want code %s", c.fn, c.args, e, c.code)
		}
	}
	if r := fns["toJS"].Invoke("[1 2"); !r.InstanceOf(js.Global().Get("Error")) || r.Get("code").String() != "invalid" {
		t.Errorf("toJS of bad EDN: got %v", r)
	}
	v := fns["asOf"].Invoke(fns["history"].Invoke(3), 10)
	if v.Get("db").Int() != 3 || !v.Get("history").Bool() || v.Get("asOf").Int() != 10 {
		t.Errorf("asOf(history(3), 10): got %v", js.Global().Get("JSON").Call("stringify", v))
	}
	if v := fns["asOf"].Invoke(v, 20); v.Get("asOf").Int() != 10 {
		t.Errorf("asOf of a later t must keep the earlier one: %v", v.Get("asOf"))
	}
}

func TestToJS(t *testing.T) {
	a := newAPI()
	toJSFn := syncFn(a.toJSFn)
	defer toJSFn.Release()
	v := toJSFn.Invoke(`{:db/id 1 :task/title "x" :tags #{:a} :big 9007199254740993 :f 1.5 :n nil :at #inst "2020-01-02T03:04:05.000-00:00" "k" [1 (2)]}`)
	j := js.Global().Get("JSON").Call("stringify", v).String()
	for _, want := range []string{`"db/id":1`, `"task/title":"x"`, `"tags":[":a"]`, `"big":"9007199254740993"`, `"f":1.5`, `"n":null`, `"at":"2020-01-02T03:04:05.000Z"`, `"k":[1,[2]]`} {
		if !strings.Contains(j, want) {
			t.Errorf("toJS: %s lacks %s", j, want)
		}
	}
}

func TestDatomsEDN(t *testing.T) {
	ds := []datom.Datom{
		{E: 1, A: "task/title", V: datom.String("a \"b\""), Tx: 536870913, Added: true},
		{E: 2, A: "task/done", V: datom.Bool(false), Tx: 536870914, Added: false},
	}
	got := datomsEDN(ds)
	want := `[[1 :task/title "a \"b\"" 536870913 true] [2 :task/done false 536870914 false]]`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if _, err := edn.ReadString(got); err != nil {
		t.Fatal(err)
	}
}

func TestHeadNewer(t *testing.T) {
	mk := func(inc byte, basis int64) []byte {
		return core.EncodeHead(core.Head{Commit: strings.Repeat("c", 32), Incarnation: [16]byte{inc}, BasisT: basis})
	}
	for _, c := range []struct {
		name     string
		old, new []byte
		want     bool
	}{
		{"no head yet", nil, mk(1, 5), true},
		{"higher basis", mk(1, 5), mk(1, 6), true},
		{"same basis", mk(1, 5), mk(1, 5), false},
		{"lower basis", mk(1, 6), mk(1, 5), false},
		{"other incarnation", mk(1, 6), mk(2, 1), true},
		{"over the reset marker", []byte("reset"), mk(1, 1), true},
		{"the reset marker over a head", mk(1, 1), []byte("reset"), false},
	} {
		if got := headNewer(c.old, c.new); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

// Two tabs share one store: each follows its own heads, the shared head
// only moves forward, and neither fails its compare-and-swap because the
// other moved the shared head.
func TestTabStoreSharedHead(t *testing.T) {
	ctx := context.Background()
	mk := func(basis int64) []byte {
		return core.EncodeHead(core.Head{Commit: strings.Repeat("c", 32), Incarnation: [16]byte{1}, BasisT: basis})
	}
	shared := mem.New()
	t1 := &tabStore{Store: shared, heads: map[string][]byte{}}
	t2 := &tabStore{Store: shared, heads: map[string][]byte{}}
	if _, err := t1.Head(ctx, "db"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty head: %v", err)
	}
	if _, err := t2.Head(ctx, "db"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty head: %v", err)
	}
	write := func(s *tabStore, old, new []byte) error {
		return s.Write(ctx, store.Batch{Puts: []store.KV{{Key: string(new), Value: new}}, Head: &store.HeadUpdate{Name: "db", Old: old, New: new}})
	}
	// Tab 1 races ahead to 6, tab 2 then applies 4 and 6.
	if err := write(t1, nil, mk(4)); err != nil {
		t.Fatal(err)
	}
	if err := write(t1, mk(4), mk(6)); err != nil {
		t.Fatal(err)
	}
	if err := write(t2, nil, mk(4)); err != nil {
		t.Fatalf("tab 2 at 4: %v", err)
	}
	if h, _ := shared.Head(ctx, "db"); string(h) != string(mk(6)) {
		t.Fatal("the shared head regressed")
	}
	if h, _ := t2.Head(ctx, "db"); string(h) != string(mk(4)) {
		t.Fatal("tab 2 does not see its own head")
	}
	if err := write(t2, mk(4), mk(6)); err != nil {
		t.Fatalf("tab 2 at 6: %v", err)
	}
	// Stale compare-and-swap in one tab still fails.
	if err := write(t2, mk(4), mk(7)); !errors.Is(err, store.ErrHeadConflict) {
		t.Fatalf("stale CAS: %v", err)
	}
	// Puts of a write whose head is not published are still stored.
	if ok, _ := shared.Has(ctx, string(mk(4))); !ok {
		t.Fatal("puts lost")
	}
	// A new tab starts from the newest shared head.
	t3 := &tabStore{Store: shared, heads: map[string][]byte{}}
	if h, _ := t3.Head(ctx, "db"); string(h) != string(mk(6)) {
		t.Fatal("a new tab must open the newest head")
	}
}

// fastCall writes strs into the input buffer as cairn.js does and calls
// cairnRead; it returns the output text and whether it is an error.
func fastCall(op, db, flags int32, strs ...string) (string, bool) {
	need := 0
	for _, s := range strs {
		need += 4 + len(s)
	}
	cairnIn(int32(need))
	off := 0
	for _, s := range strs {
		binary.LittleEndian.PutUint32(fast.in[off:], uint32(len(s)))
		off += 4 + copy(fast.in[off+4:], s)
	}
	n := cairnRead(op, db, flags, 0, 0, int32(len(strs)))
	cairnOut()
	if n < 0 {
		return string(fast.out[:-n]), true
	}
	return string(fast.out[:n]), false
}

func TestFastReadErrors(t *testing.T) {
	fast.a = nil
	if out, isErr := fastCall(opPull, 1, 0, "[:a]", "1"); !isErr || !strings.HasPrefix(out, "closed\n") {
		t.Fatalf("not running: %q", out)
	}
	fast.a = newAPI()
	defer func() { fast.a = nil }()
	for _, c := range []struct {
		op   int32
		strs []string
		want string
	}{
		{opPull, []string{"[:a]", "1"}, "closed\ncairn: database handle 7 is not open"},
		{opPull, []string{"[:a]"}, "invalid\npullSync: expected a pattern and an entity as EDN text"},
		{opPullMany, []string{"[:a]", "[1]", "x"}, "invalid\npullManySync: expected a pattern and an entity as EDN text"},
		{opQ, nil, "invalid\nq: expected the query as EDN text"},
		{opQ, []string{"[:find ?e :in $ ?x :where [?e :a ?x]]", "[1 2"}, "invalid\nq input 1: "},
		{9, []string{"x"}, "invalid\ncairnRead: unknown operation 9"},
	} {
		out, isErr := fastCall(c.op, 7, 0, c.strs...)
		want := strings.Replace(c.want, "cairn: ", "", 1)
		if !isErr || !strings.HasPrefix(out, want) {
			t.Errorf("op %d %q: got %q, want prefix %q", c.op, c.strs, out, want)
		}
	}
	// A count beyond the buffer, or lengths that overrun it, are errors.
	cairnIn(8)
	binary.LittleEndian.PutUint32(fast.in, 1<<30)
	if n := cairnRead(opQ, 7, 0, 0, 0, 1); n >= 0 || !strings.HasPrefix(string(fast.out[:-n]), "invalid\ncairnRead: arguments overrun") {
		t.Errorf("overrun: %d %q", n, fast.out)
	}
	if n := cairnRead(opQ, 7, 0, 0, 0, 1<<20); n >= 0 {
		t.Errorf("bad count: %d", n)
	}
}

func TestReadEntity(t *testing.T) {
	// The fast path for plain ids must read what the EDN reader reads.
	for _, in := range []string{"0", "42", "123456789012345678", "1234567890123456789", "-3", "[:name \"x\"]", "42N", "007", "99999999999999999999"} {
		got, err := readEntity("e", in)
		want, werr := edn.ReadString(in)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: %v, the reader: %v", in, err, werr)
		}
		if err == nil && !edn.Equal(got, want) {
			t.Errorf("%q: got %#v, the reader gives %#v", in, got, want)
		}
	}
}

func TestInternText(t *testing.T) {
	a := internText([]byte("[:name]"))
	b := internText([]byte("[:name]"))
	if a != b || a.(string) != "[:name]" {
		t.Fatalf("got %v %v", a, b)
	}
	for i := 0; i < 20; i++ {
		s := strings.Repeat("x", i)
		if got := internText([]byte(s)); got.(string) != s {
			t.Fatalf("%q: got %q", s, got)
		}
	}
	if got := internText([]byte("[:name]")); got.(string) != "[:name]" {
		t.Fatalf("after the ring turned: %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { internText([]byte("[:name]")) }); n > 1 {
		t.Errorf("a repeated text allocates %v times", n)
	}
}

// A direct read lets the other goroutines run now and then (a page may
// call them in a loop without returning to the event loop).
func TestFastReadYields(t *testing.T) {
	ran := make(chan struct{})
	go close(ran)
	fast.yielded = time.Time{}
	fastCall(opQ, 7, 0)
	select {
	case <-ran:
	default:
		t.Fatal("the other goroutine did not run")
	}
}
