package rpc

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Every error Call returns matches one of them (or ctx's
// own error for a cancelled, not timed-out, call); test with errors.Is.
var (
	// ErrUnknownFunction is returned when the remote side has no function
	// registered under the name.
	ErrUnknownFunction = errors.New("rpc: unknown function")
	// ErrNotAuthorized is returned when the remote side refused the call for
	// the connection's principal.
	ErrNotAuthorized = errors.New("rpc: not authorized")
	// ErrTimeout is returned when the call's context deadline passed before
	// the result arrived. It also matches context.DeadlineExceeded.
	ErrTimeout = errors.New("rpc: timeout")
	// ErrDisconnected is returned when the connection ended before the result
	// arrived (every pending call fails at once) or had ended before the call.
	ErrDisconnected = errors.New("rpc: disconnected")
	// ErrRemote is returned when the remote handler failed: it returned an
	// error or panicked. The *Error carries its code and message.
	ErrRemote = errors.New("rpc: remote error")
	// ErrBadRequest is returned when the remote side could not decode the
	// call (malformed message or arguments), and by Call.Decode.
	ErrBadRequest = errors.New("rpc: bad request")
)

// Error codes carried on the wire. A handler may return an *Error with a
// code of its own (e.g. "tx/conflict"); the caller receives it intact and it
// matches ErrRemote.
const (
	CodeUnknownFunction = "unknown-function"
	CodeNotAuthorized   = "not-authorized"
	CodeTimeout         = "timeout"
	CodeBadRequest      = "bad-request"
	CodeRemote          = "remote-error"
)

// Error is a failed call as carried on the wire. Read it with errors.As to
// get the code; errors.Is maps the standard codes to the sentinels (a remote
// timeout also matches context.DeadlineExceeded) and any other code to
// ErrRemote.
type Error struct {
	Code    string `msgpack:"code"`
	Message string `msgpack:"message"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("rpc: %s: %s", e.Code, e.Message)
}

// Is reports whether target is the sentinel for e's code.
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeUnknownFunction:
		return target == ErrUnknownFunction
	case CodeNotAuthorized:
		return target == ErrNotAuthorized
	case CodeTimeout:
		return target == ErrTimeout || target == context.DeadlineExceeded
	case CodeBadRequest:
		return target == ErrBadRequest
	}
	return target == ErrRemote
}

// toWire turns a handler's error into the *Error sent back: an *Error in the
// chain is kept as is; the sentinels become their codes; anything else is a
// remote error carrying the message.
func toWire(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNotAuthorized):
		return &Error{Code: CodeNotAuthorized, Message: err.Error()}
	case errors.Is(err, ErrBadRequest):
		return &Error{Code: CodeBadRequest, Message: err.Error()}
	case errors.Is(err, ErrUnknownFunction):
		return &Error{Code: CodeUnknownFunction, Message: err.Error()}
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeTimeout, Message: err.Error()}
	}
	return &Error{Code: CodeRemote, Message: err.Error()}
}
