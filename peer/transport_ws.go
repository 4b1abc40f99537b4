//go:build !js

package peer

import (
	"bytes"
	"context"
	"errors"

	"github.com/coder/websocket"
)

// wsTransport is the native transport: a coder/websocket connection.
type wsTransport struct {
	c *websocket.Conn
	// buf is reused by read (one reader goroutine per connection): frames
	// are read into it and copied out once at their exact size, instead of
	// growing a fresh buffer for every frame.
	buf bytes.Buffer
}

func newWSTransport(c *websocket.Conn, readLimit int64) *wsTransport {
	c.SetReadLimit(readLimit)
	return &wsTransport{c: c}
}

func (t *wsTransport) read(ctx context.Context) (bool, []byte, error) {
	typ, r, err := t.c.Reader(ctx)
	if err != nil {
		return false, nil, classify(err)
	}
	t.buf.Reset()
	if _, err := t.buf.ReadFrom(r); err != nil {
		return false, nil, classify(err)
	}
	p := make([]byte, t.buf.Len())
	copy(p, t.buf.Bytes())
	if t.buf.Cap() > 8<<20 {
		t.buf = bytes.Buffer{} // do not keep a huge frame's buffer forever
	}
	return typ == websocket.MessageBinary, p, nil
}

func (t *wsTransport) write(ctx context.Context, p []byte) error {
	return t.c.Write(ctx, websocket.MessageBinary, p)
}

func (t *wsTransport) ping(ctx context.Context) error { return t.c.Ping(ctx) }

func (t *wsTransport) close(code int, reason string) error {
	return t.c.Close(websocket.StatusCode(code), truncReason(reason))
}

func (t *wsTransport) closeNow() error { return t.c.CloseNow() }

// classify turns a coder/websocket read error into a *CloseError.
func classify(err error) *CloseError {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return remoteClose(int(ce.Code), ce.Reason)
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// coder/websocket has already sent 1009 with its own reason.
		return &CloseError{Code: CloseMessageTooBig, Reason: "frame exceeds read limit", Err: ErrFrameTooLarge}
	}
	return &CloseError{Code: CloseAbnormal, Remote: true, Err: err}
}
