package sync

import "github.com/cairn-db/cairn/peer"

// decodeNodes decodes a sync/nodes body. Every live commit reaches every
// subscriber as one such message, so the common shape (what the sender
// encodes) is read by hand, without reflection and without copying: keys,
// values and head are sub-slices of the body (the replica's store copies
// what it keeps). Anything else falls back to msgpack, whose result is the
// same.
func decodeNodes(m peer.Msg, n *Nodes) error {
	if !decodeNodesFast(m.Body, n) {
		*n = Nodes{}
		if err := m.Decode(n); err != nil {
			return err
		}
	}
	return nil
}

// mpReader reads the few msgpack forms a Nodes message uses. Any other
// form, or a length beyond the input, sets bad.
type mpReader struct {
	b   []byte
	p   int
	bad bool
}

func (r *mpReader) byte() byte {
	if r.p >= len(r.b) {
		r.bad = true
		return 0
	}
	c := r.b[r.p]
	r.p++
	return c
}

// uint reads an n-byte big-endian unsigned integer.
func (r *mpReader) uint(n int) uint64 {
	if r.bad || n > len(r.b)-r.p {
		r.bad = true
		return 0
	}
	var x uint64
	for _, c := range r.b[r.p : r.p+n] {
		x = x<<8 | uint64(c)
	}
	r.p += n
	return x
}

// take returns the next n bytes.
func (r *mpReader) take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)-r.p) {
		r.bad = true
		return nil
	}
	s := r.b[r.p : r.p+int(n) : r.p+int(n)]
	r.p += int(n)
	return s
}

func (r *mpReader) mapLen() int {
	switch c := r.byte(); {
	case c >= 0x80 && c <= 0x8f:
		return int(c & 0x0f)
	case c == 0xde:
		return int(r.uint(2))
	default:
		r.bad = true
		return 0
	}
}

// arrayLen reads an array header; a nil reads as -1.
func (r *mpReader) arrayLen() int {
	c := r.byte()
	var n uint64
	switch {
	case c == 0xc0:
		return -1
	case c >= 0x90 && c <= 0x9f:
		n = uint64(c & 0x0f)
	case c == 0xdc:
		n = r.uint(2)
	case c == 0xdd:
		n = r.uint(4)
	default:
		r.bad = true
		return 0
	}
	if n > uint64(len(r.b)-r.p) { // every element takes at least a byte
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *mpReader) str() []byte {
	c := r.byte()
	switch {
	case c >= 0xa0 && c <= 0xbf:
		return r.take(uint64(c & 0x1f))
	case c == 0xd9:
		return r.take(r.uint(1))
	case c == 0xda:
		return r.take(r.uint(2))
	case c == 0xdb:
		return r.take(r.uint(4))
	default:
		r.bad = true
		return nil
	}
}

// bin reads a byte string; a nil reads as nil.
func (r *mpReader) bin() []byte {
	switch c := r.byte(); c {
	case 0xc0:
		return nil
	case 0xc4:
		return r.take(r.uint(1))
	case 0xc5:
		return r.take(r.uint(2))
	case 0xc6:
		return r.take(r.uint(4))
	default:
		r.bad = true
		return nil
	}
}

// nonNeg reads a non-negative integer that fits in an int64.
func (r *mpReader) nonNeg() int64 {
	c := r.byte()
	var x uint64
	switch {
	case c <= 0x7f:
		return int64(c)
	case c >= 0xcc && c <= 0xcf:
		x = r.uint(1 << (c - 0xcc))
	case c >= 0xd0 && c <= 0xd3:
		n := 1 << (c - 0xd0)
		x = r.uint(n)
		if x>>(uint(n)*8-1) != 0 { // negative
			r.bad = true
		}
	default:
		r.bad = true
	}
	if x > 1<<62 {
		r.bad = true
	}
	return int64(x)
}

func (r *mpReader) bins() [][]byte {
	n := r.arrayLen()
	if n < 0 || r.bad {
		return nil
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = r.bin()
	}
	return out
}

func decodeNodesFast(b []byte, n *Nodes) bool {
	r := mpReader{b: b}
	*n = Nodes{}
	fields := r.mapLen()
	for range fields {
		if r.bad {
			return false
		}
		switch string(r.str()) {
		case "db":
			n.DB = string(r.str())
		case "seq":
			n.Seq = uint64(r.nonNeg())
		case "keys":
			n.Keys = r.bins()
		case "values":
			n.Values = r.bins()
		case "head":
			n.Head = r.bin()
		case "step_nodes":
			x := r.nonNeg()
			if int64(int(x)) != x {
				return false
			}
			n.StepNodes = int(x)
		case "step_bytes":
			n.StepBytes = r.nonNeg()
		default:
			return false
		}
	}
	return !r.bad && r.p == len(b)
}
