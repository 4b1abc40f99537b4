package peer

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test for them with errors.Is; errors that carry data
// (*CloseError, *UpgradeError, *RemoteError) are read with errors.As.
var (
	// ErrClosed is returned by Send and Recv, and reported by Err, once the
	// connection has ended for any reason. The concrete error is a
	// *CloseError that says who closed it and why.
	ErrClosed = errors.New("peer: connection closed")

	// ErrUpgradeRequired is returned by Dial (and reported by Client) when
	// the two sides speak different protocol or node-format versions. The
	// concrete error is an *UpgradeError. Retrying does not help.
	ErrUpgradeRequired = errors.New("peer: upgrade required")

	// ErrUnauthorized is returned by Dial (and reported by Client) when the
	// server refused the token, or none was given and the server is not in
	// dev mode. Retrying with the same token does not help.
	ErrUnauthorized = errors.New("peer: unauthorized")

	// ErrFrameTooLarge is returned by Send when an encoded frame exceeds the
	// frame limit, and wraps the close error when the remote side (or this
	// side) closed the connection because a received frame exceeded it.
	ErrFrameTooLarge = errors.New("peer: frame too large")

	// ErrMalformedFrame is returned by DecodeFrame and Msg.Decode for bytes
	// that are not a valid frame or body, and wraps the close error when a
	// connection was closed because of one.
	ErrMalformedFrame = errors.New("peer: malformed frame")

	// ErrProtocol wraps the close error when a peer broke the handshake or
	// message rules (a text frame, a second hello, a handshake timeout).
	ErrProtocol = errors.New("peer: protocol violation")

	// ErrUnresponsive wraps the close error when the remote side stopped
	// answering pings, the client's read deadline passed, or a write stalled
	// for longer than the write timeout.
	ErrUnresponsive = errors.New("peer: remote unresponsive")
)

// WebSocket close codes used by this package. Codes below 4000 are the
// standard ones (RFC 6455 §7.4.1); 4000–4999 are private to Cairn.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseUnsupportedData = 1003
	CloseAbnormal        = 1006 // never sent; reported when no close frame arrived
	CloseInvalidPayload  = 1007
	ClosePolicyViolation = 1008
	CloseMessageTooBig   = 1009
	CloseInternalError   = 1011
	// CloseUpgradeRequired is sent when the hello versions do not match.
	CloseUpgradeRequired = 4001
)

// CloseError describes how a connection ended. It matches ErrClosed with
// errors.Is, and also the sentinel in Err when there is one (for example
// ErrUnresponsive or ErrFrameTooLarge).
type CloseError struct {
	// Code is the WebSocket close code: the one received from the remote
	// side when Remote is true, the one sent otherwise. CloseAbnormal means
	// the transport failed without a close frame.
	Code int
	// Reason is the close reason text (at most 123 bytes on the wire).
	Reason string
	// Remote is true when the remote side closed the connection or the
	// transport failed; false when this side decided to close it.
	Remote bool
	// Err is the cause, if any: a sentinel of this package or a transport
	// error.
	Err error
}

func (e *CloseError) Error() string {
	side := "locally"
	if e.Remote {
		side = "by remote"
	}
	s := fmt.Sprintf("peer: connection closed %s (code %d", side, e.Code)
	if e.Reason != "" {
		s += ", " + e.Reason
	}
	s += ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrClosed and the cause.
func (e *CloseError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrClosed}
	}
	return []error{ErrClosed, e.Err}
}

// UpgradeError is returned when the hello versions differ. It matches
// ErrUpgradeRequired. Remote values are zero when the server closed the
// connection before its hello arrived.
type UpgradeError struct {
	LocalProtocol, RemoteProtocol     int
	LocalNodeFormat, RemoteNodeFormat int
	// Reason is the close reason sent by the remote side, if any.
	Reason string
}

func (e *UpgradeError) Error() string {
	if e.RemoteProtocol == 0 && e.RemoteNodeFormat == 0 {
		return fmt.Sprintf("peer: upgrade required: local protocol %d node-format %d: %s",
			e.LocalProtocol, e.LocalNodeFormat, e.Reason)
	}
	return fmt.Sprintf("peer: upgrade required: local protocol %d node-format %d, remote protocol %d node-format %d",
		e.LocalProtocol, e.LocalNodeFormat, e.RemoteProtocol, e.RemoteNodeFormat)
}

// Is reports whether target is ErrUpgradeRequired.
func (e *UpgradeError) Is(target error) bool { return target == ErrUpgradeRequired }

// RemoteError is the body of a TypeError message: the remote side's report
// that it could not handle a message this side sent. Decode one with
// AsRemoteError.
type RemoteError struct {
	// Code is a short machine-readable kind, e.g. CodeUnknownType.
	Code string `msgpack:"code"`
	// Message is for humans.
	Message string `msgpack:"message"`
	// Type is the type of the message that caused the error, if any.
	Type string `msgpack:"type,omitempty"`
}

// Codes carried in RemoteError.Code.
const (
	// CodeUnknownType: no layer on the remote stack handles the message type.
	CodeUnknownType = "unknown-type"
)

func (e *RemoteError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("peer: remote error %s for %q: %s", e.Code, e.Type, e.Message)
	}
	return fmt.Sprintf("peer: remote error %s: %s", e.Code, e.Message)
}
