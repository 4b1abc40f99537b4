package peer

import (
	"context"
	"errors"
	"fmt"
	"github.com/cairn-db/cairn/logging"
	"sync"
	"sync/atomic"
	"time"
)

// ProtocolVersion is the wire protocol version this package speaks. Both
// sides send it in their hello; a mismatch is ErrUpgradeRequired.
const ProtocolVersion = 1

// Conn is one peer connection, or a middleware layer wrapping one. Each
// method is safe for concurrent use.
type Conn interface {
	// Send writes one message. ctx bounds the wait for the connection's
	// writer; once the frame is being written it is bounded by the write
	// timeout instead, so a caller's deadline never cuts a frame in half.
	// Returns ErrFrameTooLarge for a frame over the limit and a *CloseError
	// once the connection has ended.
	Send(ctx context.Context, m Msg) error
	// Recv returns the next message no lower layer handled. It returns
	// ctx's error when ctx ends first and a *CloseError once the connection
	// has ended. Messages that nobody receives apply backpressure: the
	// layers below stop reading and, eventually, so does the remote writer.
	Recv(ctx context.Context) (Msg, error)
	// Close ends the connection with a normal close and reason, then waits
	// for the goroutines the stack owns. It is idempotent; it must not be
	// called from a goroutine the stack owns (a Layer handler).
	Close(reason string) error
	// Principal is the authenticated identity: on the server the one the
	// token resolved to ("" in dev mode), on the client the one the server
	// reported for this client.
	Principal() string
	// Info describes the connection.
	Info() Info
	// Done is closed when the connection has ended.
	Done() <-chan struct{}
	// Err is nil while the connection is open and the *CloseError after.
	Err() error
}

// Info describes a connection.
type Info struct {
	// Principal: see Conn.Principal.
	Principal string
	// Server is true on the side that accepted the connection.
	Server bool
	// RemoteAddr is the client's address on the server and the URL on the
	// client.
	RemoteAddr string
	// Origin is the Origin header the client sent (server side only).
	Origin string
	// Protocol and NodeFormat are the versions the remote side announced.
	Protocol, NodeFormat int
}

// hello is the body of TypeHello.
type hello struct {
	Protocol   int    `msgpack:"protocol"`
	NodeFormat int    `msgpack:"node_format"`
	Principal  string `msgpack:"principal,omitempty"`
	// Ticks: the client cannot see WebSocket pings (a browser) and asks the
	// server for peer/tick heartbeats so its read deadline works.
	Ticks bool `msgpack:"ticks,omitempty"`
	// PingMillis is the server's ping interval.
	PingMillis int64 `msgpack:"ping_ms,omitempty"`
}

// authBody is the body of TypeAuth.
type authBody struct {
	Token string `msgpack:"token"`
}

// connConfig is what newConn needs from server or client options.
type connConfig struct {
	info         Info
	log          logging.Logger
	frameLimit   int
	writeTimeout time.Duration
	queue        int
	// Server: ping every pingInterval, close after pingTimeout without pong.
	pingInterval, pingTimeout time.Duration
	ticks                     bool
	// Client: close when nothing (data or ping) arrived for readTimeout.
	readTimeout time.Duration
	alive       *atomic.Int64 // unix nanos of the last frame or ping seen
}

// conn is the base layer: it owns the transport, one reader goroutine and,
// on the server, a pinger (on the client, a read-deadline watchdog).
//
// The reader always reads, so WebSocket control frames (pings, pongs, close)
// are handled even when nobody calls Recv; decoded messages wait in a small
// queue. Writes are serialized by a one-slot semaphore so that a caller can
// give up waiting (ctx) without disturbing a frame already on the wire.
type conn struct {
	t   transport
	cfg connConfig
	log logging.Logger

	in  chan Msg
	wmu chan struct{}

	// ctx lives as long as the transport; it is cancelled after the close
	// handshake so that cancelling it never pre-empts the close frame.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	done      chan struct{}
	err       *CloseError // set before done is closed
	wg        sync.WaitGroup

	delivering atomic.Bool // the reader is blocked handing a message to Recv
}

func newConn(t transport, cfg connConfig) *conn {
	if cfg.alive == nil {
		cfg.alive = new(atomic.Int64)
	}
	cfg.alive.Store(time.Now().UnixNano())
	ctx, cancel := context.WithCancel(context.Background()) // lifetime of the connection, not of a request
	c := &conn{
		t:      t,
		cfg:    cfg,
		log:    cfg.log,
		in:     make(chan Msg, cfg.queue),
		wmu:    make(chan struct{}, 1),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	c.wg.Add(1)
	go c.readLoop()
	if cfg.pingInterval > 0 {
		c.wg.Add(1)
		go c.pingLoop()
	}
	if cfg.readTimeout > 0 {
		c.wg.Add(1)
		go c.watchdog()
	}
	return c
}

func (c *conn) Principal() string     { return c.cfg.info.Principal }
func (c *conn) Info() Info            { return c.cfg.info }
func (c *conn) Done() <-chan struct{} { return c.done }

func (c *conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

func (c *conn) Send(ctx context.Context, m Msg) error {
	switch m.Type {
	case TypeHello, TypeAuth, typeTick:
		return fmt.Errorf("peer: %s is sent by the handshake only", m.Type)
	}
	frame := m.frame
	if frame == nil {
		var err error
		if frame, err = EncodeFrame(m); err != nil {
			return err
		}
	}
	if len(frame) > c.cfg.frameLimit {
		return fmt.Errorf("%w: %s frame is %d bytes, limit %d", ErrFrameTooLarge, m.Type, len(frame), c.cfg.frameLimit)
	}
	return c.sendFrame(ctx, frame)
}

func (c *conn) sendFrame(ctx context.Context, frame []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case c.wmu <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return c.err
	}
	defer func() { <-c.wmu }()
	select {
	case <-c.done:
		return c.err
	default:
	}
	wctx, cancel := context.WithTimeout(c.ctx, c.cfg.writeTimeout)
	err := c.t.write(wctx, frame)
	timedOut := wctx.Err() == context.DeadlineExceeded
	cancel()
	if err == nil {
		return nil
	}
	select {
	case <-c.done:
		return c.err
	default:
	}
	ce := &CloseError{Code: CloseAbnormal, Reason: "write failed", Remote: true, Err: err}
	if timedOut {
		ce = &CloseError{Code: CloseAbnormal, Reason: "write timed out", Err: ErrUnresponsive}
	}
	c.end(ce, false)
	return c.err
}

func (c *conn) Recv(ctx context.Context) (Msg, error) {
	select {
	case m := <-c.in:
		return m, nil
	case <-ctx.Done():
		return Msg{}, ctx.Err()
	case <-c.done:
		return Msg{}, c.err
	}
}

func (c *conn) Close(reason string) error {
	c.end(&CloseError{Code: CloseNormal, Reason: reason}, true)
	c.wg.Wait()
	return nil
}

// end records why the connection ended (the first cause wins), unblocks
// everyone, and closes the transport: with a close handshake carrying the
// reason when handshake is true, at once otherwise.
func (c *conn) end(ce *CloseError, handshake bool) {
	c.closeOnce.Do(func() {
		c.err = ce
		close(c.done)
		if handshake {
			_ = c.t.close(ce.Code, ce.Reason)
		} else {
			_ = c.t.closeNow()
		}
		c.cancel()
		if ce.Code != CloseNormal || ce.Remote {
			c.log.Debug("peer: connection ended", "remote", c.cfg.info.RemoteAddr, "err", ce)
		}
	})
}

func (c *conn) readLoop() {
	defer c.wg.Done()
	for {
		binary, p, err := c.t.read(c.ctx)
		if err != nil {
			var ce *CloseError
			if !errors.As(err, &ce) {
				ce = &CloseError{Code: CloseAbnormal, Remote: true, Err: err}
			}
			c.end(ce, false)
			return
		}
		c.cfg.alive.Store(time.Now().UnixNano())
		if !binary {
			c.end(&CloseError{Code: CloseUnsupportedData, Reason: "binary frames only", Err: ErrProtocol}, true)
			return
		}
		m, err := DecodeFrame(p)
		if err != nil {
			c.end(&CloseError{Code: CloseInvalidPayload, Reason: truncReason(err.Error()), Err: err}, true)
			return
		}
		switch m.Type {
		case typeTick:
			continue
		case TypeHello, TypeAuth:
			c.end(&CloseError{Code: CloseProtocolError, Reason: "unexpected " + m.Type + " after handshake", Err: ErrProtocol}, true)
			return
		}
		c.delivering.Store(true)
		select {
		case c.in <- m:
			c.delivering.Store(false)
		case <-c.done:
			return
		}
	}
}

var tickFrame, _ = EncodeFrame(Msg{Type: typeTick})

// pingLoop is the server's liveness check. A failed ping closes the
// connection unless the peer is demonstrably alive: data arrived recently,
// or the reader is blocked on a slow local consumer (then pongs cannot be
// read, and that is this side's fault, not the peer's).
func (c *conn) pingLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		if c.cfg.ticks {
			_ = c.sendFrame(c.ctx, tickFrame)
		}
		pctx, cancel := context.WithTimeout(c.ctx, c.cfg.pingTimeout)
		err := c.t.ping(pctx)
		cancel()
		if err == nil {
			continue
		}
		select {
		case <-c.done:
			return
		default:
		}
		last := time.Unix(0, c.cfg.alive.Load())
		if c.delivering.Load() || time.Since(last) < c.cfg.pingTimeout {
			continue
		}
		c.end(&CloseError{Code: CloseAbnormal, Reason: "ping timeout", Err: ErrUnresponsive}, false)
		return
	}
}

// watchdog is the client's read deadline. It compares wall-clock time since
// the last frame or ping, so a timer that fires late (a background browser
// tab runs timers about once a minute) only delays the check and never
// causes a false timeout by itself.
func (c *conn) watchdog() {
	defer c.wg.Done()
	period := max(c.cfg.readTimeout/4, time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		last := time.Unix(0, c.cfg.alive.Load())
		if time.Since(last) > c.cfg.readTimeout && !c.delivering.Load() {
			c.end(&CloseError{Code: CloseAbnormal, Reason: "read timeout", Err: ErrUnresponsive}, false)
			return
		}
	}
}
