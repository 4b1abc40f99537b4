package peer

import (
	"fmt"

	"github.com/cairn-db/cairn/peer/mpack"
)

// Frame limits.
const (
	// DefaultFrameLimit is the default maximum size of one frame, enforced
	// as the WebSocket read limit on receive and checked on Send.
	DefaultFrameLimit = 4 << 20
	// MaxTypeLen is the maximum length of a message type.
	MaxTypeLen = 64
	// MaxDepth is the maximum nesting of arrays and maps in a body.
	MaxDepth = mpack.MaxDepth
)

// Types reserved by the base layer. Upper layers use their own prefix
// ("rpc/", "sync/").
const (
	// TypeAuth carries the token when the client cannot send the
	// Authorization header (browsers). First message, client to server.
	TypeAuth = "peer/auth"
	// TypeHello carries protocol and node-format versions, both ways.
	TypeHello = "peer/hello"
	// TypeError carries a RemoteError: the sender could not handle a message.
	// It is delivered to Recv like any other message.
	TypeError = "peer/error"
	// typeTick is a server heartbeat for clients that cannot see WebSocket
	// pings (browsers). The base layer swallows it.
	typeTick = "peer/tick"
)

// Msg is one message: a type naming the layer and kind, and a msgpack body
// the owning layer decodes. A Msg received from a peer has a body that has
// already passed the bounded structural check of DecodeFrame, so Decode
// cannot be made to allocate more than a small multiple of the frame size.
type Msg struct {
	Type string
	Body mpack.Raw

	// frame is the message's wire form when Encoded built it: a message
	// sent to many peers is framed once.
	frame []byte
}

// Encoded returns m with its wire form attached, so that sending it on any
// number of connections copies no bytes. The result must not be modified.
func (m Msg) Encoded() (Msg, error) {
	f, err := EncodeFrame(m)
	if err != nil {
		return Msg{}, err
	}
	m.frame = f
	return m, nil
}

// NewMsg encodes body with msgpack and returns the message. A nil body is
// encoded as msgpack nil; see Marshal for the bodies it takes.
func NewMsg(typ string, body any) (Msg, error) {
	if err := checkType(typ); err != nil {
		return Msg{}, err
	}
	b, err := Marshal(body)
	if err != nil {
		return Msg{}, fmt.Errorf("peer: encode %s body: %w", typ, err)
	}
	return Msg{Type: typ, Body: b}, nil
}

// Marshal returns the msgpack encoding of v: an mpack.Appender (every
// message type of Cairn's layers) writes itself, an mpack.Raw is taken as
// is, and nil, booleans, integers, strings, []byte, []string and struct{}
// are written as vmihailenco/msgpack writes them. Natively any other value
// is encoded by vmihailenco/msgpack; the js/wasm build links no msgpack
// library and refuses it.
func Marshal(v any) ([]byte, error) {
	if b, ok := mpack.AppendBasic(nil, v); ok {
		return b, nil
	}
	return marshalOther(v)
}

// Decode decodes the body into v. Errors wrap ErrMalformedFrame. v is an
// mpack.Decoder (every message type of Cairn's layers), or a pointer to
// a bool, integer, string, []byte, []string or mpack.Raw; natively
// anything else is decoded by vmihailenco/msgpack.
func (m Msg) Decode(v any) error {
	body := m.Body
	if len(body) == 0 {
		body = []byte{0xc0}
	}
	ok, err := mpack.DecodeBasic(body, v)
	if !ok {
		err = unmarshalOther(body, v)
	}
	if err != nil {
		return fmt.Errorf("%w: %s body: %v", ErrMalformedFrame, m.Type, err)
	}
	return nil
}

// AsRemoteError decodes a TypeError message. ok is false for other types or
// an undecodable body.
func AsRemoteError(m Msg) (e *RemoteError, ok bool) {
	if m.Type != TypeError {
		return nil, false
	}
	e = new(RemoteError)
	if m.Decode(e) != nil {
		return nil, false
	}
	return e, true
}

// EncodeFrame returns the wire form of m (see the package doc).
func EncodeFrame(m Msg) ([]byte, error) {
	if err := checkType(m.Type); err != nil {
		return nil, err
	}
	body := m.Body
	if len(body) == 0 {
		body = []byte{0xc0}
	}
	b := make([]byte, 0, 2+len(m.Type)+len(body))
	b = append(b, 0x92, 0xa0|byte(len(m.Type))) // MaxTypeLen < 32: always a fixstr
	b = append(b, m.Type...)
	b = append(b, body...)
	return b, nil
}

// DecodeFrame parses one frame. It never panics and allocates nothing
// proportional to length prefixes: the body is checked structurally (every
// length prefix fits in the remaining bytes, nesting at most MaxDepth, no
// trailing bytes) and returned as a sub-slice of b, which the caller must not
// modify afterwards. Errors wrap ErrMalformedFrame.
func DecodeFrame(b []byte) (Msg, error) {
	if len(b) < 3 {
		return Msg{}, fmt.Errorf("%w: %d bytes is too short", ErrMalformedFrame, len(b))
	}
	if b[0] != 0x92 {
		return Msg{}, fmt.Errorf("%w: want a 2-element array, got code 0x%02x", ErrMalformedFrame, b[0])
	}
	c := b[1]
	if c&0xe0 != 0xa0 {
		return Msg{}, fmt.Errorf("%w: message type must be a short string, got code 0x%02x", ErrMalformedFrame, c)
	}
	n := int(c & 0x1f)
	if 2+n > len(b) {
		return Msg{}, fmt.Errorf("%w: message type truncated", ErrMalformedFrame)
	}
	typ := b[2 : 2+n]
	if err := checkType(string(typ)); err != nil {
		return Msg{}, err
	}
	body := b[2+n:]
	used, err := mpack.Skip(body)
	if err != nil {
		return Msg{}, fmt.Errorf("%w: %s body: %v", ErrMalformedFrame, typ, err)
	}
	if used != len(body) {
		return Msg{}, fmt.Errorf("%w: %s body: %d trailing bytes", ErrMalformedFrame, typ, len(body)-used)
	}
	return Msg{Type: string(typ), Body: body}, nil
}

// checkType accepts 1..MaxTypeLen printable ASCII bytes without spaces, so a
// type is always safe to log.
func checkType(t string) error {
	if len(t) == 0 || len(t) > MaxTypeLen {
		return fmt.Errorf("%w: message type length %d not in 1..%d", ErrMalformedFrame, len(t), MaxTypeLen)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= 0x20 || t[i] >= 0x7f {
			return fmt.Errorf("%w: message type %q has a byte outside printable ASCII", ErrMalformedFrame, t)
		}
	}
	return nil
}
