package datom

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-db/cairn/core/edn"
)

// Kind is the kind of a Value.
type Kind uint8

// The value kinds. Their numeric order is not the sort order; see Compare.
const (
	KindNil Kind = iota
	KindBool
	KindLong
	KindDouble
	KindBigInt
	KindBigDec
	KindInstant
	KindString
	KindKeyword
	KindSymbol
	KindUUID
	KindBytes
	KindTuple
	numKinds
)

var kindNames = [...]string{"nil", "boolean", "long", "double", "bigint", "bigdec", "instant",
	"string", "keyword", "symbol", "uuid", "bytes", "tuple"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// class is the rank of a kind in the cross-kind order.
func (k Kind) class() int {
	switch k {
	case KindNil:
		return 0
	case KindBool:
		return 1
	case KindLong, KindDouble, KindBigInt, KindBigDec:
		return 2
	case KindInstant:
		return 3
	case KindString:
		return 4
	case KindKeyword:
		return 5
	case KindSymbol:
		return 6
	case KindUUID:
		return 7
	case KindBytes:
		return 8
	default:
		return 9
	}
}

// IsNumber reports whether k is one of the numeric kinds.
func (k Kind) IsNumber() bool { return k.class() == 2 }

// Value is one immutable value of a datom. The zero Value is nil.
type Value struct {
	kind Kind
	num  uint64   // bool (0/1), long, instant (ms since epoch), double bits
	str  string   // string, keyword, symbol, bytes, uuid (16 raw bytes), bigint/bigdec text
	tup  *[]Value // tuple elements (a pointer keeps Value, and so every datom, small)
}

// Nil is the nil value.
var Nil = Value{}

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, num: 1}
	}
	return Value{kind: KindBool}
}

// Long returns a 64-bit integer value.
func Long(n int64) Value { return Value{kind: KindLong, num: uint64(n)} }

// Double returns a 64-bit float value.
func Double(f float64) Value { return Value{kind: KindDouble, num: math.Float64bits(f)} }

// BigInt returns an arbitrary precision integer value. Values that fit in
// an int64 are still BigInt kinds (they compare equal to the long).
func BigInt(i edn.BigInt) Value { return Value{kind: KindBigInt, str: i.String()} }

// BigDec returns an arbitrary precision decimal from its decimal text. It
// returns an error when text is not a decimal number.
func BigDec(text string) (Value, error) {
	if !validNumberText(text, true) {
		return Nil, fmt.Errorf("datom: invalid bigdec %q", text)
	}
	return Value{kind: KindBigDec, str: text}, nil
}

// Instant returns an instant value with millisecond precision.
func Instant(t time.Time) Value { return Value{kind: KindInstant, num: uint64(t.UnixMilli())} }

// InstantMillis returns an instant from milliseconds since the Unix epoch.
func InstantMillis(ms int64) Value { return Value{kind: KindInstant, num: uint64(ms)} }

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, str: s} }

// Keyword returns a keyword value from its text without the colon
// ("name", "db/ident").
func Keyword(k string) Value { return Value{kind: KindKeyword, str: k} }

// Symbol returns a symbol value from its text ("foo", "ns/foo").
func Symbol(s string) Value { return Value{kind: KindSymbol, str: s} }

// UUID returns a uuid value.
func UUID(u [16]byte) Value { return Value{kind: KindUUID, str: string(u[:])} }

// Bytes returns a byte-array value (the slice is copied).
func Bytes(b []byte) Value { return Value{kind: KindBytes, str: string(b)} }

// Tuple returns a tuple value (the slice is not copied; do not modify it).
func Tuple(vs []Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{kind: KindTuple, tup: &vs}
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNil reports whether v is nil.
func (v Value) IsNil() bool { return v.kind == KindNil }

// AsBool returns the boolean of a KindBool value.
func (v Value) AsBool() bool { return v.num != 0 }

// AsLong returns the integer of a KindLong value (and the ms of an instant).
func (v Value) AsLong() int64 { return int64(v.num) }

// AsDouble returns the float of a KindDouble value.
func (v Value) AsDouble() float64 { return math.Float64frombits(v.num) }

// AsBigInt returns the integer of a KindBigInt value.
func (v Value) AsBigInt() edn.BigInt {
	i, _ := edn.ParseBigInt(v.str)
	return i
}

// AsTime returns the time of a KindInstant value, in UTC.
func (v Value) AsTime() time.Time { return time.UnixMilli(int64(v.num)).UTC() }

// Text returns the text of string, keyword, symbol, bigint and bigdec
// values, and the raw bytes of bytes and uuid values.
func (v Value) Text() string { return v.str }

// AsUUID returns the uuid of a KindUUID value.
func (v Value) AsUUID() [16]byte {
	var u [16]byte
	copy(u[:], v.str)
	return u
}

// AsTuple returns the elements of a KindTuple value. Do not modify them.
func (v Value) AsTuple() []Value {
	if v.tup == nil {
		return nil
	}
	return *v.tup
}

// Float returns the value of a number as a float64 (ok is false for other
// kinds).
func (v Value) Float() (float64, bool) {
	switch v.kind {
	case KindLong:
		return float64(int64(v.num)), true
	case KindDouble:
		return v.AsDouble(), true
	case KindBigInt, KindBigDec:
		// Correctly rounded (to nearest, ties to even); ±Inf beyond the
		// range of a double.
		f, err := strconv.ParseFloat(v.str, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, true
		}
		return f, true
	}
	return 0, false
}

// Int returns the value of a number as an int64 when it is integral and in
// range.
func (v Value) Int() (int64, bool) {
	switch v.kind {
	case KindLong:
		return int64(v.num), true
	case KindDouble:
		f := v.AsDouble()
		if f == math.Trunc(f) && f >= -9.223372036854775808e18 && f < 9.223372036854775808e18 {
			return int64(f), true
		}
	case KindBigInt:
		if n, err := strconv.ParseInt(v.str, 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// Equal reports whether a and b compare equal (Compare(a, b) == 0).
func (v Value) Equal(o Value) bool {
	if v.kind == o.kind {
		switch v.kind {
		case KindTuple:
			return Compare(v, o) == 0
		case KindDouble:
			return v.AsDouble() == o.AsDouble() || (v.num == o.num)
		case KindBigDec, KindBigInt:
			return Compare(v, o) == 0
		}
		return v.num == o.num && v.str == o.str
	}
	return Compare(v, o) == 0
}

// Compare orders two values: -1, 0 or +1. Kinds of different classes order
// by class; numbers compare numerically across kinds (NaN sorts below every
// other number and equal to itself); texts compare byte-wise; tuples
// element-wise, then by length.
func Compare(a, b Value) int {
	if a.kind == b.kind {
		switch a.kind {
		case KindNil:
			return 0
		case KindBool, KindLong, KindInstant:
			if a.kind == KindBool {
				return cmpU(a.num, b.num)
			}
			return cmpI(int64(a.num), int64(b.num))
		case KindDouble:
			return cmpF(a.AsDouble(), b.AsDouble())
		case KindString, KindKeyword, KindSymbol, KindUUID, KindBytes:
			return strings.Compare(a.str, b.str)
		case KindTuple:
			at, bt := a.AsTuple(), b.AsTuple()
			n := min(len(at), len(bt))
			for i := 0; i < n; i++ {
				if c := Compare(at[i], bt[i]); c != 0 {
					return c
				}
			}
			return cmpI(int64(len(at)), int64(len(bt)))
		}
	}
	ca, cb := a.kind.class(), b.kind.class()
	if ca != cb {
		return cmpI(int64(ca), int64(cb))
	}
	return compareNumbers(a, b)
}

func compareNumbers(a, b Value) int {
	// Fast paths: long vs double.
	if a.kind == KindLong && b.kind == KindDouble {
		return -cmpDoubleLong(b.AsDouble(), int64(a.num))
	}
	if a.kind == KindDouble && b.kind == KindLong {
		return cmpDoubleLong(a.AsDouble(), int64(b.num))
	}
	if a.kind == KindDouble && b.kind == KindDouble {
		return cmpF(a.AsDouble(), b.AsDouble())
	}
	// NaN handling before going exact.
	if a.kind == KindDouble && math.IsNaN(a.AsDouble()) {
		if b.kind == KindDouble && math.IsNaN(b.AsDouble()) {
			return 0
		}
		return -1
	}
	if b.kind == KindDouble && math.IsNaN(b.AsDouble()) {
		return 1
	}
	ea, oka := exactOf(a)
	eb, okb := exactOf(b)
	if !oka || !okb { // infinities
		fa, _ := a.Float()
		fb, _ := b.Float()
		return cmpF(fa, fb)
	}
	return cmpExact(ea, eb)
}

// cmpDoubleLong compares a double with a long exactly.
func cmpDoubleLong(f float64, n int64) int {
	if math.IsNaN(f) {
		return -1
	}
	if f < -9.223372036854775808e18 {
		return -1
	}
	if f >= 9.223372036854775808e18 {
		return 1
	}
	t := math.Trunc(f)
	ti := int64(t)
	if ti != n {
		return cmpI(ti, n)
	}
	return cmpF(f, t) // fraction decides
}

func cmpI(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func cmpF(a, b float64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	if a == b {
		return 0
	}
	// At least one NaN: NaN sorts first.
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	default:
		return 1
	}
}

// HashKey returns a string that is equal for two values exactly when they
// compare equal; query joins hash on it. Integral numbers normalise to the
// long encoding.
func (v Value) HashKey() string {
	switch v.kind {
	case KindLong:
		return string(AppendValue(nil, v))
	case KindDouble, KindBigInt, KindBigDec:
		if i, ok := v.Int(); ok {
			return string(AppendValue(nil, Long(i)))
		}
		if v.kind == KindDouble {
			return string(AppendValue(nil, v))
		}
		f, _ := v.Float()
		if e, ok := exactOf(v); ok {
			if fe, ok := exactOf(Double(f)); ok && fe == e {
				return string(AppendValue(nil, Double(f)))
			}
			return "\xffr" + e.key()
		}
		return string(AppendValue(nil, Double(f)))
	case KindTuple:
		b := []byte{byte(KindTuple)}
		for _, e := range v.AsTuple() {
			k := e.HashKey()
			b = appendUvarint(b, uint64(len(k)))
			b = append(b, k...)
		}
		return string(b)
	}
	return string(AppendValue(nil, v))
}

// GoString prints the value for debugging.
func (v Value) GoString() string { return v.String() }

// String prints the value in EDN-like form for messages and debugging.
func (v Value) String() string {
	switch v.kind {
	case KindNil:
		return "nil"
	case KindBool:
		return strconv.FormatBool(v.AsBool())
	case KindLong:
		return strconv.FormatInt(v.AsLong(), 10)
	case KindDouble:
		return strconv.FormatFloat(v.AsDouble(), 'g', -1, 64)
	case KindBigInt:
		return v.str + "N"
	case KindBigDec:
		return v.str + "M"
	case KindInstant:
		return `#inst "` + v.AsTime().Format("2006-01-02T15:04:05.000-07:00") + `"`
	case KindString:
		return strconv.Quote(v.str)
	case KindKeyword:
		return ":" + v.str
	case KindSymbol:
		return v.str
	case KindUUID:
		u := v.AsUUID()
		return fmt.Sprintf(`#uuid "%x-%x-%x-%x-%x"`, u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
	case KindBytes:
		return fmt.Sprintf("#bytes %q", v.str)
	case KindTuple:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range v.AsTuple() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(e.String())
		}
		b.WriteByte(']')
		return b.String()
	}
	return "?"
}
