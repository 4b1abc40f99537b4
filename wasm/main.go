//go:build js && wasm

// Command wasm is Cairn in the browser: the engine and the peer client
// compiled to WebAssembly, exposed to JavaScript as the global object
// `cairn` whose functions return Promises. web/cairn.js loads it and
// presents the API (with TypeScript declarations in web/cairn.d.ts);
// web/README.md documents every function and how values cross.
//
// Rules kept by every exported function:
//   - it returns at once: the work runs on a new goroutine and settles a
//     Promise (the JavaScript callback goroutine never blocks);
//   - a panic is recovered and rejects the Promise with an Error whose
//     .code is "panic"; other failures reject with a typed .code
//     ("invalid", "exists", "not-found", "deleted", "outcome-unknown",
//     "timeout", "not-connected", "closed", …);
//   - every js.Func is released by cairn.shutdown().
//
// The synchronous reads (qSync, pullSync, pullManySync) are also plain
// WebAssembly exports (fastcall.go) that web/cairn.js calls directly,
// without syscall/js's per-call event round trip.
//
// Build: GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o web/cairn.wasm ./wasm
package main

import (
	"syscall/js"

	"github.com/cairn-db/cairn/wasm/jsregexp"
)

func main() {
	jsregexp.Register()
	a := newAPI()
	fast.a = a
	obj := js.Global().Get("Object").New()
	for name, fn := range a.funcs() {
		obj.Set(name, fn)
	}
	obj.Set("version", version)
	obj.Set("storeKind", replicaStoreKind())
	js.Global().Set("cairn", obj)
	if cb := js.Global().Get("__cairnReady"); cb.Type() == js.TypeFunction {
		cb.Invoke(obj)
	}
	<-a.stopped
	fast.a = nil
	js.Global().Delete("cairn")
	for _, fn := range a.exported {
		fn.Release()
	}
}
