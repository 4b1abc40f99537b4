package peer

import "context"

// transport is the seam between the base connection and a WebSocket
// implementation: coder/websocket natively (transport_ws.go), and in
// GOOS=js builds a thin syscall/js binding to the browser's WebSocket
// (transport_js.go), which keeps net/http and crypto/tls out of the wasm.
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
