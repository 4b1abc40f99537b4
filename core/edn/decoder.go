package edn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Decoder reads successive forms from a byte slice or an io.Reader.
type Decoder struct {
	r     io.Reader
	buf   []byte
	start int // first unconsumed byte of buf
	final bool
	err   error // sticky
	lim   limits
	p     parser
	sc    scanner

	// Stream position of buf[0], for error positions.
	baseOff, baseLine, baseCol int
}

// NewDecoder returns a decoder reading forms from r. A nil opts means the
// default limits. The decoder buffers: it may have read bytes from r beyond
// the last form it returned. A form arriving in many small reads is parsed
// once it can be complete (a light scanner tracks brackets, strings and
// comments), so decoding stays linear in the input.
func NewDecoder(r io.Reader, opts *ReadOptions) *Decoder {
	d := &Decoder{r: r, baseLine: 1}
	d.lim, d.err = opts.limits()
	d.p = *newParser(d.lim)
	return d
}

// NewBytesDecoder returns a decoder reading forms from src.
func NewBytesDecoder(src []byte, opts *ReadOptions) *Decoder {
	d := &Decoder{buf: src, final: true, baseLine: 1}
	d.lim, d.err = opts.limits()
	if d.err == nil && len(src) > d.lim.maxSize {
		d.err = fmt.Errorf("edn: input of %d bytes exceeds MaxSize %d: %w", len(src), d.lim.maxSize, ErrTooLarge)
	}
	d.p = *newParser(d.lim)
	return d
}

// InputOffset returns the stream offset just past the last form returned.
func (d *Decoder) InputOffset() int {
	return d.baseOff + d.start
}

// Decode returns the next form, or io.EOF when only whitespace, comments
// and discarded forms remain. Any other error is sticky.
func (d *Decoder) Decode() (any, error) {
	if d.err != nil {
		return nil, d.err
	}
	for {
		p := &d.p
		p.src, p.pos, p.final, p.elems = d.buf, d.start, d.final, 0
		p.baseOff, p.baseLine, p.baseCol = d.baseOff, d.baseLine, d.baseCol
		v, err := d.next(p)
		if err == nil || err == io.EOF {
			return v, err
		}
		if !d.final && (err == errNeedMore || errors.Is(err, ErrUnexpectedEOF)) {
			if err := d.more(); err != nil {
				d.err = err
				return nil, err
			}
			continue
		}
		d.err = err
		return nil, err
	}
}

// next reads one form from d.buf, committing d.start past whitespace and
// each top-level discarded form as it goes, so that a retry after more
// input does not re-read them.
func (d *Decoder) next(p *parser) (any, error) {
	for {
		complete := p.skipSpace()
		d.start = p.pos
		if !complete {
			return nil, errNeedMore
		}
		if p.pos >= len(p.src) {
			if d.final {
				return nil, io.EOF
			}
			return nil, errNeedMore
		}
		if p.src[p.pos] != '#' || p.pos+1 >= len(p.src) || p.src[p.pos+1] != '_' {
			break
		}
		p.pos += 2
		if _, err := p.readForm(2); err != nil {
			return nil, err
		}
		d.start = p.pos
		p.elems = 0
	}
	v, err := p.readFormAt(1)
	if err == nil {
		d.start = p.pos
	}
	return v, err
}

var errNeedMore = errors.New("edn: need more input")

// more reads input until the pending form may be complete: until the
// scanner passes a point where a top-level form could end, or the input
// ends. Parsing is retried only then, which keeps a long form arriving in
// small reads linear instead of quadratic.
func (d *Decoder) more() error {
	if d.sc.origin != d.baseOff+d.start {
		d.sc = scanner{origin: d.baseOff + d.start, pos: d.start}
		d.sc.feed(d.buf)
	}
	for {
		if err := d.fill(); err != nil {
			return err
		}
		if d.final || d.sc.feed(d.buf) {
			return nil
		}
	}
}

// minRead is the least free buffer space fill offers to a Read.
const minRead = 512

// fill compacts the buffer and reads more input with one Read call.
func (d *Decoder) fill() error {
	if d.start > 0 {
		d.baseLine, d.baseCol = advancePos(d.buf[:d.start], d.baseLine, d.baseCol)
		d.baseOff += d.start
		d.sc.pos -= d.start
		n := copy(d.buf, d.buf[d.start:])
		d.buf = d.buf[:n]
		d.start = 0
	}
	pending := len(d.buf)
	if pending >= d.lim.maxSize {
		return fmt.Errorf("edn: form at offset %d exceeds MaxSize %d: %w", d.baseOff, d.lim.maxSize, ErrTooLarge)
	}
	if cap(d.buf)-pending < minRead {
		size := min(max(2*cap(d.buf), pending+4096), d.lim.maxSize+1)
		nb := make([]byte, pending, size)
		copy(nb, d.buf)
		d.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := d.r.Read(d.buf[pending:cap(d.buf)])
		d.buf = d.buf[:pending+n]
		if err == io.EOF {
			d.final = true
			return nil
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if tries > 100 {
			return io.ErrNoProgress
		}
	}
}

// scanner follows just enough of the EDN lexical structure (strings,
// comments, characters, tokens, bracket depth) to tell where a top-level
// form may end. It runs incrementally over a stream's buffer, resuming
// where it stopped; a boundary it reports may be spurious (the parser then
// asks for more input again), but it never misses a real one.
type scanner struct {
	origin int // stream offset where scanning started
	pos    int // buffer index scanned up to
	state  uint8
	depth  int
}

const (
	scNormal = iota
	scToken
	scString
	scEscape
	scComment
	scChar
)

// feed scans buf[s.pos:] and reports whether it passed a point where a
// top-level form may end.
func (s *scanner) feed(buf []byte) (boundary bool) {
	for i := s.pos; i < len(buf); i++ {
		c := buf[i]
		switch s.state {
		case scComment:
			if c == '\n' {
				s.state = scNormal
			}
			continue
		case scString:
			if c == '\\' {
				s.state = scEscape
			} else if c == '"' {
				s.state = scNormal
				boundary = boundary || s.depth <= 0
			}
			continue
		case scEscape:
			s.state = scString
			continue
		case scChar:
			s.state = scToken // the byte after a backslash is always taken
			continue
		case scToken:
			if class[c]&cDelim == 0 {
				continue
			}
			s.state = scNormal
			boundary = boundary || s.depth <= 0
		}
		switch {
		case class[c]&cWS != 0:
		case c == ';':
			s.state = scComment
		case c == '"':
			s.state = scString
		case c == '\\':
			s.state = scChar
		case c == '(' || c == '[' || c == '{':
			s.depth++
		case c == ')' || c == ']' || c == '}':
			s.depth--
			boundary = boundary || s.depth <= 0
		default:
			s.state = scToken
		}
	}
	s.pos = len(buf)
	return boundary
}

// advancePos moves a 1-based line and 0-based rune column over b.
func advancePos(b []byte, line, col int) (int, int) {
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		line += bytes.Count(b, []byte{'\n'})
		return line, utf8.RuneCount(b[i+1:])
	}
	return line, col + utf8.RuneCount(b)
}
