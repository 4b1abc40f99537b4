package peer

import (
	"context"
	"errors"
	"fmt"
	"github.com/cairn-db/cairn/logging"
	"sync/atomic"
	"time"
)

// DialOptions configures Dial. The zero value of each field means its
// default; the struct is copied, never written.
type DialOptions struct {
	// Token is presented to the server: in the Authorization header
	// ("token <secret>") natively, in a first TypeAuth message when
	// TokenInMessage is set or in a browser (which cannot set headers).
	Token          string
	TokenInMessage bool

	// Protocol is the protocol version announced; default ProtocolVersion.
	Protocol int
	// NodeFormat is the node-format version announced; it must equal the
	// server's.
	NodeFormat int

	// FrameLimit is the maximum frame size, both ways; default
	// DefaultFrameLimit (4 MiB). It should equal the server's.
	FrameLimit int
	// HandshakeTimeout bounds the upgrade and the hello exchange; default
	// 10s (ctx may end it sooner).
	HandshakeTimeout time.Duration
	// ReadTimeout closes the connection as unresponsive when neither a
	// message nor a server ping arrived for this long; default 90s (and at
	// least three server ping intervals), negative disables. Generous on
	// purpose: background browser tabs run timers about once a minute.
	ReadTimeout time.Duration
	// WriteTimeout bounds the write of one frame; default 30s.
	WriteTimeout time.Duration
	// Queue is the number of received messages buffered before the reader
	// waits for Recv; default 16.
	Queue int
	// Compression offers permessage-deflate.
	Compression bool
	// NativeDialOptions holds the fields that exist in native builds only
	// (HTTPClient); in GOOS=js builds it is empty, so that the browser
	// client does not link net/http. Its fields are promoted:
	// opts.HTTPClient = c.
	NativeDialOptions

	// Logger receives connection events; default logging.Default()
	// (slog.Default() natively).
	Logger logging.Logger
}

func (o *DialOptions) withDefaults() (DialOptions, error) {
	var r DialOptions
	if o != nil {
		r = *o
	}
	if r.FrameLimit < 0 || r.HandshakeTimeout < 0 || r.WriteTimeout < 0 || r.Queue < 0 {
		return r, errors.New("peer: DialOptions: limits and timeouts must not be negative (except ReadTimeout)")
	}
	r.Protocol = cmp0(r.Protocol, ProtocolVersion)
	r.FrameLimit = cmp0(r.FrameLimit, DefaultFrameLimit)
	r.HandshakeTimeout = cmp0(r.HandshakeTimeout, 10*time.Second)
	r.WriteTimeout = cmp0(r.WriteTimeout, 30*time.Second)
	r.Queue = cmp0(r.Queue, 16)
	if r.Logger == nil {
		r.Logger = logging.Default()
	}
	return r, nil
}

// Dial connects to a peer server at url (ws://, wss://, http:// or
// https://), authenticates and exchanges hellos. A refused token returns an
// error matching ErrUnauthorized; a version mismatch an *UpgradeError
// (ErrUpgradeRequired). The caller owns the returned Conn and must Close it.
func Dial(ctx context.Context, url string, opts *DialOptions) (Conn, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	hctx, cancel := context.WithTimeout(ctx, o.HandshakeTimeout)
	defer cancel()

	alive := new(atomic.Int64)
	t, err := dialTransport(hctx, url, &o, alive)
	if err != nil {
		return nil, fmt.Errorf("peer: dial %s: %w", url, err)
	}
	h, err := clientHandshake(hctx, t, &o)
	if err != nil {
		_ = t.closeNow()
		if ctx.Err() == nil && hctx.Err() != nil {
			err = fmt.Errorf("handshake timed out: %w", err)
		}
		return nil, fmt.Errorf("peer: dial %s: %w", url, err)
	}

	readTimeout := o.ReadTimeout
	if readTimeout == 0 {
		readTimeout = max(90*time.Second, 3*time.Duration(h.PingMillis)*time.Millisecond)
	}
	if readTimeout < 0 {
		readTimeout = 0
	}
	return newConn(t, connConfig{
		info: Info{
			Principal:  h.Principal,
			RemoteAddr: url,
			Protocol:   h.Protocol,
			NodeFormat: h.NodeFormat,
		},
		log:          o.Logger,
		frameLimit:   o.FrameLimit,
		writeTimeout: o.WriteTimeout,
		queue:        o.Queue,
		readTimeout:  readTimeout,
		alive:        alive,
	}), nil
}

func clientHandshake(ctx context.Context, t transport, o *DialOptions) (hello, error) {
	if o.Token != "" && (o.TokenInMessage || !headersSupported) {
		f, _ := EncodeFrame(mustMsg(TypeAuth, authBody{Token: o.Token}))
		if err := t.write(ctx, f); err != nil {
			return hello{}, err
		}
	}
	f, _ := EncodeFrame(mustMsg(TypeHello, hello{Protocol: o.Protocol, NodeFormat: o.NodeFormat, Ticks: !pingsVisible}))
	if err := t.write(ctx, f); err != nil {
		return hello{}, err
	}
	upgrade := func(reason string) *UpgradeError {
		return &UpgradeError{LocalProtocol: o.Protocol, LocalNodeFormat: o.NodeFormat, Reason: reason}
	}
	m, err := readHandshake(ctx, t)
	if err != nil {
		var ce *CloseError
		if errors.As(err, &ce) && ce.Remote {
			switch ce.Code {
			case ClosePolicyViolation:
				return hello{}, fmt.Errorf("%w: %s", ErrUnauthorized, ce.Reason)
			case CloseUpgradeRequired:
				return hello{}, upgrade(ce.Reason)
			}
		}
		return hello{}, err
	}
	var h hello
	if m.Type != TypeHello || m.Decode(&h) != nil {
		_ = t.close(CloseProtocolError, "expected hello")
		return hello{}, fmt.Errorf("%w: expected hello, got %s", ErrProtocol, m.Type)
	}
	if h.Protocol != o.Protocol || h.NodeFormat != o.NodeFormat {
		e := upgrade("")
		e.RemoteProtocol, e.RemoteNodeFormat = h.Protocol, h.NodeFormat
		_ = t.close(CloseUpgradeRequired, "upgrade required")
		return hello{}, e
	}
	return h, nil
}
