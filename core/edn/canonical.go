package edn

import (
	"bytes"
	"slices"
)

// Canonical returns v in the canonical text the conformance corpus
// compares results with:
//
//   - nil, true, false;
//   - a number with an integral value (an integer, or a float64 whose
//     value is integral) as a plain integer, with no fraction and no
//     exponent; other float64 values as the shortest decimal that reads
//     back to the same float, in fixed-point notation
//     (strconv.FormatFloat(f, 'f', -1, 64)); -0.0 as 0, as JavaScript
//     prints it; BigInt without N; BigDec as a plain decimal without M;
//   - strings double-quoted: " as \", \ as \\, newline \n, tab \t, CR \r,
//     other characters below U+0020 and U+007F as \u00xx, everything else
//     literally in UTF-8;
//   - keywords :name or :ns/name, symbols bare;
//   - vectors, lists and []any as [a b c];
//   - sets as #{a b c}, elements sorted by the byte-wise order of their
//     canonical text;
//   - maps as {k1 v1 k2 v2}, entries sorted by the byte-wise order of the
//     canonical text of their keys (then of their values);
//   - single spaces, no commas.
//
// Values the rules do not cover (NaN and the infinities, characters,
// #inst, #uuid, tagged literals) print as Print prints them.
func Canonical(v any) string {
	return string(AppendCanonical(nil, v))
}

// AppendCanonical appends Canonical(v) to dst.
func AppendCanonical(dst []byte, v any) []byte {
	p := printer{mode: modeCanonical}
	return p.value(dst, v, 0)
}

// KeyOf returns a text that identifies v's value: KeyOf(a) == KeyOf(b)
// exactly when Equal(a, b) (for values with well-formed keyword and symbol
// names). It is stable across processes and releases of this package, so
// it can key Go maps, caches and stored indexes. It is EDN: lists print as
// vectors, map entries and set elements are sorted by their KeyOf text,
// integers print without N whatever their Go type, float64 always with a
// '.' or an exponent (and -0.0 as 0.0), BigDec normalized (1.50M and 1.5M
// both as 15E-1M), and times in UTC with nanoseconds.
func KeyOf(v any) string {
	p := printer{mode: modeKey}
	return string(p.value(nil, v, 0))
}

// span is a range of a scratch buffer.
type span struct{ lo, hi int }

func (p *printer) sortedMap(dst []byte, m *Map, depth int) []byte {
	entries := m.entries()
	if len(entries) == 0 {
		return append(dst, "{}"...)
	}
	// Render keys and values into scratch space after dst, sort the spans,
	// then copy them back in order.
	base := len(dst)
	type kv struct{ k, v span }
	spans := make([]kv, len(entries))
	for i, e := range entries {
		lo := len(dst)
		dst = p.value(dst, e.Key, depth+1)
		mid := len(dst)
		dst = p.value(dst, e.Val, depth+1)
		spans[i] = kv{span{lo - base, mid - base}, span{mid - base, len(dst) - base}}
	}
	scratch := bytes.Clone(dst[base:])
	slices.SortStableFunc(spans, func(a, b kv) int {
		if c := bytes.Compare(scratch[a.k.lo:a.k.hi], scratch[b.k.lo:b.k.hi]); c != 0 {
			return c
		}
		return bytes.Compare(scratch[a.v.lo:a.v.hi], scratch[b.v.lo:b.v.hi])
	})
	dst = append(dst[:base], '{')
	for i, s := range spans {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, scratch[s.k.lo:s.k.hi]...)
		dst = append(dst, ' ')
		dst = append(dst, scratch[s.v.lo:s.v.hi]...)
	}
	return append(dst, '}')
}

func (p *printer) sortedSet(dst []byte, s *Set, depth int) []byte {
	elems := s.elems()
	if len(elems) == 0 {
		return append(dst, "#{}"...)
	}
	base := len(dst)
	spans := make([]span, len(elems))
	for i, e := range elems {
		lo := len(dst)
		dst = p.value(dst, e, depth+1)
		spans[i] = span{lo - base, len(dst) - base}
	}
	scratch := bytes.Clone(dst[base:])
	slices.SortStableFunc(spans, func(a, b span) int {
		return bytes.Compare(scratch[a.lo:a.hi], scratch[b.lo:b.hi])
	})
	dst = append(dst[:base], "#{"...)
	for i, s := range spans {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, scratch[s.lo:s.hi]...)
	}
	return append(dst, '}')
}
