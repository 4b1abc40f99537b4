package edn

import (
	"strconv"
	"strings"
)

// BigInt is an arbitrary-precision integer: an integer literal with the N
// suffix, or one beyond int64. It holds its canonical decimal text (what
// math/big's Int.String prints: an optional '-' and digits without leading
// zeros, "0" for zero), so two BigInts are equal exactly when their Text
// is. Cairn never computes with big integers, it reads, compares, prints
// and stores them, so the browser build links no math/big. Make one with
// ParseBigInt, BigIntFromInt64 or BigIntFromUint64.
type BigInt struct {
	text string
}

// ParseBigInt parses an optionally signed decimal integer ("+007", "-12",
// "123456789012345678901234567890") into its canonical form; ok is false
// for anything else (no digits, other characters).
func ParseBigInt(s string) (_ BigInt, ok bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return BigInt{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return BigInt{}, false
		}
	}
	s = strings.TrimLeft(s, "0")
	switch {
	case s == "":
		return BigInt{text: "0"}, true
	case neg:
		return BigInt{text: "-" + s}, true
	}
	return BigInt{text: s}, true
}

// BigIntFromInt64 returns n as a BigInt.
func BigIntFromInt64(n int64) BigInt { return BigInt{text: strconv.FormatInt(n, 10)} }

// BigIntFromUint64 returns n as a BigInt.
func BigIntFromUint64(n uint64) BigInt { return BigInt{text: strconv.FormatUint(n, 10)} }

// String returns the canonical decimal text (no N suffix).
func (x BigInt) String() string {
	if x.text == "" {
		return "0"
	}
	return x.text
}

// Sign returns -1, 0 or +1.
func (x BigInt) Sign() int {
	switch {
	case x.text == "" || x.text == "0":
		return 0
	case x.text[0] == '-':
		return -1
	}
	return 1
}

// abs is the digits without the sign.
func (x BigInt) abs() string {
	s := x.String()
	if s[0] == '-' {
		return s[1:]
	}
	return s
}

// IsInt64 reports whether x fits in an int64.
func (x BigInt) IsInt64() bool {
	_, err := strconv.ParseInt(x.String(), 10, 64)
	return err == nil
}

// Int64 returns x when it fits in an int64 (see IsInt64), else 0.
func (x BigInt) Int64() int64 {
	n, err := strconv.ParseInt(x.String(), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Cmp compares x and y numerically: -1, 0 or +1.
func (x BigInt) Cmp(y BigInt) int {
	sx, sy := x.Sign(), y.Sign()
	if sx != sy {
		if sx < sy {
			return -1
		}
		return 1
	}
	a, b := x.abs(), y.abs()
	c := len(a) - len(b)
	if c == 0 {
		c = strings.Compare(a, b)
	}
	switch {
	case c == 0:
		return 0
	case (c < 0) == (sx >= 0):
		return -1
	}
	return 1
}
