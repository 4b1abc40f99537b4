package mpack

import (
	"errors"
	"fmt"
	"math"
)

// MaxDepth is the deepest nesting of arrays and maps Skip and Raw accept.
const MaxDepth = 64

// Errors of the Reader. Every decoding error wraps ErrMalformed.
var (
	ErrMalformed = errors.New("mpack: malformed msgpack")
	errTruncated = fmt.Errorf("%w: truncated", ErrMalformed)
	errTooDeep   = fmt.Errorf("%w: nested too deeply", ErrMalformed)
	errBadCode   = fmt.Errorf("%w: invalid code 0xc1", ErrMalformed)
)

// Reader reads msgpack values from a byte slice. Its methods never panic;
// on malformed input they return an error wrapping ErrMalformed.
type Reader struct {
	b []byte
	p int
}

// NewReader returns a Reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Len is the number of bytes not read yet.
func (r *Reader) Len() int { return len(r.b) - r.p }

// End fails unless every byte has been read.
func (r *Reader) End() error {
	if r.p != len(r.b) {
		return fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(r.b)-r.p)
	}
	return nil
}

func wrongType(c byte, want string) error {
	return fmt.Errorf("%w: code 0x%02x where %s was expected", ErrMalformed, c, want)
}

func (r *Reader) code() (byte, error) {
	if r.p >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.p]
	r.p++
	return c, nil
}

// IsNil reports whether the next value is nil, without reading it.
func (r *Reader) IsNil() bool { return r.p < len(r.b) && r.b[r.p] == codeNil }

// n reads an n-byte big-endian unsigned integer.
func (r *Reader) n(size int) (uint64, error) {
	if size > len(r.b)-r.p {
		return 0, errTruncated
	}
	var x uint64
	for _, c := range r.b[r.p : r.p+size] {
		x = x<<8 | uint64(c)
	}
	r.p += size
	return x, nil
}

// take returns the next n bytes, a sub-slice of the input.
func (r *Reader) take(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.p) {
		return nil, errTruncated
	}
	s := r.b[r.p : r.p+int(n) : r.p+int(n)]
	r.p += int(n)
	return s, nil
}

// Nil reads a nil.
func (r *Reader) Nil() error {
	c, err := r.code()
	if err == nil && c != codeNil {
		err = wrongType(c, "nil")
	}
	return err
}

// Bool reads a boolean; nil reads as false.
func (r *Reader) Bool() (bool, error) {
	c, err := r.code()
	if err != nil {
		return false, err
	}
	switch c {
	case codeNil, codeFalse:
		return false, nil
	case codeTrue:
		return true, nil
	}
	return false, wrongType(c, "a boolean")
}

// integer reads any integer form; neg reports a negative value, in which
// case x holds it as an int64's bits. nil reads as 0.
func (r *Reader) integer() (x uint64, neg bool, err error) {
	c, err := r.code()
	if err != nil {
		return 0, false, err
	}
	switch {
	case c <= 0x7f:
		return uint64(c), false, nil
	case c >= 0xe0:
		return uint64(int64(int8(c))), true, nil
	case c == codeNil:
		return 0, false, nil
	case c >= codeUint8 && c <= codeUint64:
		x, err = r.n(1 << (c - codeUint8))
		return x, false, err
	case c >= codeInt8 && c <= codeInt64:
		size := 1 << (c - codeInt8)
		x, err = r.n(size)
		if err != nil {
			return 0, false, err
		}
		shift := uint(64 - 8*size) // sign-extend
		v := int64(x<<shift) >> shift
		return uint64(v), v < 0, nil
	}
	return 0, false, wrongType(c, "an integer")
}

// Int64 reads an integer that fits in an int64; nil reads as 0.
func (r *Reader) Int64() (int64, error) {
	x, neg, err := r.integer()
	if err != nil {
		return 0, err
	}
	if !neg && x > math.MaxInt64 {
		return 0, fmt.Errorf("%w: integer %d overflows int64", ErrMalformed, x)
	}
	return int64(x), nil
}

// Int reads an integer that fits in an int; nil reads as 0.
func (r *Reader) Int() (int, error) {
	x, err := r.Int64()
	if err != nil {
		return 0, err
	}
	if int64(int(x)) != x {
		return 0, fmt.Errorf("%w: integer %d overflows int", ErrMalformed, x)
	}
	return int(x), nil
}

// Uint64 reads a non-negative integer; nil reads as 0.
func (r *Reader) Uint64() (uint64, error) {
	x, neg, err := r.integer()
	if err != nil {
		return 0, err
	}
	if neg {
		return 0, fmt.Errorf("%w: negative integer %d for an unsigned field", ErrMalformed, int64(x))
	}
	return x, nil
}

// strLen reads the header of a string or binary: its length, or -1 for
// nil.
func (r *Reader) strLen() (int64, error) {
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c >= 0xa0 && c <= 0xbf:
		return int64(c & 0x1f), nil
	case c == codeNil:
		return -1, nil
	case c == codeStr8 || c == codeBin8:
		n, err = r.n(1)
	case c == codeStr16 || c == codeBin16:
		n, err = r.n(2)
	case c == codeStr32 || c == codeBin32:
		n, err = r.n(4)
	default:
		return 0, wrongType(c, "a string or binary")
	}
	return int64(n), err
}

// bytes reads a string or binary as a sub-slice of the input, nil for nil.
func (r *Reader) bytes() ([]byte, error) {
	n, err := r.strLen()
	if err != nil || n < 0 {
		return nil, err
	}
	return r.take(uint64(n))
}

// String reads a string (or binary); nil reads as "".
func (r *Reader) String() (string, error) {
	s, err := r.bytes()
	return string(s), err
}

// Bytes reads a binary (or string) into a new slice; nil reads as nil, an
// empty value as an empty non-nil slice.
func (r *Reader) Bytes() ([]byte, error) {
	s, err := r.bytes()
	if err != nil || s == nil {
		return nil, err
	}
	return append([]byte{}, s...), nil
}

// BytesView reads a binary (or string) as a sub-slice of the input
// (capacity capped), without copying; nil reads as nil. The caller must
// not modify the input while the view is in use.
func (r *Reader) BytesView() ([]byte, error) { return r.bytes() }

// containerLen reads a header of the kind base (0x90 array, 0x80 map): the
// number of values it holds (twice the pairs of a map), or -1 for nil. A
// count larger than the bytes that remain is an error, since every value
// takes at least one byte.
func (r *Reader) containerLen(isMap bool) (int, error) {
	c, err := r.code()
	if err != nil {
		return 0, err
	}
	var n uint64
	fix, c16, c32, what := byte(0x90), byte(codeArray16), byte(codeArray32), "an array"
	if isMap {
		fix, c16, c32, what = 0x80, codeMap16, codeMap32, "a map"
	}
	switch {
	case c == codeNil:
		return -1, nil
	case c&0xf0 == fix:
		n = uint64(c & 0x0f)
	case c == c16:
		n, err = r.n(2)
	case c == c32:
		n, err = r.n(4)
	default:
		return 0, wrongType(c, what)
	}
	if err != nil {
		return 0, err
	}
	values := n
	if isMap {
		values = 2 * n
	}
	if values > uint64(len(r.b)-r.p) {
		return 0, errTruncated
	}
	return int(n), nil
}

// ArrayLen reads an array header: the number of elements, -1 for nil.
func (r *Reader) ArrayLen() (int, error) { return r.containerLen(false) }

// MapLen reads a map header: the number of pairs, -1 for nil.
func (r *Reader) MapLen() (int, error) { return r.containerLen(true) }

// ErrUnknownField is what a Struct callback returns for a key it does not
// know: Struct then skips the value.
var ErrUnknownField = errors.New("mpack: unknown field")

// Struct reads a map keyed by strings (or nil, which has no fields) and
// calls field for each key with the reader at its value; field reads the
// value, or returns ErrUnknownField and Struct skips it. A known key that
// occurs twice is an error (vmihailenco/msgpack would merge the two values
// into one field).
func (r *Reader) Struct(field func(r *Reader, key string) error) error {
	n, err := r.MapLen()
	if err != nil {
		return err
	}
	var seenBuf [8]string
	seen := seenBuf[:0]
	for range n {
		kb, err := r.bytes()
		if err != nil {
			return err
		}
		k := string(kb)
		switch err := field(r, k); err {
		case nil:
			for _, s := range seen {
				if s == k {
					return fmt.Errorf("%w: field %q occurs twice", ErrMalformed, k)
				}
			}
			seen = append(seen, k)
		case ErrUnknownField:
			if err := r.Skip(); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// Field reads a struct of one field, name, whose value read reads; other
// keys are skipped (Struct).
func (r *Reader) Field(name string, read func(r *Reader) error) error {
	return r.Struct(func(r *Reader, key string) error {
		if key != name {
			return ErrUnknownField
		}
		return read(r)
	})
}

// BytesList reads an array of binaries; nil reads as nil.
func (r *Reader) BytesList() ([][]byte, error) { return r.bytesList((*Reader).Bytes) }

// BytesListView is BytesList with each element a view of the input (see
// BytesView).
func (r *Reader) BytesListView() ([][]byte, error) { return r.bytesList((*Reader).BytesView) }

func (r *Reader) bytesList(elem func(*Reader) ([]byte, error)) ([][]byte, error) {
	n, err := r.ArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([][]byte, n)
	for i := range out {
		if out[i], err = elem(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Strings reads an array of strings; nil reads as nil.
func (r *Reader) Strings() ([]string, error) {
	n, err := r.ArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = r.String(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StringInt64Map reads a map of strings to integers; nil reads as nil.
func (r *Reader) StringInt64Map() (map[string]int64, error) {
	n, err := r.MapLen()
	if err != nil || n < 0 {
		return nil, err
	}
	m := make(map[string]int64, n)
	for range n {
		k, err := r.String()
		if err != nil {
			return nil, err
		}
		if m[k], err = r.Int64(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Skip reads the next value and drops it.
func (r *Reader) Skip() error {
	n, err := Skip(r.b[r.p:])
	r.p += n
	return err
}

// Raw reads the next value and returns its bytes, a sub-slice of the input.
func (r *Reader) Raw() ([]byte, error) {
	start := r.p
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return r.b[start:r.p:r.p], nil
}

// Skip returns the length of the msgpack value at the start of b (0 with
// an error when it is malformed). Every length prefix is checked against
// the bytes that remain before anything is looped over, and nesting is
// limited to MaxDepth, so the walk is linear in len(b) and its recursion
// bounded.
func Skip(b []byte) (int, error) {
	n, err := skip(b, 0)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func skip(b []byte, depth int) (int, error) {
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
	case codeNil, codeFalse, codeTrue:
		return 1, nil
	case codeBin8, codeStr8:
		return skipBytes(b, 2, length(b, 1))
	case codeBin16, codeStr16:
		return skipBytes(b, 3, length(b, 2))
	case codeBin32, codeStr32:
		return skipBytes(b, 5, length(b, 4))
	case 0xc7: // ext8: len, type, data
		return skipBytes(b, 3, length(b, 1))
	case 0xc8: // ext16
		return skipBytes(b, 4, length(b, 2))
	case 0xc9: // ext32
		return skipBytes(b, 6, length(b, 4))
	case 0xca, codeUint32, codeInt32: // float32, uint32, int32
		return skipBytes(b, 1, 4)
	case 0xcb, codeUint64, codeInt64: // float64, uint64, int64
		return skipBytes(b, 1, 8)
	case codeUint8, codeInt8:
		return skipBytes(b, 1, 1)
	case codeUint16, codeInt16:
		return skipBytes(b, 1, 2)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1, 2, 4, 8, 16: type + data
		return skipBytes(b, 2, 1<<(c-0xd4))
	case codeArray16:
		return skipContainer(b, 3, length(b, 2), depth)
	case codeArray32:
		return skipContainer(b, 5, length(b, 4), depth)
	case codeMap16:
		return skipContainer(b, 3, 2*length(b, 2), depth)
	case codeMap32:
		return skipContainer(b, 5, 2*length(b, 4), depth)
	}
	return 0, errBadCode // 0xc1, the one unused code
}

// length reads a big-endian length of size bytes after the code byte; -1
// when the bytes are missing or the length exceeds the input (either way
// the callers' checks then fail).
func length(b []byte, size int) int {
	if len(b) < 1+size {
		return -1
	}
	var n uint64
	for _, c := range b[1 : 1+size] {
		n = n<<8 | uint64(c)
	}
	if n > uint64(len(b)) {
		return -1
	}
	return int(n)
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
	if n < 0 || head > len(b) || n > len(b)-head {
		return 0, errTruncated
	}
	off := head
	for range n {
		used, err := skip(b[off:], depth+1)
		if err != nil {
			return 0, err
		}
		off += used
	}
	return off, nil
}
