package edn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Default limits applied when a ReadOptions field is zero.
const (
	DefaultMaxDepth    = 1000
	DefaultMaxSize     = 64 << 20
	DefaultMaxElements = 1 << 22
)

// maxNumberLen bounds the length of a number literal, so that a huge
// bigint or bigdec cannot make parsing and comparing them the bottleneck.
const maxNumberLen = 4096

// maxDecExponentDigits bounds the exponent of a BigDec literal (Java's
// BigDecimal scale is an int32 too).
const maxDecExponentDigits = 9

// internMax bounds the per-reader cache of boxed keywords and symbols.
const internMax = 4096

// ReadOptions bounds the work and memory a read may use. The zero value
// (and a nil *ReadOptions) means the defaults; negative values are invalid.
type ReadOptions struct {
	// MaxDepth is the deepest nesting of collections, tagged literals and
	// discards (#_) accepted; a top-level vector is at depth 1. Default
	// DefaultMaxDepth.
	MaxDepth int
	// MaxSize is the largest input in bytes: the whole input for Read,
	// ReadWith, ReadAll and NewBytesDecoder; the bytes one form spans
	// (including the whitespace before it) for a streaming Decoder.
	// Default DefaultMaxSize.
	MaxSize int
	// MaxElements is the largest number of values (counting every nested
	// value and discarded forms) in one top-level form. Default
	// DefaultMaxElements.
	MaxElements int
}

type limits struct {
	maxDepth, maxSize, maxElems int
}

func (o *ReadOptions) limits() (limits, error) {
	l := limits{DefaultMaxDepth, DefaultMaxSize, DefaultMaxElements}
	if o == nil {
		return l, nil
	}
	for _, f := range []struct {
		name string
		v    int
		dst  *int
	}{
		{"MaxDepth", o.MaxDepth, &l.maxDepth},
		{"MaxSize", o.MaxSize, &l.maxSize},
		{"MaxElements", o.MaxElements, &l.maxElems},
	} {
		if f.v < 0 {
			return l, fmt.Errorf("edn: ReadOptions.%s is %d, must not be negative: %w", f.name, f.v, ErrInvalidOption)
		}
		if f.v > 0 {
			*f.dst = f.v
		}
	}
	return l, nil
}

// Read reads exactly one form from src with the default limits. Whitespace,
// comments and discarded forms may follow it; anything else is an error
// wrapping ErrTrailing.
func Read(src []byte) (any, error) {
	return ReadWith(src, nil)
}

// ReadString is Read for a string.
func ReadString(s string) (any, error) {
	return ReadWith([]byte(s), nil)
}

// ReadWith is Read with limits; a nil opts means the defaults.
func ReadWith(src []byte, opts *ReadOptions) (any, error) {
	lim, err := opts.limits()
	if err != nil {
		return nil, err
	}
	if len(src) > lim.maxSize {
		return nil, fmt.Errorf("edn: input of %d bytes exceeds MaxSize %d: %w", len(src), lim.maxSize, ErrTooLarge)
	}
	p := newParser(lim)
	p.src, p.final = src, true
	v, err := p.readForm(1)
	if err != nil {
		return nil, err
	}
	if err := p.skip(1); err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, p.errAt(p.pos, ErrTrailing, "another form follows the first one")
	}
	return v, nil
}

// ReadAll reads every form of src with the default limits.
func ReadAll(src []byte) ([]any, error) {
	d := NewBytesDecoder(src, nil)
	var out []any
	for {
		v, err := d.Decode()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// Character classes of ASCII bytes.
const (
	cWS    = 1 << iota // whitespace, including the comma
	cDelim             // ends a token: whitespace and " ; ( ) [ ] { } \
	cSym               // may appear in a symbol or keyword
)

var class = func() (t [256]uint8) {
	for _, c := range " \t\n\r\f\v," {
		t[c] |= cWS | cDelim
	}
	for _, c := range "\";()[]{}\\" {
		t[c] |= cDelim
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cSym
		t[c-'a'+'A'] |= cSym
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cSym
	}
	for _, c := range ".*+!-_?$%&=<>/:#'" {
		t[c] |= cSym
	}
	return t
}()

type parser struct {
	src   []byte
	pos   int
	final bool // no input follows src
	lim   limits
	elems int

	stack []any          // elements of the collections being read
	offs  []int          // start offsets of map keys and set elements on stack
	sbuf  []byte         // string unescaping buffer
	boxes map[string]any // keywords and symbols already boxed, by their text

	baseOff, baseLine, baseCol int
}

func newParser(lim limits) *parser {
	return &parser{lim: lim, baseLine: 1}
}

func (p *parser) errAt(off int, kind error, format string, args ...any) error {
	line, col := advancePos(p.src[:off], p.baseLine, p.baseCol)
	return &SyntaxError{
		Offset: p.baseOff + off,
		Line:   line,
		Col:    col + 1,
		Msg:    fmt.Sprintf(format, args...),
		Err:    kind,
	}
}

func (p *parser) eof(what string, start int) error {
	line, col := advancePos(p.src[:start], p.baseLine, p.baseCol)
	return p.errAt(len(p.src), ErrUnexpectedEOF, "unexpected end of input in %s starting at line %d, col %d", what, line, col+1)
}

func quote(b []byte) string {
	const limit = 40
	if len(b) > limit {
		return strconv.Quote(string(b[:limit])) + "..."
	}
	return strconv.Quote(string(b))
}

// skip moves over whitespace, comments and discarded forms (#_ form). depth
// is the depth at which a form would be read.
func (p *parser) skip(depth int) error {
	src := p.src
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case class[c]&cWS != 0:
			p.pos++
		case c == ';':
			i := bytes.IndexByte(src[p.pos:], '\n')
			if i < 0 {
				p.pos = len(src)
			} else {
				p.pos += i + 1
			}
		case c == '#' && p.pos+1 < len(src) && src[p.pos+1] == '_':
			if depth > p.lim.maxDepth {
				return p.errAt(p.pos, ErrTooDeep, "nesting deeper than %d", p.lim.maxDepth)
			}
			start := p.pos
			p.pos += 2
			if _, err := p.readForm(depth + 1); err != nil {
				if errors.Is(err, ErrUnexpectedEOF) && p.pos >= len(src) {
					return p.eof("#_ discard", start)
				}
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// readForm skips to the next form and reads it.
func (p *parser) readForm(depth int) (any, error) {
	if err := p.skip(depth); err != nil {
		return nil, err
	}
	if p.pos >= len(p.src) {
		return nil, p.errAt(p.pos, ErrUnexpectedEOF, "unexpected end of input, expected a form")
	}
	return p.readFormAt(depth)
}

// readFormAt reads the form starting at p.pos, which is not whitespace.
func (p *parser) readFormAt(depth int) (any, error) {
	p.elems++
	if p.elems > p.lim.maxElems {
		return nil, p.errAt(p.pos, ErrTooLarge, "more than %d values in one form", p.lim.maxElems)
	}
	src := p.src
	c := src[p.pos]
	switch c {
	case '[':
		return p.readColl(']', depth)
	case '(':
		return p.readColl(')', depth)
	case '{':
		return p.readColl('}', depth)
	case ')', ']', '}':
		return nil, p.errAt(p.pos, ErrSyntax, "unexpected %q", c)
	case '"':
		return p.readString()
	case ':':
		return p.readKeyword()
	case '\\':
		return p.readChar()
	case '#':
		return p.readDispatch(depth)
	case '+', '-':
		if p.pos+1 < len(src) && isDigit(src[p.pos+1]) {
			return p.readNumber()
		}
		return p.readSymbol()
	}
	if isDigit(c) {
		return p.readNumber()
	}
	if class[c]&cSym != 0 || c >= utf8.RuneSelf {
		return p.readSymbol()
	}
	return nil, p.errAt(p.pos, ErrSyntax, "unexpected character %q", c)
}

// tokenEnd returns the end of the token starting at i.
func (p *parser) tokenEnd(i int) int {
	src := p.src
	for i < len(src) && class[src[i]]&cDelim == 0 {
		i++
	}
	return i
}

// token returns the end of the token starting at i, or errNeedMore when the
// token reaches the end of input that is not final.
func (p *parser) token(i int, what string, start int) (int, error) {
	end := p.tokenEnd(i)
	if end == len(p.src) && !p.final {
		return end, p.eof(what, start)
	}
	return end, nil
}

const (
	kindVector = iota
	kindList
	kindMap
	kindSet
)

// readColl reads a vector, list, map or set whose opening bracket is at
// p.pos (for a set, the '{' of "#{"; for a namespaced map the '{').
func (p *parser) readColl(closer byte, depth int) (any, error) {
	kind := kindVector
	switch closer {
	case ')':
		kind = kindList
	case '}':
		kind = kindMap
		if p.src[p.pos] == '#' {
			kind = kindSet
		}
	}
	return p.readCollKind(kind, closer, depth, "")
}

func (p *parser) readCollKind(kind int, closer byte, depth int, ns string) (any, error) {
	start := p.pos
	if depth > p.lim.maxDepth {
		return nil, p.errAt(start, ErrTooDeep, "nesting deeper than %d", p.lim.maxDepth)
	}
	if kind == kindSet {
		p.pos += 2
	} else {
		p.pos++
	}
	base, obase := len(p.stack), len(p.offs)
	defer func() {
		clear(p.stack[base:])
		p.stack = p.stack[:base]
		p.offs = p.offs[:obase]
	}()
	keyed := kind == kindMap || kind == kindSet
	for {
		if err := p.skip(depth + 1); err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) {
			return nil, p.eof(kindName[kind], start)
		}
		c := p.src[p.pos]
		if c == closer {
			p.pos++
			break
		}
		if c == ')' || c == ']' || c == '}' {
			return nil, p.errAt(p.pos, ErrSyntax, "unexpected %q in %s starting at offset %d", c, kindName[kind], p.baseOff+start)
		}
		if keyed {
			p.offs = append(p.offs, p.pos)
		}
		v, err := p.readFormAt(depth + 1)
		if err != nil {
			return nil, err
		}
		p.stack = append(p.stack, v)
	}
	items := p.stack[base:]
	switch kind {
	case kindVector:
		return Vector(cloneItems(items)), nil
	case kindList:
		return List(cloneItems(items)), nil
	case kindMap:
		if len(items)%2 != 0 {
			return nil, p.errAt(start, ErrSyntax, "map literal has an odd number of forms (%d)", len(items))
		}
		m := &Map{Entries: make([]MapEntry, 0, len(items)/2)}
		for i := 0; i < len(items); i += 2 {
			k := items[i]
			if ns != "" {
				k = qualify(k, ns)
			}
			if !m.insertNew(k, items[i+1]) {
				return nil, p.errAt(p.offs[obase+i], ErrDuplicate, "duplicate map key %s", shortPrint(k))
			}
		}
		return m, nil
	default:
		s := &Set{Elems: make([]any, 0, len(items))}
		for i, e := range items {
			if !s.Add(e) {
				return nil, p.errAt(p.offs[obase+i], ErrDuplicate, "duplicate set element %s", shortPrint(e))
			}
		}
		return s, nil
	}
}

var kindName = [...]string{"vector", "list", "map", "set"}

func cloneItems(items []any) []any {
	if len(items) == 0 {
		return []any{}
	}
	out := make([]any, len(items))
	copy(out, items)
	return out
}

func shortPrint(v any) string {
	b := AppendPrint(nil, v)
	return quote(b)
}

// qualify applies the namespace of a #:ns{} map to one key.
func qualify(k any, ns string) any {
	switch x := k.(type) {
	case Keyword:
		switch x.NS {
		case "":
			x.NS = ns
		case "_":
			x.NS = ""
		}
		return x
	case Symbol:
		switch {
		case x.NS == "" && x.Name == "/":
			// The lone slash stays itself: "ns//" would not read back.
		case x.NS == "":
			x.NS = ns
		case x.NS == "_":
			x.NS = ""
		}
		return x
	}
	return k
}

func (p *parser) readString() (any, error) {
	src := p.src
	start := p.pos
	ascii := true
	for i := start + 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '"':
			s := src[start+1 : i]
			if !ascii && !utf8.Valid(s) {
				return nil, p.badUTF8(start + 1)
			}
			p.pos = i + 1
			return string(s), nil
		case c == '\\':
			return p.readStringSlow(start, i)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, p.eof("string", start)
}

func (p *parser) badUTF8(from int) error {
	i := from
	for i < len(p.src) {
		r, size := utf8.DecodeRune(p.src[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return p.errAt(i, ErrSyntax, "invalid UTF-8")
}

// readStringSlow finishes a string that has escapes; esc is the offset of
// the first backslash.
func (p *parser) readStringSlow(start, esc int) (any, error) {
	src := p.src
	buf := append(p.sbuf[:0], src[start+1:esc]...)
	if !utf8.Valid(buf) {
		return nil, p.badUTF8(start + 1)
	}
	i := esc
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.sbuf = buf
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(src) {
				return nil, p.eof("string", start)
			}
			e := src[i+1]
			i += 2
			switch e {
			case '"', '\\':
				buf = append(buf, e)
			case 'n':
				buf = append(buf, '\n')
			case 't':
				buf = append(buf, '\t')
			case 'r':
				buf = append(buf, '\r')
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'u':
				r, err := p.hex4(i, start)
				if err != nil {
					return nil, err
				}
				i += 4
				if utf16IsHigh(r) && !p.final && maybeEscapeU(src[i:]) {
					return nil, p.eof("string", start) // the low half may follow
				}
				if utf16IsHigh(r) && i+6 <= len(src) && src[i] == '\\' && src[i+1] == 'u' {
					if lo, err := p.hex4(i+2, start); err == nil && utf16IsLow(lo) {
						r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
						i += 6
					}
				}
				if 0xD800 <= r && r <= 0xDFFF {
					r = utf8.RuneError // an unpaired surrogate
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, p.errAt(i-2, ErrSyntax, "invalid escape \\%c in string", e)
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				if !p.final && !utf8.FullRune(src[i:]) {
					return nil, p.eof("string", start)
				}
				return nil, p.errAt(i, ErrSyntax, "invalid UTF-8")
			}
			buf = append(buf, src[i:i+size]...)
			i += size
		}
	}
	p.sbuf = buf
	return nil, p.eof("string", start)
}

// maybeEscapeU reports whether b is a proper prefix of a \\uXXXX escape.
func maybeEscapeU(b []byte) bool {
	if len(b) >= 6 {
		return false
	}
	for i, c := range b {
		switch {
		case i == 0 && c != '\\', i == 1 && c != 'u', i >= 2 && unhex(c) < 0:
			return false
		}
	}
	return true
}

func utf16IsHigh(r rune) bool { return 0xD800 <= r && r <= 0xDBFF }
func utf16IsLow(r rune) bool  { return 0xDC00 <= r && r <= 0xDFFF }

// hex4 decodes the four hex digits at i (of a \u escape in a form that
// starts at start).
func (p *parser) hex4(i, start int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(p.src) {
			return 0, p.eof("string", start)
		}
		d := unhex(p.src[j])
		if d < 0 {
			return 0, p.errAt(j, ErrSyntax, "invalid hex digit %q in \\u escape", p.src[j])
		}
		r = r<<4 | d
	}
	return r, nil
}

func unhex(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

var charNames = map[string]Char{
	"newline":   '\n',
	"space":     ' ',
	"tab":       '\t',
	"return":    '\r',
	"backspace": '\b',
	"formfeed":  '\f',
}

func (p *parser) readChar() (any, error) {
	src := p.src
	start := p.pos
	i := start + 1
	if i >= len(src) {
		return nil, p.eof("character", start)
	}
	r, size := rune(src[i]), 1
	if r >= utf8.RuneSelf {
		r, size = utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			if !p.final && !utf8.FullRune(src[i:]) {
				return nil, p.eof("character", start)
			}
			return nil, p.errAt(i, ErrSyntax, "invalid UTF-8")
		}
	} else if (r < 0x20 || r == ' ' || r == 0x7f) && r != ',' {
		return nil, p.errAt(start, ErrSyntax, "backslash followed by %q", r)
	}
	end, err := p.token(i+size, "character", start)
	if err != nil {
		return nil, err
	}
	p.pos = end
	if end == i+size {
		return Char(r), nil
	}
	tok := src[i:end]
	if c, ok := charNames[string(tok)]; ok {
		return c, nil
	}
	switch tok[0] {
	case 'u':
		if len(tok) == 5 {
			var r rune
			for _, c := range tok[1:] {
				d := unhex(c)
				if d < 0 {
					r = -1
					break
				}
				r = r<<4 | d
			}
			if r >= 0 {
				return Char(r), nil
			}
		}
	case 'o':
		if len(tok) >= 2 && len(tok) <= 4 {
			var r rune
			for _, c := range tok[1:] {
				if c < '0' || c > '7' {
					r = -1
					break
				}
				r = r<<3 | rune(c-'0')
			}
			if r >= 0 && r <= 0377 {
				return Char(r), nil
			}
		}
	}
	return nil, p.errAt(start, ErrSyntax, "invalid character literal \\%s", quote(tok))
}

func (p *parser) readNumber() (any, error) {
	start := p.pos
	end, err := p.token(start, "number", start)
	if err != nil {
		return nil, err
	}
	tok := p.src[start:end]
	if len(tok) > maxNumberLen {
		return nil, p.errAt(start, ErrTooLarge, "number literal longer than %d bytes", maxNumberLen)
	}
	bad := func() (any, error) {
		return nil, p.errAt(start, ErrSyntax, "invalid number %s", quote(tok))
	}
	i := 0
	neg := false
	if tok[0] == '+' || tok[0] == '-' {
		neg = tok[0] == '-'
		i++
	}
	intStart := i
	for i < len(tok) && isDigit(tok[i]) {
		i++
	}
	intDigits := tok[intStart:i]
	isFloat := false
	if i < len(tok) && tok[i] == '.' {
		isFloat = true
		i++
		for i < len(tok) && isDigit(tok[i]) {
			i++
		}
	}
	expDigits := 0
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		isFloat = true
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		es := i
		for i < len(tok) && isDigit(tok[i]) {
			i++
		}
		if i == es {
			return bad()
		}
		expDigits = i - es
	}
	var suffix byte
	if i < len(tok) && (tok[i] == 'N' || tok[i] == 'M') {
		suffix = tok[i]
		i++
	}
	if i != len(tok) || len(intDigits) == 0 {
		return bad()
	}
	p.pos = end
	switch {
	case suffix == 'M':
		if expDigits > maxDecExponentDigits {
			return nil, p.errAt(start, ErrTooLarge, "bigdec exponent too large in %s", quote(tok))
		}
		text := tok[:len(tok)-1]
		if text[0] == '+' {
			text = text[1:]
		}
		return BigDec{Text: string(text)}, nil
	case isFloat:
		if suffix == 'N' {
			return bad()
		}
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return bad()
		}
		return f, nil
	}
	if len(intDigits) > 1 && intDigits[0] == '0' {
		return nil, p.errAt(start, ErrSyntax, "integer %s has a leading zero", quote(tok))
	}
	if suffix == 'N' {
		tok = tok[:len(tok)-1]
	} else if len(intDigits) <= 18 {
		var n int64
		for _, c := range intDigits {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	} else if n, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
		return n, nil
	}
	b, ok := ParseBigInt(string(tok))
	if !ok {
		return bad()
	}
	return b, nil
}

// readSymbol reads a symbol, nil, true or false.
func (p *parser) readSymbol() (any, error) {
	start := p.pos
	end, err := p.token(start, "symbol", start)
	if err != nil {
		return nil, err
	}
	tok := p.src[start:end]
	switch string(tok) {
	case "nil":
		p.pos = end
		return nil, nil
	case "true":
		p.pos = end
		return true, nil
	case "false":
		p.pos = end
		return false, nil
	}
	if v, ok := p.boxes[string(tok)]; ok {
		p.pos = end
		return v, nil
	}
	ns, name, ok := splitName(tok, false)
	if !ok {
		return nil, p.errAt(start, ErrSyntax, "invalid symbol %s", quote(tok))
	}
	p.pos = end
	return p.box(tok, Symbol{NS: ns, Name: name}), nil
}

func (p *parser) box(text []byte, v any) any {
	if p.boxes == nil {
		p.boxes = make(map[string]any)
	}
	if len(p.boxes) < internMax {
		p.boxes[string(text)] = v
	}
	return v
}

func (p *parser) readKeyword() (any, error) {
	start := p.pos
	end, err := p.token(start+1, "keyword", start)
	if err != nil {
		return nil, err
	}
	text := p.src[start:end]
	if v, ok := p.boxes[string(text)]; ok {
		p.pos = end
		return v, nil
	}
	ns, name, ok := splitName(text[1:], true)
	if !ok {
		return nil, p.errAt(start, ErrSyntax, "invalid keyword %s", quote(text))
	}
	p.pos = end
	return p.box(text, Keyword{NS: ns, Name: name}), nil
}

// splitName validates the text of a symbol or keyword (without the colon)
// and splits it at its slash. At most one slash is allowed, with non-empty
// parts on both sides; a lone "/" is the symbol /.
func splitName(tok []byte, keyword bool) (ns, name string, ok bool) {
	if len(tok) == 0 {
		return "", "", false
	}
	nonASCII := false
	slash := -1
	for i, c := range tok {
		if c >= utf8.RuneSelf {
			nonASCII = true
			continue
		}
		if class[c]&cSym == 0 {
			return "", "", false
		}
		if c == '/' {
			if slash >= 0 {
				return "", "", false
			}
			slash = i
		}
	}
	if nonASCII && !utf8.Valid(tok) {
		return "", "", false
	}
	if slash < 0 {
		if !validPart(tok, keyword) {
			return "", "", false
		}
		return "", string(tok), true
	}
	if len(tok) == 1 && !keyword {
		return "", "/", true
	}
	nsb, nameb := tok[:slash], tok[slash+1:]
	if !validPart(nsb, keyword) || !validPart(nameb, keyword) {
		return "", "", false
	}
	return string(nsb), string(nameb), true
}

// validPart checks the first characters of a namespace or name.
func validPart(b []byte, keyword bool) bool {
	if len(b) == 0 {
		return false
	}
	switch c := b[0]; {
	case c == ':' || c == '#' || c == '\'':
		return false
	case keyword:
		return true
	case isDigit(c):
		return false
	case c == '+' || c == '-' || c == '.':
		return len(b) == 1 || !isDigit(b[1])
	}
	return true
}

func (p *parser) readDispatch(depth int) (any, error) {
	src := p.src
	start := p.pos
	if start+1 >= len(src) {
		return nil, p.eof("# dispatch", start)
	}
	c := src[start+1]
	switch {
	case c == '{':
		return p.readCollKind(kindSet, '}', depth, "")
	case c == '#':
		end, err := p.token(start+2, "symbolic value", start)
		if err != nil {
			return nil, err
		}
		tok := src[start+2 : end]
		p.pos = end
		switch string(tok) {
		case "Inf":
			return math.Inf(1), nil
		case "-Inf":
			return math.Inf(-1), nil
		case "NaN":
			return math.NaN(), nil
		}
		return nil, p.errAt(start, ErrSyntax, "unknown symbolic value ##%s", tok)
	case c == ':':
		return p.readNamespacedMap(depth)
	case c == '_':
		// Only reached when a caller did not skip first; treat as discard.
		if err := p.skip(depth); err != nil {
			return nil, err
		}
		return p.readForm(depth)
	}
	r := rune(c)
	if c >= utf8.RuneSelf {
		if !p.final && !utf8.FullRune(src[start+1:]) {
			return nil, p.eof("# dispatch", start)
		}
		r, _ = utf8.DecodeRune(src[start+1:])
	}
	if !unicode.IsLetter(r) {
		return nil, p.errAt(start, ErrSyntax, "invalid dispatch #%s", quote(src[start+1:min(len(src), start+1+utf8.UTFMax)]))
	}
	return p.readTagged(depth)
}

func (p *parser) readNamespacedMap(depth int) (any, error) {
	start := p.pos
	end, err := p.token(start+2, "namespaced map", start)
	if err != nil {
		return nil, err
	}
	tok := p.src[start+2 : end]
	ns, name, ok := splitName(tok, false)
	if !ok || ns != "" || name == "/" { // the lone slash is a symbol, not a namespace
		return nil, p.errAt(start, ErrSyntax, "invalid namespaced map prefix #:%s", quote(tok))
	}
	p.pos = end
	if !p.skipSpace() || p.pos >= len(p.src) {
		return nil, p.eof("namespaced map", start)
	}
	if p.src[p.pos] != '{' {
		return nil, p.errAt(p.pos, ErrSyntax, "expected '{' after #:%s", name)
	}
	return p.readCollKind(kindMap, '}', depth, name)
}

// skipSpace skips whitespace and comments, but not discards. It returns
// false, stopping at the ';', when a comment runs to the end of input that
// is not final (the comment may go on).
func (p *parser) skipSpace() bool {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case class[c]&cWS != 0:
			p.pos++
		case c == ';':
			i := bytes.IndexByte(p.src[p.pos:], '\n')
			if i < 0 {
				if !p.final {
					return false
				}
				p.pos = len(p.src)
			} else {
				p.pos += i + 1
			}
		default:
			return true
		}
	}
	return true
}

func (p *parser) readTagged(depth int) (any, error) {
	start := p.pos
	if depth > p.lim.maxDepth {
		return nil, p.errAt(start, ErrTooDeep, "nesting deeper than %d", p.lim.maxDepth)
	}
	end, err := p.token(start+1, "tag", start)
	if err != nil {
		return nil, err
	}
	tok := p.src[start+1 : end]
	ns, name, ok := splitName(tok, false)
	if !ok {
		return nil, p.errAt(start, ErrSyntax, "invalid tag #%s", quote(tok))
	}
	p.pos = end
	v, err := p.readForm(depth + 1)
	if err != nil {
		if errors.Is(err, ErrUnexpectedEOF) && p.pos >= len(p.src) {
			return nil, p.eof("tagged literal", start)
		}
		return nil, err
	}
	if ns == "" {
		switch name {
		case "inst":
			s, ok := v.(string)
			if !ok {
				return nil, p.errAt(start, ErrSyntax, "#inst needs a string")
			}
			t, ok := parseInst(s)
			if !ok {
				return nil, p.errAt(start, ErrSyntax, "invalid #inst %s", quote([]byte(s)))
			}
			return t, nil
		case "uuid":
			s, ok := v.(string)
			if !ok {
				return nil, p.errAt(start, ErrSyntax, "#uuid needs a string")
			}
			u, ok := parseUUID(s)
			if !ok {
				return nil, p.errAt(start, ErrSyntax, "invalid #uuid %s", quote([]byte(s)))
			}
			return u, nil
		}
	}
	return Tagged{Tag: Symbol{NS: ns, Name: name}, Value: v}, nil
}

// uuidPairs are the offsets of the 16 hex byte pairs in the 8-4-4-4-12 form.
var uuidPairs = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// parseUUID parses the 8-4-4-4-12 hex form (either case).
func parseUUID(s string) (UUID, bool) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	for j, i := range uuidPairs {
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi<<4 | lo)
	}
	return u, true
}

// parseInst parses an RFC 3339 timestamp, of which every part after the
// year may be left out (as Clojure's reader allows):
//
//	yyyy[-mm[-dd[Thh[:mm[:ss[.fff...]]]]]][Z|±hh:mm]
//
// Missing parts are the start of their period; a missing offset is UTC.
// Fraction digits beyond nanoseconds are dropped.
func parseInst(s string) (time.Time, bool) {
	i := 0
	num := func(n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if !isDigit(c) {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v, true
	}
	sep := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	year, ok := num(4)
	if !ok {
		return time.Time{}, false
	}
	month, day, hour, minute, sec, nsec := 1, 1, 0, 0, 0, 0
	if sep('-') {
		if month, ok = num(2); !ok {
			return time.Time{}, false
		}
		if sep('-') {
			if day, ok = num(2); !ok {
				return time.Time{}, false
			}
			if sep('T') {
				if hour, ok = num(2); !ok {
					return time.Time{}, false
				}
				if sep(':') {
					if minute, ok = num(2); !ok {
						return time.Time{}, false
					}
					if sep(':') {
						if sec, ok = num(2); !ok {
							return time.Time{}, false
						}
						if sep('.') {
							fs := i
							scale := 100_000_000
							for i < len(s) && isDigit(s[i]) {
								nsec += int(s[i]-'0') * scale
								scale /= 10
								i++
							}
							if i == fs {
								return time.Time{}, false
							}
						}
					}
				}
			}
		}
	}
	loc := time.UTC
	if i < len(s) {
		switch s[i] {
		case 'Z':
			i++
		case '+', '-':
			sign := 1
			if s[i] == '-' {
				sign = -1
			}
			i++
			oh, ok1 := num(2)
			ok2 := sep(':')
			om, ok3 := num(2)
			if !ok1 || !ok2 || !ok3 || oh > 23 || om > 59 {
				return time.Time{}, false
			}
			if off := sign * (oh*3600 + om*60); off != 0 {
				loc = time.FixedZone("", off)
			}
		default:
			return time.Time{}, false
		}
	}
	if i != len(s) || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
