package index

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/internal/sha256"
)

// FormatVersion is the node format version: the first byte of every
// encoded node. Peers exchange it in their hello; a mismatch is an
// "upgrade required".
const FormatVersion = 1

// Node format constants. See the package doc for the layout.
const (
	formatVersion = FormatVersion

	typeLeaf   = 0
	typeBranch = 1

	// KeySize is the length of a node key: a raw SHA-256 digest.
	KeySize = sha256.Size

	maxLevel   = 40   // far above any real tree (fan-out >= 2 per level)
	maxAttrLen = 4096 // the bound datom.DecodeDatom applies too
	maxEntries = 1 << 20

	flagSameE  = 1 << 0 // e equals the previous datom's e
	flagSameA  = 1 << 1 // attribute equals the previous datom's attribute
	flagSameTx = 1 << 2 // tx equals the previous datom's tx
	flagAdded  = 1 << 3 // the datom is an assertion
	flagMask   = flagSameE | flagSameA | flagSameTx | flagAdded
)

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// appendDelta appends d encoded against prev (the previous datom of the same
// sequence, or the zero datom for the first one).
func appendDelta(b []byte, d, prev *datom.Datom) []byte {
	var f byte
	if d.E == prev.E {
		f |= flagSameE
	}
	if d.A == prev.A {
		f |= flagSameA
	}
	if d.Tx == prev.Tx {
		f |= flagSameTx
	}
	if d.Added {
		f |= flagAdded
	}
	b = append(b, f)
	if f&flagSameE == 0 {
		b = binary.AppendVarint(b, d.E-prev.E) // wraps; decoding wraps back
	}
	if f&flagSameA == 0 {
		b = binary.AppendUvarint(b, uint64(len(d.A)))
		b = append(b, d.A...)
	}
	b = datom.AppendValue(b, d.V)
	if f&flagSameTx == 0 {
		b = binary.AppendVarint(b, d.Tx-prev.Tx)
	}
	return b
}

// appendSeq appends a delta-encoded datom sequence.
func appendSeq(b []byte, ds []datom.Datom) []byte {
	var zero datom.Datom
	prev := &zero
	for i := range ds {
		b = appendDelta(b, &ds[i], prev)
		prev = &ds[i]
	}
	return b
}

// readVarint reads a minimally encoded, non-zero varint delta.
func readDelta(b []byte) (int64, int, bool) {
	x, n := binary.Varint(b)
	if n <= 0 || x == 0 || n != uvarintLen(zigzag(x)) {
		return 0, 0, false
	}
	return x, n, true
}

func readUvarint(b []byte) (uint64, int, bool) {
	x, n := binary.Uvarint(b)
	if n <= 0 || n != uvarintLen(x) {
		return 0, 0, false
	}
	return x, n, true
}

// decodeSeq decodes len(out) delta-encoded datoms from b into out and
// returns the bytes read. Attribute strings are shared between datoms of one
// node.
func decodeSeq(b []byte, out []datom.Datom) (int, error) {
	var attrs [16]string
	na := 0
	var prev datom.Datom
	p := 0
	for i := range out {
		if p >= len(b) {
			return 0, corruptf("datom %d: truncated", i)
		}
		f := b[p]
		p++
		if f&^flagMask != 0 {
			return 0, corruptf("datom %d: bad flags %#x", i, f)
		}
		d := datom.Datom{E: prev.E, A: prev.A, Tx: prev.Tx, Added: f&flagAdded != 0}
		if f&flagSameE == 0 {
			x, n, ok := readDelta(b[p:])
			if !ok {
				return 0, corruptf("datom %d: bad entity delta", i)
			}
			d.E += x
			p += n
		}
		if f&flagSameA == 0 {
			l, n, ok := readUvarint(b[p:])
			if !ok || l > maxAttrLen || l > uint64(len(b)-p-n) {
				return 0, corruptf("datom %d: bad attribute length", i)
			}
			p += n
			a := b[p : p+int(l)]
			p += int(l)
			if string(a) == prev.A {
				return 0, corruptf("datom %d: repeated attribute not flagged", i)
			}
			found := false
			for j := range na {
				if attrs[j] == string(a) {
					d.A, found = attrs[j], true
					break
				}
			}
			if !found {
				d.A = string(a)
				if na < len(attrs) {
					attrs[na] = d.A
					na++
				}
			}
		}
		v, n, err := datom.DecodeValue(b[p:])
		if err != nil {
			return 0, fmt.Errorf("%w: datom %d: %w", ErrCorrupt, i, err)
		}
		d.V = v
		p += n
		if f&flagSameTx == 0 {
			x, n, ok := readDelta(b[p:])
			if !ok {
				return 0, corruptf("datom %d: bad tx delta", i)
			}
			d.Tx += x
			p += n
		}
		out[i] = d
		prev = d
	}
	return p, nil
}

// encodeNode returns the canonical bytes of a clean node (for a branch every
// child must have its key).
func encodeNode(n *node) []byte {
	b := make([]byte, 0, n.size+16)
	b = append(b, formatVersion)
	if n.level == 0 {
		b = append(b, typeLeaf)
		b = binary.AppendUvarint(b, uint64(len(n.datoms)))
		return appendSeq(b, n.datoms)
	}
	b = append(b, typeBranch)
	b = binary.AppendUvarint(b, uint64(n.level))
	b = binary.AppendUvarint(b, uint64(len(n.kids)))
	for i := range n.kids {
		b = append(b, n.kids[i].key...)
		b = binary.AppendUvarint(b, uint64(n.kids[i].count))
	}
	var zero datom.Datom
	prev := &zero
	for i := range n.kids {
		b = appendDelta(b, &n.kids[i].first, prev)
		prev = &n.kids[i].first
	}
	return b
}

// header is the fixed part of an encoded node.
type header struct {
	level int // 0 for a leaf
	n     int // entries
	p     int // offset of the first entry
}

func decodeHeader(b []byte) (header, error) {
	var h header
	if len(b) < 3 {
		return h, corruptf("node too short (%d bytes)", len(b))
	}
	if b[0] != formatVersion {
		return h, corruptf("unknown format version %d", b[0])
	}
	p := 2
	switch b[1] {
	case typeLeaf:
	case typeBranch:
		l, n, ok := readUvarint(b[p:])
		if !ok || l < 1 || l > maxLevel {
			return h, corruptf("bad branch level")
		}
		h.level = int(l)
		p += n
	default:
		return h, corruptf("unknown node type %d", b[1])
	}
	cnt, n, ok := readUvarint(b[p:])
	if !ok || cnt < 1 || cnt > maxEntries {
		return h, corruptf("bad entry count")
	}
	p += n
	// Every datom takes at least 2 bytes (flags, value kind); every branch
	// entry at least KeySize+1+2.
	min := uint64(2)
	if h.level > 0 {
		min = KeySize + 3
	}
	if cnt > uint64(len(b)-p)/min {
		return h, corruptf("entry count %d exceeds node size", cnt)
	}
	h.n, h.p = int(cnt), p
	return h, nil
}

// decodeNode decodes and validates the structure of an encoded node. It
// never panics; every error wraps ErrCorrupt. Ordering is checked by the tree
// that loads the node (it knows the comparator).
func decodeNode(b []byte) (*node, error) {
	h, err := decodeHeader(b)
	if err != nil {
		return nil, err
	}
	p := h.p
	n := &node{level: h.level}
	if h.level == 0 {
		n.datoms = make([]datom.Datom, h.n)
		m, err := decodeSeq(b[p:], n.datoms)
		if err != nil {
			return nil, err
		}
		p += m
		n.count = int64(h.n)
	} else {
		n.kids = make([]ref, h.n)
		var total uint64
		for i := range n.kids {
			if len(b)-p < KeySize {
				return nil, corruptf("child %d: truncated key", i)
			}
			n.kids[i].key = string(b[p : p+KeySize])
			p += KeySize
			c, m, ok := readUvarint(b[p:])
			if !ok || c < 1 || c > 1<<62 {
				return nil, corruptf("child %d: bad count", i)
			}
			p += m
			total += c
			if total > 1<<62 {
				return nil, corruptf("subtree count overflows")
			}
			n.kids[i].count = int64(c)
		}
		seps := make([]datom.Datom, h.n)
		m, err := decodeSeq(b[p:], seps)
		if err != nil {
			return nil, err
		}
		p += m
		for i := range seps {
			n.kids[i].first = seps[i]
		}
		n.count = int64(total)
	}
	if p != len(b) {
		return nil, corruptf("%d trailing bytes", len(b)-p)
	}
	n.size = len(b)
	n.mem = memEstimate(n)
	return n, nil
}

// Children returns the keys of the children of an encoded node, in order,
// or nil for a leaf. A branch is decoded and checked in full; of a leaf only
// the header is checked. Errors wrap ErrCorrupt.
func Children(encoded []byte) ([]string, error) {
	h, err := decodeHeader(encoded)
	if err != nil {
		return nil, err
	}
	if h.level == 0 {
		return nil, nil
	}
	n, err := decodeNode(encoded)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(n.kids))
	for i := range n.kids {
		keys[i] = n.kids[i].key
	}
	return keys, nil
}

// hashKey returns the key of encoded node bytes.
func hashKey(b []byte) string {
	s := sha256.Sum256(b)
	return string(s[:])
}

// verify checks that b hashes to key.
func verify(key string, b []byte) error {
	if hashKey(b) != key {
		return fmt.Errorf("%w (%w): key %x", ErrHashMismatch, ErrCorrupt, shortKey(key))
	}
	return nil
}

func shortKey(k string) string {
	if len(k) > 8 {
		return k[:8]
	}
	return k
}
