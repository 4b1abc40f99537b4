// Package rpc is the remote-call layer of a peer stack: named functions,
// request ids, deadlines that travel with the call, and typed errors.
//
// An Endpoint wraps a peer.Conn, owns the rpc/* message types and passes
// every other type on to its Recv, so the sync layer stacks above it:
//
//	serialization (peer.Conn) → rpc (Endpoint) → sync → peer.RejectUnknown
//
// Both sides may call; the common case is client → server. Ids are chosen by
// the caller and only ever matched against the caller's own pending calls,
// so the two directions never collide.
//
// # Messages
//
//	caller                                         callee
//	  | ["rpc/call",   {id, fn, args, timeout_us}] -> |  handler(ctx, *Call)
//	  | <- ["rpc/result", {id, result} | {id, error}] |  ctx: caller's deadline,
//	  | ["rpc/cancel", {id}]  (caller gave up)     -> |  cancelled on rpc/cancel
//	                                                     or disconnect
//
// args and result are msgpack values (an mpack.Raw passes as is; bodies
// are encoded without reflection, msgcodec.go and peer/mpack);
// error is an *Error {code, message}. timeout_us is what remained of the
// caller's deadline when it sent the call — relative, so clocks need not
// agree. The callee runs at most MaxConcurrent handlers per connection and
// stops reading beyond that.
//
// # Errors
//
// Every error Call returns matches a sentinel: ErrUnknownFunction,
// ErrNotAuthorized, ErrTimeout (the ctx deadline passed; also matches
// context.DeadlineExceeded), ErrDisconnected (the connection ended: every
// pending call fails at once, without waiting for its deadline), ErrRemote
// (the handler returned an error or panicked; a panic is logged as a bug and
// the endpoint keeps serving) or ErrBadRequest. A handler that returns an
// *Error with a code of its own (e.g. "tx/conflict") passes it to the caller
// intact; read it with errors.As. Unlike distributed-scope, a call never
// waits without bound: the caller's ctx bounds it on both sides.
package rpc
