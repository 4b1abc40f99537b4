//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"syscall/js"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/rpc"
	csync "github.com/cairn-db/cairn/sync"
)

// jsErr is an error with a stable code that crosses to JavaScript as the
// rejected Error's .code.
type jsErr struct {
	code string
	msg  string
	err  error
}

func (e *jsErr) Error() string { return e.msg }
func (e *jsErr) Unwrap() error { return e.err }

func errf(code, format string, args ...any) error {
	return &jsErr{code: code, msg: fmt.Sprintf(format, args...)}
}

// errorCode classifies err for JavaScript callers.
func errorCode(err error) string {
	var je *jsErr
	var re *rpc.Error
	switch {
	case errors.As(err, &je):
		return je.code
	case errors.Is(err, client.ErrExists):
		return "exists"
	case errors.Is(err, client.ErrNotFound):
		return "not-found"
	case errors.Is(err, client.ErrBadName):
		return "bad-name"
	case errors.Is(err, client.ErrDeleted), errors.Is(err, csync.ErrDeleted):
		return "deleted"
	case errors.Is(err, client.ErrOutcomeUnknown):
		return "outcome-unknown"
	case errors.Is(err, client.ErrClosed):
		return "closed"
	case errors.Is(err, rpc.ErrDisconnected):
		return "disconnected"
	case errors.Is(err, core.ErrInvalidArgument):
		return "invalid"
	case errors.As(err, &re):
		return re.Code
	}
	return "error"
}

// jsError builds a JavaScript Error carrying code (and name "CairnError").
func jsError(code, msg string) js.Value {
	e := js.Global().Get("Error").New("cairn: " + msg)
	e.Set("name", "CairnError")
	e.Set("code", code)
	return e
}

func toJSError(err error) js.Value { return jsError(errorCode(err), err.Error()) }

// panicError turns a recovered panic into an error (with the stack in the
// message so bugs are reportable).
func panicError(r any) error {
	return &jsErr{code: "panic", msg: fmt.Sprintf("internal error: %v\n%s", r, debug.Stack())}
}

// promise runs work on a new goroutine and returns a Promise settled with
// its result: the JavaScript callback goroutine that calls an exported
// function never blocks (DESIGN.md §5). A panic in work rejects the
// promise.
func promise(work func() (any, error)) js.Value {
	var resolve, reject js.Value
	exec := js.FuncOf(func(this js.Value, args []js.Value) any {
		resolve, reject = args[0], args[1]
		return nil
	})
	p := js.Global().Get("Promise").New(exec)
	exec.Release()
	go func() {
		var v any
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = panicError(r)
				}
			}()
			v, err = work()
		}()
		if err != nil {
			reject.Invoke(toJSError(err))
			return
		}
		// A value that js.ValueOf cannot convert must not panic here.
		func() {
			defer func() {
				if r := recover(); r != nil {
					reject.Invoke(toJSError(panicError(r)))
				}
			}()
			resolve.Invoke(v)
		}()
	}()
	return p
}

// async exports fn as a Promise-returning function.
func async(fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (ret any) {
		// Copy: args' backing array is reused after the callback returns.
		a := append([]js.Value(nil), args...)
		defer func() {
			if r := recover(); r != nil {
				ret = rejected(panicError(r))
			}
		}()
		return promise(func() (any, error) { return fn(a) })
	})
}

// sync exports fn as a synchronous function for work that never waits. It
// cannot throw (Go cannot raise a JavaScript exception), so an error is
// returned as an Error object; cairn.js rethrows it.
func syncFn(fn func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = toJSError(panicError(r))
			}
		}()
		v, err := fn(args)
		if err != nil {
			return toJSError(err)
		}
		return v
	})
}

func rejected(err error) js.Value {
	return js.Global().Get("Promise").Call("reject", toJSError(err))
}

// callJS invokes a user callback, containing its exceptions.
func callJS(fn js.Value, args ...any) {
	defer func() {
		if r := recover(); r != nil {
			js.Global().Get("console").Call("error", fmt.Sprintf("cairn: listener failed: %v", r))
		}
	}()
	fn.Invoke(args...)
}

// Argument helpers. They return errors with code "invalid".

func argString(args []js.Value, i int, name string) (string, error) {
	if i >= len(args) || args[i].Type() != js.TypeString {
		return "", errf("invalid", "%s: expected a string argument", name)
	}
	return args[i].String(), nil
}

func argFunc(args []js.Value, i int, name string) (js.Value, error) {
	if i >= len(args) || args[i].Type() != js.TypeFunction {
		return js.Undefined(), errf("invalid", "%s: expected a function argument", name)
	}
	return args[i], nil
}

func argInt(args []js.Value, i int, name string) (int64, error) {
	if i >= len(args) || args[i].Type() != js.TypeNumber {
		return 0, errf("invalid", "%s: expected a number argument", name)
	}
	return int64(args[i].Float()), nil
}

// optObject returns args[i] when it is a plain object (not a string), or
// undefined.
func optObject(args []js.Value, i int) js.Value {
	if i < len(args) && args[i].Type() == js.TypeObject && !args[i].IsNull() {
		return args[i]
	}
	return js.Undefined()
}

func getString(o js.Value, key string) string {
	if o.IsUndefined() {
		return ""
	}
	v := o.Get(key)
	if v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

func getNumber(o js.Value, key string) (float64, bool) {
	if o.IsUndefined() {
		return 0, false
	}
	v := o.Get(key)
	if v.Type() == js.TypeNumber {
		return v.Float(), true
	}
	return 0, false
}

func getBool(o js.Value, key string) (bool, bool) {
	if o.IsUndefined() {
		return false, false
	}
	v := o.Get(key)
	if v.Type() == js.TypeBoolean {
		return v.Bool(), true
	}
	return false, false
}
