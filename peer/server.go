//go:build !js

package peer

import (
	"bufio"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// ServerOptions configures Accept and NewServer. The zero value of each
// field means its default; the struct is copied, never written.
type ServerOptions struct {
	// Token is the shared secret clients must present, compared in constant
	// time. Connections authenticated by it get the principal "token".
	Token string
	// Authenticate, if set, replaces Token: it resolves a presented token to
	// a principal or returns an error to refuse it.
	Authenticate func(ctx context.Context, token string) (principal string, err error)
	// DevMode accepts every connection without a token (principal ""). It
	// must be chosen explicitly: without Token, Authenticate or DevMode the
	// options are invalid.
	DevMode bool

	// OriginPatterns lists the browser origins allowed besides the
	// request's own host (see coder/websocket AcceptOptions). Requests
	// without an Origin header (non-browser clients) are always allowed.
	OriginPatterns []string

	// Protocol is the protocol version announced; default ProtocolVersion.
	Protocol int
	// NodeFormat is the node-format version announced. The store's codec
	// owns it; peers with different values get ErrUpgradeRequired.
	NodeFormat int

	// FrameLimit is the maximum frame size, both ways; default
	// DefaultFrameLimit (4 MiB).
	FrameLimit int
	// HandshakeTimeout bounds the auth message and hello; default 10s.
	HandshakeTimeout time.Duration
	// PingInterval is how often the server pings; default 20s.
	PingInterval time.Duration
	// PingTimeout is how long a pong may take before the peer is closed as
	// unresponsive; default 15s.
	PingTimeout time.Duration
	// WriteTimeout bounds the write of one frame; default 30s.
	WriteTimeout time.Duration
	// Queue is the number of received messages buffered before the reader
	// waits for Recv; default 16.
	Queue int
	// Compression enables permessage-deflate when the client offers it.
	Compression bool
	// WriteBuffer is the size of the connection's write buffer; default
	// 32 KiB. A frame that fits is written to the socket in one system
	// call (a live commit's frame is tens of KiB; net/http's 4 KiB buffer
	// would split it in two).
	WriteBuffer int

	// Serve runs for each accepted connection (NewServer only); the
	// connection is closed when it returns. ctx ends when the connection
	// does or the request context is cancelled.
	Serve func(ctx context.Context, c Conn)

	// Logger receives connection events; default slog.Default().
	Logger *slog.Logger
}

func (o *ServerOptions) withDefaults() (ServerOptions, error) {
	var r ServerOptions
	if o != nil {
		r = *o
		r.OriginPatterns = append([]string(nil), o.OriginPatterns...)
	}
	if r.Token == "" && r.Authenticate == nil && !r.DevMode {
		return r, errors.New("peer: ServerOptions: set Token, Authenticate or DevMode")
	}
	if r.Protocol == 0 {
		r.Protocol = ProtocolVersion
	}
	if r.FrameLimit < 0 || r.HandshakeTimeout < 0 || r.PingInterval < 0 || r.PingTimeout < 0 || r.WriteTimeout < 0 || r.Queue < 0 || r.WriteBuffer < 0 {
		return r, errors.New("peer: ServerOptions: limits, timeouts and intervals must not be negative")
	}
	r.FrameLimit = cmp0(r.FrameLimit, DefaultFrameLimit)
	r.HandshakeTimeout = cmp0(r.HandshakeTimeout, 10*time.Second)
	r.PingInterval = cmp0(r.PingInterval, 20*time.Second)
	r.PingTimeout = cmp0(r.PingTimeout, 15*time.Second)
	r.WriteTimeout = cmp0(r.WriteTimeout, 30*time.Second)
	r.Queue = cmp0(r.Queue, 16)
	r.WriteBuffer = cmp0(r.WriteBuffer, 32<<10)
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	return r, nil
}

// Accept upgrades the request, authenticates the client and exchanges
// hellos. On failure the client has been told why (an HTTP error before the
// upgrade, a close frame with a reason after it) and the error matches
// ErrUnauthorized, ErrUpgradeRequired or ErrProtocol where that applies.
// The caller owns the returned Conn and must Close it.
func Accept(w http.ResponseWriter, r *http.Request, opts *ServerOptions) (Conn, error) {
	o, err := opts.withDefaults()
	if err != nil {
		http.Error(w, "server misconfigured", http.StatusInternalServerError)
		return nil, err
	}
	c, err := accept(w, r, &o)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func accept(w http.ResponseWriter, r *http.Request, o *ServerOptions) (*conn, error) {
	mode := websocket.CompressionDisabled
	if o.Compression {
		mode = websocket.CompressionContextTakeover
	}
	ws, err := websocket.Accept(bufferedHijack{w, o.WriteBuffer}, r, &websocket.AcceptOptions{
		OriginPatterns:  o.OriginPatterns,
		CompressionMode: mode,
	})
	if err != nil {
		return nil, fmt.Errorf("peer: accept: %w", err)
	}
	t := newWSTransport(ws, int64(o.FrameLimit))

	// The handshake deadline closes with a reason instead of cancelling the
	// read (which would drop the connection without one).
	fired := make(chan struct{})
	timer := time.AfterFunc(o.HandshakeTimeout, func() {
		defer close(fired)
		_ = t.close(ClosePolicyViolation, "handshake timed out")
	})
	principal, h, err := handshake(r, t, o)
	if !timer.Stop() {
		<-fired
		if err == nil {
			err = &CloseError{Code: ClosePolicyViolation, Reason: "handshake timed out", Err: ErrProtocol}
		}
	}
	if err != nil {
		_ = t.closeNow()
		return nil, fmt.Errorf("peer: accept from %s: %w", r.RemoteAddr, err)
	}
	return newConn(t, connConfig{
		info: Info{
			Principal:  principal,
			Server:     true,
			RemoteAddr: r.RemoteAddr,
			Origin:     r.Header.Get("Origin"),
			Protocol:   h.Protocol,
			NodeFormat: h.NodeFormat,
		},
		log:          o.Logger,
		frameLimit:   o.FrameLimit,
		writeTimeout: o.WriteTimeout,
		queue:        o.Queue,
		pingInterval: o.PingInterval,
		pingTimeout:  o.PingTimeout,
		ticks:        h.Ticks,
	}), nil
}

// handshake authenticates (header, or a first auth message) and exchanges
// hellos. Every refusal is sent as a close frame with a reason.
func handshake(r *http.Request, t transport, o *ServerOptions) (string, hello, error) {
	ctx := r.Context()
	refuse := func(code int, reason string, kind error) (string, hello, error) {
		_ = t.close(code, reason)
		return "", hello{}, fmt.Errorf("%w: %s", kind, reason)
	}

	authed := o.DevMode
	principal := ""
	if !o.DevMode {
		if hdr := r.Header.Get("Authorization"); hdr != "" {
			scheme, tok, ok := strings.Cut(hdr, " ")
			if !ok || !strings.EqualFold(scheme, "token") {
				return refuse(ClosePolicyViolation, "unauthorized: Authorization must be 'token <secret>'", ErrUnauthorized)
			}
			p, err := authenticate(ctx, o, strings.TrimSpace(tok))
			if err != nil {
				return refuse(ClosePolicyViolation, "unauthorized: invalid token", ErrUnauthorized)
			}
			principal, authed = p, true
		}
	}

	for {
		m, err := readHandshake(ctx, t)
		if err != nil {
			var ce *CloseError
			if errors.As(err, &ce) && ce.Code == CloseInvalidPayload {
				return refuse(CloseInvalidPayload, truncReason(ce.Reason), ErrMalformedFrame)
			}
			return "", hello{}, err
		}
		switch m.Type {
		case TypeAuth:
			if authed {
				continue // dev mode, or the header already authenticated
			}
			var a authBody
			if m.Decode(&a) != nil {
				return refuse(ClosePolicyViolation, "unauthorized: malformed auth message", ErrUnauthorized)
			}
			p, err := authenticate(ctx, o, a.Token)
			if err != nil {
				return refuse(ClosePolicyViolation, "unauthorized: invalid token", ErrUnauthorized)
			}
			principal, authed = p, true
		case TypeHello:
			if !authed {
				return refuse(ClosePolicyViolation, "unauthorized: authentication required", ErrUnauthorized)
			}
			var h hello
			if m.Decode(&h) != nil {
				return refuse(CloseProtocolError, "malformed hello", ErrProtocol)
			}
			reply, _ := EncodeFrame(mustMsg(TypeHello, hello{
				Protocol:   o.Protocol,
				NodeFormat: o.NodeFormat,
				Principal:  principal,
				PingMillis: o.PingInterval.Milliseconds(),
			}))
			wctx, cancel := context.WithTimeout(ctx, o.HandshakeTimeout)
			err := t.write(wctx, reply)
			cancel()
			if err != nil {
				return "", hello{}, err
			}
			if h.Protocol != o.Protocol || h.NodeFormat != o.NodeFormat {
				reason := fmt.Sprintf("upgrade required: server speaks protocol %d, node-format %d", o.Protocol, o.NodeFormat)
				_ = t.close(CloseUpgradeRequired, reason)
				return "", hello{}, &UpgradeError{
					LocalProtocol: o.Protocol, RemoteProtocol: h.Protocol,
					LocalNodeFormat: o.NodeFormat, RemoteNodeFormat: h.NodeFormat,
					Reason: reason,
				}
			}
			return principal, h, nil
		default:
			if !authed {
				return refuse(ClosePolicyViolation, "unauthorized: authentication required", ErrUnauthorized)
			}
			return refuse(CloseProtocolError, "expected hello, got "+m.Type, ErrProtocol)
		}
	}
}

func authenticate(ctx context.Context, o *ServerOptions, tok string) (string, error) {
	if o.Authenticate != nil {
		return o.Authenticate(ctx, tok)
	}
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(o.Token)) != 1 {
		return "", ErrUnauthorized
	}
	return "token", nil
}

// Server accepts peers over HTTP, runs ServerOptions.Serve for each, and
// tracks them so Shutdown can close them: http.Server.Shutdown does not
// close hijacked (WebSocket) connections.
type Server struct {
	opts ServerOptions

	mu       sync.Mutex
	conns    map[*conn]struct{}
	closing  bool
	active   int
	idle     chan struct{}
	idleOnce sync.Once
}

// NewServer validates opts (Serve is required) and returns a Server.
func NewServer(opts *ServerOptions) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if o.Serve == nil {
		return nil, errors.New("peer: ServerOptions: Serve is required")
	}
	return &Server{opts: o, conns: make(map[*conn]struct{}), idle: make(chan struct{})}, nil
}

// ServeHTTP accepts one peer and serves it until it ends.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	s.active++
	s.mu.Unlock()
	defer s.release()

	log := s.opts.Logger
	c, err := accept(w, r, &s.opts)
	if err != nil {
		log.Info("peer: refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	if !s.track(c) {
		c.end(&CloseError{Code: CloseGoingAway, Reason: "server shutting down"}, true)
		_ = c.Close("")
		return
	}
	defer s.untrack(c)
	log.Debug("peer: connected", "remote", r.RemoteAddr, "principal", c.Principal())

	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(c.ctx, cancel)
	defer func() {
		stop()
		cancel()
		_ = c.Close("")
	}()
	defer func() {
		if v := recover(); v != nil {
			log.Error("peer: Serve panicked", "remote", r.RemoteAddr, "panic", v)
			c.end(&CloseError{Code: CloseInternalError, Reason: "internal error"}, true)
		}
	}()
	s.opts.Serve(ctx, c)
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Server) release() {
	s.mu.Lock()
	s.active--
	if s.closing && s.active == 0 {
		s.idleOnce.Do(func() { close(s.idle) })
	}
	s.mu.Unlock()
}

// NumConns returns the number of connected peers.
func (s *Server) NumConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown refuses new peers, closes every connected one with "going away",
// and waits until every Serve has returned or ctx ends. Call it after
// http.Server.Shutdown has stopped new requests. It is idempotent.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	if s.active == 0 {
		s.idleOnce.Do(func() { close(s.idle) })
	}
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.end(&CloseError{Code: CloseGoingAway, Reason: "server shutting down"}, true) })
	}
	wg.Wait()
	select {
	case <-s.idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("peer: shutdown: %w", ctx.Err())
	}
}

// bufferedHijack hands coder/websocket a hijacked connection whose write
// buffer has the configured size instead of net/http's 4 KiB.
type bufferedHijack struct {
	http.ResponseWriter
	size int
}

func (h bufferedHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if brw.Writer.Buffered() == 0 && brw.Writer.Size() < h.size {
		brw.Writer = bufio.NewWriterSize(c, h.size)
	}
	return c, brw, nil
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (h bufferedHijack) Unwrap() http.ResponseWriter { return h.ResponseWriter }
