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
	// hint sizes the next frame's buffer from the last frame's size, so
	// a frame is read into memory of about its size without copies.
	hint int
}

func newWSTransport(c *websocket.Conn, readLimit int64) *wsTransport {
	c.SetReadLimit(readLimit)
	return &wsTransport{c: c, hint: 4 << 10}
}

// read returns each frame in a buffer of its own, which the caller may keep
// (a received node batch is stored without another copy).
func (t *wsTransport) read(ctx context.Context) (bool, []byte, error) {
	typ, r, err := t.c.Reader(ctx)
	if err != nil {
		return false, nil, classify(err)
	}
	buf := bytes.NewBuffer(make([]byte, 0, t.hint))
	if _, err := buf.ReadFrom(r); err != nil {
		return false, nil, classify(err)
	}
	p := buf.Bytes()
	// ReadFrom wants bytes.MinRead free to see the end: leave room for
	// that and for some growth, within bounds.
	t.hint = min(max(len(p)+len(p)/8+bytes.MinRead, 4<<10), 4<<20)
	if cap(p)-len(p) > len(p)/4+(4<<10) {
		p = bytes.Clone(p) // do not keep much slack alive with the frame
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
