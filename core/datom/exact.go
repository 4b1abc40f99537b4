package datom

import (
	"math"
	"strconv"
	"strings"
)

// exact is the exact decimal value of a finite number: 0.digits × 10^exp,
// negative when neg. digits has no leading or trailing zeros; zero is the
// empty digits (and never negative). Every long, double, bigint and bigdec
// has exactly one exact form, so numbers compare exactly across kinds and
// the form keys hash joins. (This replaces math/big's Rat, which kept
// math/big in the browser build.)
type exact struct {
	neg    bool
	digits string
	exp    int64
}

// maxDecExp5 mirrors math/big's Rat.SetString, which rejects a bigdec whose
// exponent less its fraction digits exceeds 1e6 in magnitude; such a value
// compared as zero, and still does.
const maxDecExp5 = 1e6

// exactOf returns the exact value of a number; ok is false for infinities,
// NaN and values that are not numbers.
func exactOf(v Value) (e exact, ok bool) {
	switch v.kind {
	case KindLong:
		return exactInt(strconv.FormatInt(int64(v.num), 10)), true
	case KindDouble:
		f := v.AsDouble()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return exact{}, false
		}
		return exactFloat(f), true
	case KindBigInt:
		return exactInt(v.str), true
	case KindBigDec:
		return exactDec(v.str), true
	}
	return exact{}, true // not a number: zero, as math/big's Rat was
}

// norm builds the exact form of ±0.all × 10^exp, stripping zeros.
func norm(neg bool, all string, exp int64) exact {
	t := strings.TrimLeft(all, "0")
	exp -= int64(len(all) - len(t))
	t = strings.TrimRight(t, "0")
	if t == "" {
		return exact{}
	}
	return exact{neg: neg, digits: t, exp: exp}
}

// exactInt reads an optionally signed decimal integer.
func exactInt(s string) exact {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	return norm(neg, s, int64(len(s)))
}

// exactFloat is a finite double's exact decimal expansion: every double
// is a dyadic fraction, with at most 767 significant decimal digits, so
// strconv's 'e' format with that precision is exact.
func exactFloat(f float64) exact {
	if f == 0 {
		return exact{}
	}
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'e', 767, 64) // d.ddd…e±XX
	i := strings.IndexByte(s, 'e')
	x, _ := strconv.ParseInt(s[i+1:], 10, 64)
	return norm(neg, s[:1]+s[2:i], x+1)
}

// exactDec reads a bigdec's text (validNumberText: sign, digits, an
// optional fraction and exponent). An exponent math/big's Rat would refuse
// (see maxDecExp5, or beyond int64) reads as zero, as it did.
func exactDec(s string) exact {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	mant, ex := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		var err error
		if ex, err = strconv.ParseInt(s[i+1:], 10, 64); err != nil {
			return exact{}
		}
	}
	ip, fp, _ := strings.Cut(mant, ".")
	if exp5 := ex - int64(len(fp)); exp5 > maxDecExp5 || exp5 < -maxDecExp5 {
		return exact{}
	}
	return norm(neg, ip+fp, int64(len(ip))+ex)
}

// cmpExact compares two exact values: -1, 0 or +1.
func cmpExact(a, b exact) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := cmpExactAbs(a, b)
	if a.neg {
		return -c
	}
	return c
}

func cmpExactAbs(a, b exact) int {
	switch {
	case a.digits == "" || b.digits == "":
		return cmpI(int64(len(a.digits)), int64(len(b.digits))) // zero is the smallest magnitude
	case a.exp != b.exp:
		return cmpI(a.exp, b.exp)
	}
	return strings.Compare(a.digits, b.digits)
}

// key is a text equal for two exact values exactly when they are equal.
func (e exact) key() string {
	b := make([]byte, 0, len(e.digits)+24)
	if e.neg {
		b = append(b, '-')
	}
	b = append(b, e.digits...)
	b = append(b, 'e')
	return string(strconv.AppendInt(b, e.exp, 10))
}
