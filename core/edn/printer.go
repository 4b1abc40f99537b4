package edn

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Print returns v as EDN text that Read reads back to a value Equal to v.
//
// Lists print as (…), vectors and []any as […], maps as {k v, k v} and sets
// as #{…}, both in their insertion order. A float64 always has a '.' or an
// exponent (1.0, 1e+21) so it reads back as a float; NaN and the infinities
// print as ##NaN, ##Inf and ##-Inf. BigInt prints with the N suffix,
// BigDec with M, time.Time as #inst "2006-01-02T15:04:05.000-00:00" in UTC
// (with 6 or 9 fraction digits when the instant needs them), UUID as
// #uuid "…". Go's sized integer types print as integers, float32 as a
// float.
//
// Print does not validate names: a Keyword or Symbol built in Go with
// characters EDN does not allow prints as given and may not read back. A
// value of a type with no EDN form prints as #go/unsupported "T"; use Write
// to get an error instead.
func Print(v any) string {
	return string(AppendPrint(nil, v))
}

// AppendPrint appends Print(v) to dst.
func AppendPrint(dst []byte, v any) []byte {
	p := printer{mode: modePrint}
	return p.value(dst, v, 0)
}

// Write writes Print(v) to w. It writes nothing and returns an error
// wrapping ErrUnsupported when v holds a type with no EDN form, or
// ErrTooDeep when v nests deeper than the printer follows (a cyclic value).
func Write(w io.Writer, v any) error {
	p := printer{mode: modePrint}
	b := p.value(nil, v, 0)
	if p.err != nil {
		return p.err
	}
	_, err := w.Write(b)
	return err
}

type printMode uint8

const (
	modePrint     printMode = iota // Print: round-trip EDN, insertion order
	modeCanonical                  // Canonical: conformance text
	modeKey                        // KeyOf: injective text, sorted collections
)

type printer struct {
	mode printMode
	err  error // first problem met; output continues regardless
}

func (p *printer) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *printer) value(dst []byte, v any, depth int) []byte {
	if depth > maxValueDepth {
		p.fail(fmt.Errorf("edn: value nested deeper than %d: %w", maxValueDepth, ErrTooDeep))
		return append(dst, "nil"...)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "nil"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int8, int16, int32, uint8, uint16, uint32, uint, uint64:
		return p.value(dst, norm(x), depth)
	case float64:
		return p.float(dst, x)
	case float32:
		return p.float(dst, float64(x))
	case BigInt:
		dst = append(dst, x.String()...)
		if p.mode == modePrint {
			dst = append(dst, 'N')
		}
		return dst
	case BigDec:
		return p.bigDec(dst, x)
	case string:
		return appendString(dst, x)
	case Keyword:
		dst = append(dst, ':')
		if x.NS != "" {
			dst = append(dst, x.NS...)
			dst = append(dst, '/')
		}
		return append(dst, x.Name...)
	case Symbol:
		if x.NS != "" {
			dst = append(dst, x.NS...)
			dst = append(dst, '/')
		}
		return append(dst, x.Name...)
	case Char:
		return appendChar(dst, rune(x))
	case List:
		if p.mode == modePrint {
			return p.seq(dst, '(', x, ')', depth)
		}
		return p.seq(dst, '[', x, ']', depth)
	case Vector:
		return p.seq(dst, '[', x, ']', depth)
	case []any:
		return p.seq(dst, '[', x, ']', depth)
	case *Map:
		if p.mode != modePrint {
			return p.sortedMap(dst, x, depth)
		}
		dst = append(dst, '{')
		for i, e := range x.entries() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = p.value(dst, e.Key, depth+1)
			dst = append(dst, ' ')
			dst = p.value(dst, e.Val, depth+1)
		}
		return append(dst, '}')
	case *Set:
		if p.mode != modePrint {
			return p.sortedSet(dst, x, depth)
		}
		dst = append(dst, '#')
		return p.seq(dst, '{', x.elems(), '}', depth)
	case time.Time:
		return p.inst(dst, x)
	case UUID:
		dst = append(dst, `#uuid "`...)
		dst = append(dst, x.String()...)
		return append(dst, '"')
	case Tagged:
		dst = append(dst, '#')
		dst = p.value(dst, x.Tag, depth+1)
		dst = append(dst, ' ')
		return p.value(dst, x.Value, depth+1)
	}
	p.fail(fmt.Errorf("edn: cannot print %T: %w", v, ErrUnsupported))
	dst = append(dst, `#go/unsupported `...)
	return appendString(dst, fmt.Sprintf("%T", v))
}

func (p *printer) seq(dst []byte, open byte, xs []any, close byte, depth int) []byte {
	dst = append(dst, open)
	for i, e := range xs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = p.value(dst, e, depth+1)
	}
	return append(dst, close)
}

func (p *printer) float(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "##NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "##Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "##-Inf"...)
	}
	switch p.mode {
	case modeCanonical:
		if f == 0 {
			f = 0 // -0.0 is the integer 0, as JavaScript prints it
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	case modeKey:
		if f == 0 {
			f = 0 // -0.0 is 0.0
		}
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e21) {
		start := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		for _, c := range dst[start:] {
			if c == '.' {
				return dst
			}
		}
		return append(dst, ".0"...)
	}
	return strconv.AppendFloat(dst, f, 'e', -1, 64)
}

func (p *printer) bigDec(dst []byte, x BigDec) []byte {
	if p.mode == modePrint {
		dst = append(dst, x.Text...)
		return append(dst, 'M')
	}
	d := normDec(x.Text)
	if len(d.digits) > 0 && d.digits[0] == '?' {
		// Not a decimal literal (built in Go); keep the text.
		dst = append(dst, x.Text...)
		return append(dst, 'M')
	}
	if d.neg {
		dst = append(dst, '-')
	}
	if d.digits == "" {
		d.digits = "0"
	}
	if p.mode == modeKey {
		dst = append(dst, d.digits...)
		if d.exp != 0 {
			dst = append(dst, 'E')
			dst = strconv.AppendInt(dst, d.exp, 10)
		}
		return append(dst, 'M')
	}
	// Canonical: plain decimal like a float64, scientific beyond 64 zeros.
	n := int64(len(d.digits))
	switch {
	case d.exp >= 0 && d.exp <= 64:
		dst = append(dst, d.digits...)
		for i := int64(0); i < d.exp; i++ {
			dst = append(dst, '0')
		}
	case d.exp < 0 && -d.exp < n:
		dst = append(dst, d.digits[:n+d.exp]...)
		dst = append(dst, '.')
		dst = append(dst, d.digits[n+d.exp:]...)
	case d.exp < 0 && -d.exp-n <= 64:
		dst = append(dst, "0."...)
		for i := int64(0); i < -d.exp-n; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, d.digits...)
	default:
		dst = append(dst, d.digits[0])
		if n > 1 {
			dst = append(dst, '.')
			dst = append(dst, d.digits[1:]...)
		}
		dst = append(dst, 'E')
		dst = strconv.AppendInt(dst, d.exp+n-1, 10)
	}
	return dst
}

// inst prints a time as #inst "…". The instant is printed in UTC as
// Clojure does, with milliseconds unless finer digits are needed. An
// instant whose UTC year falls outside 0000–9999 (possible near the ends of
// the range with an offset) is printed in its own offset, which reads back.
func (p *printer) inst(dst []byte, t time.Time) []byte {
	dst = append(dst, `#inst "`...)
	if p.mode == modeKey {
		dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000000")
		return append(dst, `-00:00"`...)
	}
	layout := "2006-01-02T15:04:05.000"
	switch ns := t.Nanosecond(); {
	case ns%1e6 == 0:
	case ns%1e3 == 0:
		layout = "2006-01-02T15:04:05.000000"
	default:
		layout = "2006-01-02T15:04:05.000000000"
	}
	if u := t.UTC(); u.Year() >= 0 && u.Year() <= 9999 {
		dst = u.AppendFormat(dst, layout)
		dst = append(dst, "-00:00"...)
	} else {
		dst = t.AppendFormat(dst, layout+"Z07:00")
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s double-quoted. ", \, newline, tab and CR use their
// short escapes; other characters below U+0020 and U+007F are \u00xx;
// everything else is literal UTF-8. Invalid UTF-8 bytes become U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	run := 0 // start of the pending literal run
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[run:i]...)
				dst = append(dst, "\uFFFD"...)
				i++
				run = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
			i++
			continue
		}
		dst = append(dst, s[run:i]...)
		switch c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '\r':
			dst = append(dst, `\r`...)
		default:
			dst = append(dst, `\u00`...)
			dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		run = i
	}
	dst = append(dst, s[run:]...)
	return append(dst, '"')
}

func appendChar(dst []byte, r rune) []byte {
	dst = append(dst, '\\')
	switch r {
	case '\n':
		return append(dst, "newline"...)
	case ' ':
		return append(dst, "space"...)
	case '\t':
		return append(dst, "tab"...)
	case '\r':
		return append(dst, "return"...)
	case '\b':
		return append(dst, "backspace"...)
	case '\f':
		return append(dst, "formfeed"...)
	}
	if r < 0 || r > unicode.MaxRune {
		r = utf8.RuneError
	}
	if r <= 0xFFFF && (r < 0x20 || r == 0x7f || !unicode.IsPrint(r) || (0xD800 <= r && r <= 0xDFFF)) {
		return append(dst, 'u',
			hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	return utf8.AppendRune(dst, r)
}
