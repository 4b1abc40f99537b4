package peer

import (
	"context"
	"sync"
)

// Middleware wraps a Conn in a layer that handles its own message types and
// passes the rest on to its Recv. Sends from above pass through unchanged
// (a layer may add its own).
type Middleware func(Conn) Conn

// Stack applies middleware to c in order: the first is innermost, the last
// is the one the caller talks to.
func Stack(c Conn, mws ...Middleware) Conn {
	for _, mw := range mws {
		c = mw(c)
	}
	return c
}

// LayerOptions configures NewLayer.
type LayerOptions struct {
	// Queue is the number of passed-on messages buffered before the layer
	// stops reading from below; default 16.
	Queue int
}

// Layer is the skeleton of a middleware. Once started it owns one goroutine
// that receives from the inner Conn and offers each message to handle;
// messages handle declines (returns false for) are queued for the Layer's
// Recv. Send, Principal, Info, Done and Err are the inner Conn's.
//
// NewLayer and Start are separate so that a middleware can finish building
// the value that embeds the Layer (and that handle refers to) before the
// first message arrives.
//
// handle runs on that goroutine, so it must not block for long (start a
// goroutine for slow work and tie it to Context) and must not call Close.
type Layer struct {
	Conn

	handle func(ctx context.Context, m Msg) bool
	q      chan Msg
	ctx    context.Context
	cancel context.CancelFunc
	pumped chan struct{}
	start  sync.Once
	once   sync.Once
}

// NewLayer returns a layer over inner; call Start to run it.
func NewLayer(inner Conn, handle func(ctx context.Context, m Msg) (handled bool), opts *LayerOptions) *Layer {
	queue := 16
	if opts != nil && opts.Queue > 0 {
		queue = opts.Queue
	}
	ctx, cancel := context.WithCancel(context.Background()) // lifetime of the layer
	l := &Layer{
		Conn:   inner,
		handle: handle,
		q:      make(chan Msg, queue),
		ctx:    ctx,
		cancel: cancel,
		pumped: make(chan struct{}),
	}
	return l
}

// Start runs the layer's goroutine. Later calls do nothing.
func (l *Layer) Start() {
	l.start.Do(func() { go l.pump() })
}

// Context is cancelled when the layer stops: the connection ended or the
// layer was closed. Tie work started by handle to it.
func (l *Layer) Context() context.Context { return l.ctx }

// Inner returns the wrapped Conn.
func (l *Layer) Inner() Conn { return l.Conn }

func (l *Layer) pump() {
	defer close(l.pumped)
	defer l.cancel()
	for {
		m, err := l.Conn.Recv(l.ctx)
		if err != nil {
			return
		}
		if l.handle(l.ctx, m) {
			continue
		}
		select {
		case l.q <- m:
		case <-l.ctx.Done():
			return
		}
	}
}

// Recv returns the next message this layer did not handle.
func (l *Layer) Recv(ctx context.Context) (Msg, error) {
	select {
	case m := <-l.q:
		return m, nil
	case <-ctx.Done():
		return Msg{}, ctx.Err()
	case <-l.pumped:
		return Msg{}, l.stopErr()
	}
}

func (l *Layer) stopErr() error {
	if err := l.Conn.Err(); err != nil {
		return err
	}
	return &CloseError{Code: CloseNormal, Reason: "layer closed"}
}

// Close closes the connection below and waits for the layer's goroutine.
func (l *Layer) Close(reason string) error {
	err := l.Conn.Close(reason)
	l.once.Do(l.cancel)
	l.start.Do(func() { close(l.pumped) }) // never started: nothing to wait for
	<-l.pumped
	return err
}

// RejectUnknown is the top of a stack: it receives every message no layer
// handled and answers it with a TypeError message (CodeUnknownType), so the
// sender gets a clear error and this side keeps serving. TypeError messages
// themselves are dropped, never answered. It returns when ctx ends (ctx's
// error) or the connection does (its *CloseError).
func RejectUnknown(ctx context.Context, c Conn) error {
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			return err
		}
		if m.Type == TypeError {
			continue
		}
		reply, err := NewMsg(TypeError, RemoteError{
			Code:    CodeUnknownType,
			Message: "no handler for message type",
			Type:    m.Type,
		})
		if err != nil {
			continue
		}
		_ = c.Send(ctx, reply) // a failed send means the connection is ending; Recv reports it
	}
}
