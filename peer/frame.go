package peer

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Frame limits.
const (
	// DefaultFrameLimit is the default maximum size of one frame, enforced
	// as the WebSocket read limit on receive and checked on Send.
	DefaultFrameLimit = 4 << 20
	// MaxTypeLen is the maximum length of a message type.
	MaxTypeLen = 64
	// MaxDepth is the maximum nesting of arrays and maps in a body.
	MaxDepth = 64
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
	Body msgpack.RawMessage

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
// encoded as msgpack nil.
func NewMsg(typ string, body any) (Msg, error) {
	if err := checkType(typ); err != nil {
		return Msg{}, err
	}
	if raw, ok := body.(msgpack.RawMessage); ok {
		return Msg{Type: typ, Body: raw}, nil
	}
	b, err := msgpack.Marshal(body)
	if err != nil {
		return Msg{}, fmt.Errorf("peer: encode %s body: %w", typ, err)
	}
	return Msg{Type: typ, Body: b}, nil
}

// Decode decodes the body into v. Errors wrap ErrMalformedFrame.
func (m Msg) Decode(v any) error {
	body := m.Body
	if len(body) == 0 {
		body = []byte{0xc0}
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
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
	used, err := skipValue(body, 0)
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

type frameError string

func (e frameError) Error() string { return string(e) }

const (
	errTruncated = frameError("truncated")
	errTooDeep   = frameError("nested too deeply")
	errBadCode   = frameError("invalid msgpack code 0xc1")
)

// skipValue returns the length of the msgpack value at the start of b. Every
// length prefix is checked against the bytes that remain before anything is
// looped over, and nesting is limited to MaxDepth, so the walk is linear in
// len(b) and its recursion bounded.
func skipValue(b []byte, depth int) (int, error) {
	if len(b) == 0 {
		return 0, errTruncated
	}
	c := b[0]
	switch {
	case c <= 0x7f || c >= 0xe0: // positive and negative fixint
		return 1, nil
	case c <= 0x8f: // fixmap
		return skipContainer(b, 1, int(c&0x0f)*2, depth)
	case c <= 0x9f: // fixarray
		return skipContainer(b, 1, int(c&0x0f), depth)
	case c <= 0xbf: // fixstr
		return skipBytes(b, 1, int(c&0x1f))
	}
	switch c {
	case 0xc0, 0xc2, 0xc3: // nil, false, true
		return 1, nil
	case 0xc1:
		return 0, errBadCode
	case 0xc4, 0xd9: // bin8, str8
		n, err := length(b, 1)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 2, n)
	case 0xc5, 0xda: // bin16, str16
		n, err := length(b, 2)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 3, n)
	case 0xc6, 0xdb: // bin32, str32
		n, err := length(b, 4)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 5, n)
	case 0xc7: // ext8: len, type, data
		n, err := length(b, 1)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 3, n)
	case 0xc8: // ext16
		n, err := length(b, 2)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 4, n)
	case 0xc9: // ext32
		n, err := length(b, 4)
		if err != nil {
			return 0, err
		}
		return skipBytes(b, 6, n)
	case 0xca, 0xce, 0xd2: // float32, uint32, int32
		return skipBytes(b, 1, 4)
	case 0xcb, 0xcf, 0xd3: // float64, uint64, int64
		return skipBytes(b, 1, 8)
	case 0xcc, 0xd0: // uint8, int8
		return skipBytes(b, 1, 1)
	case 0xcd, 0xd1: // uint16, int16
		return skipBytes(b, 1, 2)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16: type + data
		return skipBytes(b, 2, 1<<(c-0xd4))
	case 0xdc: // array16
		n, err := length(b, 2)
		if err != nil {
			return 0, err
		}
		return skipContainer(b, 3, n, depth)
	case 0xdd: // array32
		n, err := length(b, 4)
		if err != nil {
			return 0, err
		}
		return skipContainer(b, 5, n, depth)
	case 0xde: // map16
		n, err := length(b, 2)
		if err != nil {
			return 0, err
		}
		return skipContainer(b, 3, 2*n, depth)
	case 0xdf: // map32
		n, err := length(b, 4)
		if err != nil {
			return 0, err
		}
		return skipContainer(b, 5, 2*n, depth)
	}
	return 0, errBadCode // unreachable: every byte value is covered above
}

// length reads a big-endian length of size bytes after the code byte.
func length(b []byte, size int) (int, error) {
	if len(b) < 1+size {
		return 0, errTruncated
	}
	switch size {
	case 1:
		return int(b[1]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b[1:])), nil
	default:
		n := binary.BigEndian.Uint32(b[1:])
		if uint64(n) > uint64(len(b)) {
			return 0, errTruncated
		}
		return int(n), nil
	}
}

// skipBytes checks that head+n bytes are present.
func skipBytes(b []byte, head, n int) (int, error) {
	if n < 0 || head > len(b) || n > len(b)-head {
		return 0, errTruncated
	}
	return head + n, nil
}

// skipContainer skips n values after a head of the given size. Each value
// takes at least one byte, so n larger than what remains is rejected before
// the loop.
func skipContainer(b []byte, head, n, depth int) (int, error) {
	if depth >= MaxDepth {
		return 0, errTooDeep
	}
	if head > len(b) || n > len(b)-head {
		return 0, errTruncated
	}
	off := head
	for range n {
		used, err := skipValue(b[off:], depth+1)
		if err != nil {
			return 0, err
		}
		off += used
	}
	return off, nil
}
