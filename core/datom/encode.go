package datom

import (
	"encoding/binary"
	"math"
)

// Limits applied when decoding untrusted bytes.
const (
	// MaxTextLen bounds the length of one encoded string, keyword, symbol,
	// bytes or big number.
	MaxTextLen = 16 << 20
	// MaxTupleLen bounds the number of elements of one tuple.
	MaxTupleLen = 1 << 16
	// maxTupleDepth bounds tuple nesting.
	maxTupleDepth = 8

	canonicalNaN = 0x7ff8000000000001
	negZero      = 1 << 63
)

func appendUvarint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }

// varint and uvarint decode minimal encodings only, so every value has
// exactly one encoding (a non-minimal one ends in a zero byte).
func varint(b []byte) (int64, int) {
	n, m := binary.Varint(b)
	if m > 1 && b[m-1] == 0 {
		return 0, 0
	}
	return n, m
}

func uvarint(b []byte) (uint64, int) {
	n, m := binary.Uvarint(b)
	if m > 1 && b[m-1] == 0 {
		return 0, 0
	}
	return n, m
}

// AppendValue appends the canonical encoding of v to b.
func AppendValue(b []byte, v Value) []byte {
	b = append(b, byte(v.kind))
	switch v.kind {
	case KindNil:
	case KindBool:
		b = append(b, byte(v.num))
	case KindLong, KindInstant:
		b = binary.AppendVarint(b, int64(v.num))
	case KindDouble:
		f := v.AsDouble()
		if f == 0 {
			f = 0 // canonical +0
		}
		bits := math.Float64bits(f)
		if math.IsNaN(f) {
			bits = canonicalNaN
		}
		b = binary.BigEndian.AppendUint64(b, bits)
	case KindUUID:
		b = append(b, v.str...)
	case KindTuple:
		b = binary.AppendUvarint(b, uint64(len(v.AsTuple())))
		for _, e := range v.AsTuple() {
			b = AppendValue(b, e)
		}
	default:
		b = binary.AppendUvarint(b, uint64(len(v.str)))
		b = append(b, v.str...)
	}
	return b
}

// DecodeValue decodes one value from the front of b and returns it with the
// number of bytes read. It returns ErrCorrupt on malformed input.
func DecodeValue(b []byte) (Value, int, error) {
	return decodeValue(b, 0)
}

func decodeValue(b []byte, depth int) (Value, int, error) {
	if len(b) == 0 {
		return Nil, 0, corrupt("value: empty")
	}
	k := Kind(b[0])
	p := 1
	switch k {
	case KindNil:
		return Nil, p, nil
	case KindBool:
		if len(b) < 2 || b[1] > 1 {
			return Nil, 0, corrupt("value: bad boolean")
		}
		return Bool(b[1] == 1), 2, nil
	case KindLong, KindInstant:
		n, m := varint(b[p:])
		if m <= 0 {
			return Nil, 0, corrupt("value: bad varint")
		}
		return Value{kind: k, num: uint64(n)}, p + m, nil
	case KindDouble:
		if len(b) < 9 {
			return Nil, 0, corrupt("value: short double")
		}
		bits := binary.BigEndian.Uint64(b[1:9])
		if f := math.Float64frombits(bits); (math.IsNaN(f) && bits != canonicalNaN) || bits == negZero {
			return Nil, 0, corrupt("value: non-canonical double")
		}
		return Value{kind: k, num: bits}, 9, nil
	case KindUUID:
		if len(b) < 17 {
			return Nil, 0, corrupt("value: short uuid")
		}
		return Value{kind: k, str: string(b[1:17])}, 17, nil
	case KindString, KindKeyword, KindSymbol, KindBytes, KindBigInt, KindBigDec:
		n, m := uvarint(b[p:])
		if m <= 0 || n > MaxTextLen || uint64(len(b)-p-m) < n {
			return Nil, 0, corrupt("value: bad text length")
		}
		p += m
		s := string(b[p : p+int(n)])
		if k == KindBigInt || k == KindBigDec {
			if !validNumberText(s, k == KindBigDec) {
				return Nil, 0, corrupt("value: bad big number")
			}
		}
		return Value{kind: k, str: s}, p + int(n), nil
	case KindTuple:
		if depth >= maxTupleDepth {
			return Nil, 0, corrupt("value: tuple too deep")
		}
		n, m := uvarint(b[p:])
		if m <= 0 || n > MaxTupleLen || n > uint64(len(b)-p-m) {
			return Nil, 0, corrupt("value: bad tuple length")
		}
		p += m
		vs := make([]Value, n)
		for i := range vs {
			v, m, err := decodeValue(b[p:], depth+1)
			if err != nil {
				return Nil, 0, err
			}
			vs[i] = v
			p += m
		}
		return Value{kind: k, tup: &vs}, p, nil
	}
	return Nil, 0, corrupt("value: unknown kind")
}

func validNumberText(s string, dec bool) bool {
	if len(s) == 0 || len(s) > 4096 {
		return false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	digits, dot, exp := 0, false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case dec && c == '.' && !dot && !exp:
			dot = true
		case dec && (c == 'e' || c == 'E') && !exp && digits > 0:
			exp = true
			if i+1 < len(s) && (s[i+1] == '-' || s[i+1] == '+') {
				i++
			}
			digits = 0
		default:
			return false
		}
	}
	return digits > 0
}
