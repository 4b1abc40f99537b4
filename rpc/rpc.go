package rpc

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-db/cairn/logging"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/peer/mpack"
)

// Message types owned by this layer.
const (
	TypeCall   = "rpc/call"
	TypeResult = "rpc/result"
	TypeCancel = "rpc/cancel"
)

// callBody is the body of TypeCall.
type callBody struct {
	ID uint64 `msgpack:"id"`
	Fn string `msgpack:"fn"`
	// Args is the msgpack-encoded argument value.
	Args mpack.Raw `msgpack:"args"`
	// TimeoutMicros is what remained of the caller's deadline when it sent
	// the call (relative, so clock skew does not matter); 0 means none.
	TimeoutMicros int64 `msgpack:"timeout_us,omitempty"`
}

// resultBody is the body of TypeResult: Result or Error.
type resultBody struct {
	ID     uint64    `msgpack:"id"`
	Result mpack.Raw `msgpack:"result,omitempty"`
	Error  *Error    `msgpack:"error,omitempty"`
}

// cancelBody is the body of TypeCancel: the caller gave up on ID.
type cancelBody struct {
	ID uint64 `msgpack:"id"`
}

// HandlerFunc serves one remote function. It must return when ctx ends
// (the caller's deadline, a cancel from the caller, or the connection
// ending). The result is msgpack-encoded by peer.Marshal (an mpack.Raw is
// sent as is). A returned *Error reaches the caller with its code; ErrNotAuthorized
// and ErrBadRequest in the chain become those codes; any other error becomes
// ErrRemote with the error's text.
type HandlerFunc func(ctx context.Context, call *Call) (any, error)

// Call is one incoming call as a handler sees it.
type Call struct {
	// Name is the function name.
	Name string
	conn peer.Conn
	args mpack.Raw
}

// Decode decodes the arguments into v. Errors match ErrBadRequest, so a
// handler can return them as they are.
func (c *Call) Decode(v any) error {
	if err := (peer.Msg{Type: TypeCall, Body: c.args}).Decode(v); err != nil {
		return fmt.Errorf("%w: %s arguments: %v", ErrBadRequest, c.Name, err)
	}
	return nil
}

// Args returns the raw msgpack arguments.
func (c *Call) Args() mpack.Raw { return c.args }

// Principal is the caller's authenticated principal (see peer.Conn).
func (c *Call) Principal() string { return c.conn.Principal() }

// Conn is the connection the call arrived on.
func (c *Call) Conn() peer.Conn { return c.conn }

// Registry maps function names to handlers. One Registry can serve many
// Endpoints (one per connection on a server). Safe for concurrent use.
type Registry struct {
	mu  sync.RWMutex
	fns map[string]HandlerFunc
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{fns: make(map[string]HandlerFunc)} }

// Register adds or replaces the handler for name. An empty name or nil fn
// is a programming error and panics.
func (r *Registry) Register(name string, fn HandlerFunc) {
	if name == "" || fn == nil {
		panic("rpc: Register needs a name and a function")
	}
	r.mu.Lock()
	r.fns[name] = fn
	r.mu.Unlock()
}

func (r *Registry) lookup(name string) HandlerFunc {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.fns[name]
}

// Options configures an Endpoint. The zero value of each field means its
// default; the struct is copied, never written.
type Options struct {
	// Registry holds the functions this side serves; default a new empty
	// one, filled by Endpoint.Register.
	Registry *Registry
	// Authorize, if set, runs before every incoming call; an error refuses
	// it with ErrNotAuthorized (unless it is an *Error with its own code).
	Authorize func(ctx context.Context, call *Call) error
	// MaxConcurrent bounds the incoming calls running at once; beyond it the
	// endpoint stops reading (backpressure). Default 64.
	MaxConcurrent int
	// Queue is the number of passed-on messages buffered for Recv; default 16.
	Queue int
	// Logger; default slog.Default().
	Logger logging.Logger
}

// Endpoint is the rpc middleware over a peer.Conn: it serves the registered
// functions, makes calls, and passes every other message type on to its
// Recv, so it is itself a peer.Conn and more layers (sync) can sit above it.
// Both sides may call; request ids are per caller, so the two directions
// never collide.
type Endpoint struct {
	*peer.Layer

	reg    *Registry
	opts   Options
	log    logging.Logger
	sem    chan struct{}
	nextID atomic.Uint64

	mu      sync.Mutex
	pending map[uint64]chan resultBody    // outgoing calls awaiting a result
	running map[uint64]context.CancelFunc // incoming calls being served

	cancels chan uint64 // ids whose caller gave up, for the canceller
	wg      sync.WaitGroup
}

// New stacks an rpc Endpoint on c. Close the Endpoint (not c) to close the
// connection and wait for the handlers.
func New(c peer.Conn, opts *Options) *Endpoint {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Registry == nil {
		o.Registry = NewRegistry()
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 64
	}
	if o.Logger == nil {
		o.Logger = logging.Default()
	}
	e := &Endpoint{
		reg:     o.Registry,
		opts:    o,
		log:     o.Logger,
		sem:     make(chan struct{}, o.MaxConcurrent),
		pending: make(map[uint64]chan resultBody),
		running: make(map[uint64]context.CancelFunc),
		cancels: make(chan uint64, 64),
	}
	e.Layer = peer.NewLayer(c, e.handle, &peer.LayerOptions{Queue: o.Queue})
	e.wg.Add(1)
	go e.canceller()
	e.Layer.Start()
	return e
}

// Middleware returns New as a peer.Middleware. The Endpoint is the returned
// Conn (type-assert to *Endpoint to make calls).
func Middleware(opts *Options) peer.Middleware {
	return func(c peer.Conn) peer.Conn { return New(c, opts) }
}

// Register adds a function to the endpoint's Registry (shared with other
// endpoints if Options.Registry was given).
func (e *Endpoint) Register(name string, fn HandlerFunc) { e.reg.Register(name, fn) }

// Close closes the connection, fails pending calls with ErrDisconnected,
// cancels running handlers and waits for them. Idempotent. It must not be
// called from a handler (it waits for the handlers).
func (e *Endpoint) Close(reason string) error {
	err := e.Layer.Close(reason)
	e.wg.Wait()
	return err
}

// Call invokes the remote function name with args (msgpack-encoded by
// peer.Marshal; an mpack.Raw is sent as is) and decodes its result into result
// (which may be nil to discard it). ctx's deadline travels with the call and
// bounds the remote handler. Errors match ErrUnknownFunction,
// ErrNotAuthorized, ErrTimeout, ErrDisconnected, ErrRemote or ErrBadRequest;
// a cancelled ctx returns context.Canceled.
func (e *Endpoint) Call(ctx context.Context, name string, args any, result any) error {
	if err := ctx.Err(); err != nil {
		return ctxErr(name, err)
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("rpc: call %s: %w (%w)", name, ErrDisconnected, err)
	}
	raw, err := peer.Marshal(args)
	if err != nil {
		return fmt.Errorf("rpc: call %s: encode args: %w", name, err)
	}
	body := callBody{ID: e.nextID.Add(1), Fn: name, Args: raw}
	if dl, ok := ctx.Deadline(); ok {
		rem := time.Until(dl)
		if rem <= 0 {
			return ctxErr(name, context.DeadlineExceeded)
		}
		body.TimeoutMicros = max(rem.Microseconds(), 1)
	}
	msg, err := peer.NewMsg(TypeCall, body)
	if err != nil {
		return fmt.Errorf("rpc: call %s: %w", name, err)
	}

	ch := make(chan resultBody, 1)
	e.mu.Lock()
	e.pending[body.ID] = ch
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.pending, body.ID)
		e.mu.Unlock()
	}()

	if err := e.Send(ctx, msg); err != nil {
		switch {
		case errors.Is(err, peer.ErrFrameTooLarge):
			return fmt.Errorf("rpc: call %s: %w", name, err)
		case ctx.Err() != nil:
			return ctxErr(name, ctx.Err())
		}
		return fmt.Errorf("rpc: call %s: %w (%w)", name, ErrDisconnected, err)
	}

	select {
	case r := <-ch:
		if r.Error != nil {
			return fmt.Errorf("rpc: call %s: %w", name, r.Error)
		}
		if result != nil {
			if err := (peer.Msg{Type: TypeResult, Body: r.Result}).Decode(result); err != nil {
				return fmt.Errorf("rpc: call %s: decode result: %w", name, err)
			}
		}
		return nil
	case <-ctx.Done():
		select {
		case e.cancels <- body.ID:
		default: // the canceller is behind; the remote deadline still bounds the handler
		}
		return ctxErr(name, ctx.Err())
	case <-e.Done():
		return fmt.Errorf("rpc: call %s: %w (%w)", name, ErrDisconnected, e.Err())
	case <-e.Context().Done():
		return fmt.Errorf("rpc: call %s: %w", name, ErrDisconnected)
	}
}

func ctxErr(name string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("rpc: call %s: %w (%w)", name, ErrTimeout, err)
	}
	return fmt.Errorf("rpc: call %s: %w", name, err)
}

// canceller tells the remote side about calls whose caller gave up, so
// their handlers stop early. It runs apart from Call so that a caller whose
// ctx has ended never waits for the connection's writer.
func (e *Endpoint) canceller() {
	defer e.wg.Done()
	ctx := e.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-e.cancels:
			m, err := peer.NewMsg(TypeCancel, cancelBody{ID: id})
			if err == nil {
				_ = e.Send(ctx, m)
			}
		}
	}
}

// handle runs on the layer's goroutine for every received message.
func (e *Endpoint) handle(ctx context.Context, m peer.Msg) bool {
	switch m.Type {
	case TypeCall:
		e.onCall(ctx, m)
	case TypeResult:
		var r resultBody
		if err := m.Decode(&r); err != nil {
			e.log.Warn("rpc: malformed result", "remote", e.Info().RemoteAddr, "err", err)
			return true
		}
		e.mu.Lock()
		ch, ok := e.pending[r.ID]
		delete(e.pending, r.ID)
		e.mu.Unlock()
		if ok {
			ch <- r // buffered, one result per id
		}
	case TypeCancel:
		var c cancelBody
		if m.Decode(&c) == nil {
			e.mu.Lock()
			cancel := e.running[c.ID]
			e.mu.Unlock()
			if cancel != nil {
				cancel()
			}
		}
	default:
		return false
	}
	return true
}

// onCall decodes a call on the layer's goroutine (so a cancel that follows
// it always finds it registered) and serves it on a goroutine of its own.
func (e *Endpoint) onCall(ctx context.Context, m peer.Msg) {
	var cb callBody
	if err := m.Decode(&cb); err != nil || cb.ID == 0 || cb.Fn == "" {
		if cb.ID != 0 {
			e.replyAsync(ctx, cb.ID, &Error{Code: CodeBadRequest, Message: "malformed call"})
			return
		}
		// No id to answer to: report it at the peer level.
		reply, _ := peer.NewMsg(peer.TypeError, peer.RemoteError{Code: CodeBadRequest, Message: "malformed rpc call", Type: m.Type})
		e.replyMsgAsync(ctx, reply)
		return
	}
	hctx, cancel := context.WithCancel(ctx)
	if cb.TimeoutMicros > 0 {
		hctx, cancel = withTimeout(hctx, cancel, time.Duration(cb.TimeoutMicros)*time.Microsecond)
	}
	e.mu.Lock()
	_, dup := e.running[cb.ID]
	if !dup {
		e.running[cb.ID] = cancel
	}
	e.mu.Unlock()
	if dup {
		cancel()
		e.replyAsync(ctx, cb.ID, &Error{Code: CodeBadRequest, Message: "duplicate call id"})
		return
	}

	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		cancel()
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() { <-e.sem }()
		defer func() {
			e.mu.Lock()
			delete(e.running, cb.ID)
			e.mu.Unlock()
			cancel()
		}()
		call := &Call{Name: cb.Fn, conn: e, args: cb.Args}
		res, err := e.serve(hctx, call)
		e.reply(ctx, cb.ID, res, err)
	}()
}

func withTimeout(parent context.Context, cancelParent context.CancelFunc, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, d)
	return ctx, func() { cancel(); cancelParent() }
}

// serve authorizes and runs one call, turning a panic into a remote error.
func (e *Endpoint) serve(ctx context.Context, call *Call) (res any, err error) {
	fn := e.reg.lookup(call.Name)
	if fn == nil {
		return nil, &Error{Code: CodeUnknownFunction, Message: fmt.Sprintf("no function %q", call.Name)}
	}
	defer func() {
		if v := recover(); v != nil {
			e.log.Error("rpc: handler panicked", "fn", call.Name, "panic", v, "stack", string(debug.Stack()))
			res, err = nil, &Error{Code: CodeRemote, Message: fmt.Sprintf("internal error in %s", call.Name)}
		}
	}()
	if e.opts.Authorize != nil {
		if err := e.opts.Authorize(ctx, call); err != nil {
			var we *Error
			if errors.As(err, &we) {
				return nil, we
			}
			return nil, &Error{Code: CodeNotAuthorized, Message: err.Error()}
		}
	}
	return fn(ctx, call)
}

// reply sends the result of call id.
func (e *Endpoint) reply(ctx context.Context, id uint64, res any, err error) {
	rb := resultBody{ID: id}
	if err != nil {
		rb.Error = toWire(err)
	} else if b, merr := peer.Marshal(res); merr != nil {
		rb.Error = &Error{Code: CodeRemote, Message: "cannot encode result: " + merr.Error()}
	} else {
		rb.Result = b
	}
	m, merr := peer.NewMsg(TypeResult, rb)
	if merr == nil {
		merr = e.Send(ctx, m)
	}
	if errors.Is(merr, peer.ErrFrameTooLarge) {
		m, _ = peer.NewMsg(TypeResult, resultBody{ID: id, Error: &Error{Code: CodeRemote, Message: "result too large: " + merr.Error()}})
		merr = e.Send(ctx, m)
	}
	if merr != nil && e.Err() == nil {
		e.log.Warn("rpc: cannot send result", "id", id, "err", merr)
	}
}

// replyAsync and replyMsgAsync answer from a goroutine the endpoint owns, so
// the layer's goroutine never waits for the writer.
func (e *Endpoint) replyAsync(ctx context.Context, id uint64, err *Error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.reply(ctx, id, nil, err)
	}()
}

func (e *Endpoint) replyMsgAsync(ctx context.Context, m peer.Msg) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		_ = e.Send(ctx, m)
	}()
}
