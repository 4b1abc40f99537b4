//go:build js && wasm

package main

import (
	"context"
	"encoding/binary"
	"runtime"
	"time"
	"unsafe"
)

// The synchronous reads' direct entry points (qSync, pullSync,
// pullManySync as web/cairn.js calls them).
//
// A call through a js.Func costs about 20 µs in Chromium before any work is
// done: syscall/js's event round trip (the handler goroutine, every other
// runnable goroutine run before control returns, a js.Value with a
// finalizer for each argument and for the result). That was most of a
// single-entity pull. These functions are plain WebAssembly exports
// (//go:wasmexport): JavaScript writes the EDN arguments as UTF-8 into a
// buffer owned by Go, calls cairnRead with numbers, and decodes the EDN
// result (or the error) from a second buffer. The text crossing is the
// same as the js.Func API's (EDN in, EDN out), and so are the checks and
// the errors: both run the same code below them (readInputs, appendQ,
// appendPull, handle.syncValue).
//
// Buffers: the input buffer [len uint32 LE][UTF-8 bytes]... of nstr
// strings at the address cairnIn(n) returns (at least n bytes); the output
// at cairnOut(), of the length cairnRead returns. Go's collector does not
// move objects, and the slices stay referenced by fast, so the addresses
// hold until the next cairnIn or cairnRead. Memory may grow during a call:
// JavaScript takes a fresh view of memory.buffer after each.
//
// These functions never block: they read the replica's memory tier only
// (as the js.Func versions do), so the call returns on the caller's stack.

// Operations of cairnRead.
const (
	opQ        = 1
	opPull     = 2
	opPullMany = 3
)

// Flags of cairnRead's view.
const (
	viewHistory = 1 << iota
	viewAsOf
	viewSince
)

// outKeep is the output buffer's capacity kept between calls; a larger
// one (a big result) is dropped at the next call.
const outKeep = 1 << 20

var fast struct {
	a    *api
	in   []byte
	out  []byte
	args [4][]byte // fastArgs' result, reused

	// texts keeps the latest query and pattern texts as interfaces
	// holding strings: a page repeats a few, and a repeated one then
	// costs neither a copy nor an allocation (the engine's caches of
	// parsed queries and patterns are keyed by the text).
	texts [8]any
	next  int

	yielded time.Time // the last yieldSometimes that yielded
}

// cairnIn returns the address of the input buffer, grown to at least n
// bytes.
//
//go:wasmexport cairnIn
func cairnIn(n int32) uint32 {
	if n < 64 {
		n = 64
	}
	if int(n) > len(fast.in) {
		fast.in = make([]byte, max(int(n), 2*len(fast.in)))
	}
	return uint32(uintptr(unsafe.Pointer(&fast.in[0])))
}

// cairnOut returns the address of the last cairnRead's output.
//
//go:wasmexport cairnOut
func cairnOut() uint32 {
	if cap(fast.out) == 0 {
		fast.out = make([]byte, 0, 4096)
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(fast.out))))
}

// cairnRead runs op on database handle db (with the view given by flags,
// asOf and since, as {db, history, asOf, since} and the read options give
// it) over the nstr strings in the input buffer: for opQ the query and its
// inputs, for opPull and opPullMany the pattern and the entity (or
// entities). It returns the length of the EDN result in the output buffer,
// or minus the length of "code\nmessage" for an error.
//
//go:wasmexport cairnRead
func cairnRead(op, db, flags int32, asOf, since float64, nstr int32) int32 {
	if cap(fast.out) > outKeep {
		fast.out = nil
	}
	b, err := fastRead(fast.out[:0], op, db, flags, asOf, since, nstr)
	n := int32(len(b))
	if err != nil {
		b = append(b[:0], errorCode(err)...)
		b = append(b, '\n')
		b = append(b, err.Error()...)
		n = -int32(len(b))
	}
	yieldSometimes()
	fast.out = b
	return n
}

// yieldSometimes lets the scheduler run, at most once a millisecond. A
// js.Func call ran every runnable goroutine before returning to
// JavaScript; these exports run on the caller's stack and return at once,
// so without this a page calling them in a loop would starve the other
// goroutines, among them the collector's mark workers (marking then falls
// to allocation assists, under write barriers, and costs more: the heavy
// query shapes were up to 2x slower). The output buffer is detached
// meanwhile: a goroutine that calls a JavaScript listener could reach a
// nested cairnRead, which must not write into this call's result.
func yieldSometimes() {
	if now := time.Now(); now.Sub(fast.yielded) >= time.Millisecond {
		fast.out = nil
		runtime.Gosched()
		fast.yielded = time.Now()
	}
}

func fastRead(b []byte, op, db, flags int32, asOf, since float64, nstr int32) (_ []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	a := fast.a
	if a == nil {
		return b, errf("closed", "cairn is not running")
	}
	args, err := fastArgs(int(nstr))
	if err != nil {
		return b, err
	}
	var what string
	switch op {
	case opQ:
		what = "qSync"
		if len(args) == 0 {
			return b, errf("invalid", "q: expected the query as EDN text")
		}
	case opPull, opPullMany:
		what = "pullSync"
		if op == opPullMany {
			what = "pullManySync"
		}
		if len(args) != 2 {
			return b, errf("invalid", "%s: expected a pattern and an entity as EDN text", what)
		}
	default:
		return b, errf("invalid", "cairnRead: unknown operation %d", op)
	}
	var inputs []any
	if op == opQ {
		strs := make([]string, len(args)-1)
		for i, a := range args[1:] {
			strs[i] = string(a)
		}
		if inputs, err = readInputs(strs); err != nil {
			return b, err
		}
	}
	text := internText(args[0])
	a.mu.Lock()
	h := a.dbs[int(db)]
	a.mu.Unlock()
	if h == nil {
		return b, errf("closed", "database handle %d is not open", db)
	}
	v := view{history: flags&viewHistory != 0}
	if flags&viewAsOf != 0 {
		v.asOf, v.hasAs = int64(asOf), true
	}
	if flags&viewSince != 0 {
		v.since, v.hasSn = int64(since), true
	}
	d, err := h.syncValue(v)
	if err != nil {
		return b, err
	}
	ctx := context.Background()
	if op == opQ {
		return appendQ(b, ctx, d, text, inputs)
	}
	return appendPull(b, ctx, d, what, op == opPullMany, text, string(args[1]))
}

// internText returns text as an interface holding a string, the same one
// for the latest texts seen.
func internText(text []byte) any {
	for _, t := range fast.texts {
		if s, ok := t.(string); ok && s == string(text) {
			return t
		}
	}
	var t any = string(text)
	fast.texts[fast.next] = t
	fast.next = (fast.next + 1) % len(fast.texts)
	return t
}

// fastArgs returns the n arguments in the input buffer (slices of it,
// valid until the next call).
func fastArgs(n int) ([][]byte, error) {
	in := fast.in
	if n < 0 || n > len(in)/4 {
		return nil, errf("invalid", "cairnRead: bad argument count %d", n)
	}
	args := fast.args[:0]
	if n > len(fast.args) {
		args = make([][]byte, 0, n)
	}
	off := 0
	for range n {
		if len(in)-off < 4 {
			return nil, errf("invalid", "cairnRead: arguments overrun the buffer")
		}
		l := int(binary.LittleEndian.Uint32(in[off:]))
		off += 4
		if l > len(in)-off {
			return nil, errf("invalid", "cairnRead: arguments overrun the buffer")
		}
		args = append(args, in[off:off+l:off+l])
		off += l
	}
	return args, nil
}
