package edn

import (
	"hash/maphash"
	"math"
	"time"
)

// maxValueDepth bounds the recursion of Equal, Hash and the printers over
// values built in Go, which may be cyclic. Read never produces values
// deeper than ReadOptions.MaxDepth.
const maxValueDepth = 100_000

// Equal reports whether a and b are the same EDN value:
//
//   - a List equals a Vector with Equal elements (as in Clojure);
//   - maps and sets are equal when they hold the same entries or elements,
//     whatever their order;
//   - integers (int64, BigInt, and Go's other integer types) are equal
//     when their values are; an integer never equals a float64 or a BigDec,
//     and a float64 never equals a BigDec;
//   - float64: -0.0 equals 0.0 and NaN equals NaN, so that every value
//     equals itself and can be a map key or set member;
//   - time.Time values are equal when they denote the same instant;
//   - []any is treated as a Vector, float32 as float64.
//
// Values of types with no EDN meaning are equal to nothing.
func Equal(a, b any) bool {
	return equal(a, b, 0)
}

func equal(a, b any, depth int) bool {
	// Fast path for the common map key.
	if ka, ok := a.(Keyword); ok {
		kb, ok := b.(Keyword)
		return ok && ka == kb
	}
	if depth > maxValueDepth {
		return false
	}
	a, b = norm(a), norm(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case BigInt:
			return y.IsInt64() && y.Int64() == x
		}
		return false
	case BigInt:
		switch y := b.(type) {
		case int64:
			return x.IsInt64() && x.Int64() == y
		case BigInt:
			return x.String() == y.String()
		}
		return false
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || x != x && y != y)
	case BigDec:
		y, ok := b.(BigDec)
		if !ok {
			return false
		}
		if x.Text == y.Text {
			return true
		}
		dx, dy := normDec(x.Text), normDec(y.Text)
		return dx == dy
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Symbol:
		y, ok := b.(Symbol)
		return ok && x == y
	case Char:
		y, ok := b.(Char)
		return ok && x == y
	case UUID:
		y, ok := b.(UUID)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case List:
		return equalSeq(x, b, depth)
	case Vector:
		return equalSeq(x, b, depth)
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == y {
			return true
		}
		for _, e := range x.entries() {
			h := uint64(0)
			if y.Len() > linearMax {
				h = hash(e.Key, depth+1)
			}
			i := y.find(e.Key, h)
			if i < 0 || !equal(e.Val, y.Entries[i].Val, depth+1) {
				return false
			}
		}
		return true
	case *Set:
		y, ok := b.(*Set)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == y {
			return true
		}
		for _, e := range x.elems() {
			h := uint64(0)
			if y.Len() > linearMax {
				h = hash(e, depth+1)
			}
			if y.find(e, h) < 0 {
				return false
			}
		}
		return true
	case Tagged:
		y, ok := b.(Tagged)
		return ok && x.Tag == y.Tag && equal(x.Value, y.Value, depth+1)
	}
	return false
}

func equalSeq(x []any, b any, depth int) bool {
	var y []any
	switch t := b.(type) {
	case List:
		y = t
	case Vector:
		y = t
	default:
		return false
	}
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !equal(x[i], y[i], depth+1) {
			return false
		}
	}
	return true
}

// norm maps the plain Go values this package accepts onto the EDN types:
// sized integers to int64 (or BigInt), float32 to float64, []any to
// Vector, and typed nil pointers to nil.
func norm(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		return normUint(uint64(x))
	case uint64:
		return normUint(x)
	case float32:
		return float64(x)
	case []any:
		return Vector(x)
	}
	return v
}

func normUint(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return BigIntFromUint64(u)
}

var seed = maphash.MakeSeed()

// Hash returns a hash of v consistent with Equal: Equal(a, b) implies
// Hash(a) == Hash(b). It is seeded per process, so it must not be stored
// or sent anywhere; use KeyOf for a stable key.
func Hash(v any) uint64 {
	return hash(v, 0)
}

// Type tags keep equal payloads of different kinds apart.
const (
	hNil uint64 = iota + 1
	hFalse
	hTrue
	hInt
	hBigInt
	hFloat
	hDec
	hString
	hKeyword
	hSymbol
	hChar
	hUUID
	hTime
	hSeq
	hMap
	hSet
	hTagged
	hOther
)

func fmix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func combine(h, x uint64) uint64 {
	return fmix(h ^ (x + 0x9e3779b97f4a7c15 + h<<6 + h>>2))
}

func hashString(s string) uint64 { return maphash.String(seed, s) }

func hash(v any, depth int) uint64 {
	if depth > maxValueDepth {
		return hOther
	}
	switch x := norm(v).(type) {
	case nil:
		return hNil
	case bool:
		if x {
			return hTrue
		}
		return hFalse
	case int64:
		return combine(hInt, uint64(x))
	case BigInt:
		if x.IsInt64() {
			return combine(hInt, uint64(x.Int64()))
		}
		return combine(hBigInt, hashString(x.String()))
	case float64:
		if x == 0 {
			x = 0 // -0.0 == 0.0
		}
		if x != x {
			return combine(hFloat, 0x7ff8000000000001)
		}
		return combine(hFloat, math.Float64bits(x))
	case BigDec:
		d := normDec(x.Text)
		h := combine(hDec, hashString(d.digits))
		if d.neg {
			h = ^h
		}
		return combine(h, uint64(d.exp))
	case string:
		return combine(hString, hashString(x))
	case Keyword:
		return combine(combine(hKeyword, hashString(x.NS)), hashString(x.Name))
	case Symbol:
		return combine(combine(hSymbol, hashString(x.NS)), hashString(x.Name))
	case Char:
		return combine(hChar, uint64(x))
	case UUID:
		return combine(hUUID, hashString(string(x[:])))
	case time.Time:
		return combine(combine(hTime, uint64(x.Unix())), uint64(x.Nanosecond()))
	case List:
		return hashSeq(x, depth)
	case Vector:
		return hashSeq(x, depth)
	case *Map:
		// Order-independent: a sum of per-entry hashes.
		var sum uint64
		for _, e := range x.entries() {
			sum += fmix(combine(hash(e.Key, depth+1), hash(e.Val, depth+1)))
		}
		return combine(hMap, sum)
	case *Set:
		var sum uint64
		for _, e := range x.elems() {
			sum += fmix(hash(e, depth+1))
		}
		return combine(hSet, sum)
	case Tagged:
		h := combine(combine(hTagged, hashString(x.Tag.NS)), hashString(x.Tag.Name))
		return combine(h, hash(x.Value, depth+1))
	}
	return hOther
}

func hashSeq(x []any, depth int) uint64 {
	h := uint64(hSeq)
	for _, e := range x {
		h = combine(h, hash(e, depth+1))
	}
	return h
}

func (m *Map) entries() []MapEntry {
	if m == nil {
		return nil
	}
	return m.Entries
}

func (s *Set) elems() []any {
	if s == nil {
		return nil
	}
	return s.Elems
}

// decimal is a BigDec value in normal form: the value is
// (-1)^neg * digits * 10^exp, where digits has no leading or trailing
// zeros. Zero is digits "" (and never negative).
type decimal struct {
	neg    bool
	digits string
	exp    int64
}

// normDec normalizes the text of a BigDec. Text that is not a decimal
// literal (possible only for values built in Go) normalizes to itself, so
// it still equals only the same text.
func normDec(s string) decimal {
	bad := decimal{digits: "?" + s}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fs:i]
	}
	if intPart == "" {
		return bad
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		es := i
		for i < len(s) && isDigit(s[i]) {
			if i-es >= 12 {
				return bad
			}
			exp = exp*10 + int64(s[i]-'0')
			i++
		}
		if i == es {
			return bad
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return bad
	}
	digits := intPart + fracPart
	exp -= int64(len(fracPart))
	j := 0
	for j < len(digits) && digits[j] == '0' {
		j++
	}
	digits = digits[j:]
	k := len(digits)
	for k > 0 && digits[k-1] == '0' {
		k--
	}
	exp += int64(len(digits) - k)
	digits = digits[:k]
	if digits == "" {
		return decimal{}
	}
	return decimal{neg: neg, digits: digits, exp: exp}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
