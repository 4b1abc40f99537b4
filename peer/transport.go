package peer

import (
	"context"
	"errors"

	"github.com/coder/websocket"
)

// transport is the seam between the base connection and a WebSocket
// implementation: coder/websocket natively (and, for now, in js builds; a
// thin syscall/js binding can replace it there without touching conn.go).
type transport interface {
	// read returns the next data message; binary is false for text frames.
	// Errors are already classified as *CloseError.
	read(ctx context.Context) (binary bool, p []byte, err error)
	write(ctx context.Context, p []byte) error
	// ping sends a ping and waits for the pong; it needs a concurrent read.
	ping(ctx context.Context) error
	// close sends a close frame and waits (bounded) for the reply.
	close(code int, reason string) error
	// closeNow drops the connection without a close handshake.
	closeNow() error
}

type wsTransport struct{ c *websocket.Conn }

func newWSTransport(c *websocket.Conn, readLimit int64) *wsTransport {
	c.SetReadLimit(readLimit)
	return &wsTransport{c: c}
}

func (t *wsTransport) read(ctx context.Context) (bool, []byte, error) {
	typ, p, err := t.c.Read(ctx)
	if err != nil {
		return false, nil, classify(err)
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

// remoteClose builds the error for a close frame received from the remote
// side, attaching the sentinel the code stands for.
func remoteClose(code int, reason string) *CloseError {
	e := &CloseError{Code: code, Reason: reason, Remote: true}
	switch code {
	case CloseMessageTooBig:
		e.Err = ErrFrameTooLarge
	case CloseInvalidPayload:
		e.Err = ErrMalformedFrame
	case CloseProtocolError, CloseUnsupportedData:
		e.Err = ErrProtocol
	case CloseUpgradeRequired:
		e.Err = ErrUpgradeRequired
	}
	return e
}

// truncReason keeps a close reason within the 123 bytes a close frame allows,
// without splitting a UTF-8 sequence.
func truncReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && s[i]&0xc0 == 0x80 {
		i--
	}
	return s[:i]
}
