package core

import (
	"encoding/binary"
	"fmt"

	"github.com/cairn-db/cairn/internal/sha256"
)

// commitVersion is the format-version byte of commit and head records.
const commitVersion = 1

// Record type bytes, following the version byte. They differ from the index
// node types so a walker can tell records apart.
const (
	recordCommit = 'C'
	recordHead   = 'H'
)

// Number of index roots a commit names, in this order.
const (
	rootEAVT = iota
	rootAEVT
	rootAVET
	rootTEAVT // temporal (history) indices, empty without keep-history
	rootTAEVT
	rootTAVET
	rootLog // the transaction log, ordered by tx
	numRoots
)

// commitRecord is the decoded form of a commit.
//
//	+---------+-------------+-----------+------------------+------------+
//	| version | type 'C' | incarnation | parent    | 7 index roots    | schema key |
//	| 1 byte  | 1 byte   | 16 bytes    | len+bytes | len+bytes each   | len+bytes  |
//	+---------+-------------+-----------+------------------+------------+
//	| max-eid varint | max-tx varint | last txInstant varint | flags 1 byte |
//	+----------------+---------------+-----------------------+--------------+
//
// A length is a uvarint and is 0 (absent) or 32 (a SHA-256 key). The commit
// is stored under the SHA-256 of these bytes, so its key is a Merkle root
// over everything it reaches (the parent link is weak: walks do not follow
// it).
type commitRecord struct {
	incarnation [16]byte
	parent      string
	roots       [numRoots]string
	schema      string
	maxEid      int64
	maxTx       int64
	lastInstant int64
	flags       byte
}

// Commit flags.
const (
	flagKeepHistory = 1 << iota
	flagDataScript
	flagSchemaRead
)

func appendKey(b []byte, k string) []byte {
	b = binary.AppendUvarint(b, uint64(len(k)))
	return append(b, k...)
}

func (c *commitRecord) encode() []byte {
	b := make([]byte, 0, 1+16+8*40+24)
	b = append(b, commitVersion, recordCommit)
	b = append(b, c.incarnation[:]...)
	b = appendKey(b, c.parent)
	for _, r := range c.roots {
		b = appendKey(b, r)
	}
	b = appendKey(b, c.schema)
	b = binary.AppendVarint(b, c.maxEid)
	b = binary.AppendVarint(b, c.maxTx)
	b = binary.AppendVarint(b, c.lastInstant)
	b = append(b, c.flags)
	return b
}

type reader struct {
	b   []byte
	p   int
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", ErrCorrupt, what, r.p)
	}
}

func (r *reader) byte() byte {
	if r.err != nil || r.p >= len(r.b) {
		r.fail("truncated")
		return 0
	}
	c := r.b[r.p]
	r.p++
	return c
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.p < n {
		r.fail("truncated")
		return nil
	}
	s := r.b[r.p : r.p+n]
	r.p += n
	return s
}

func (r *reader) key() string {
	if r.err != nil {
		return ""
	}
	n, m := binary.Uvarint(r.b[r.p:])
	if m <= 0 || (n != 0 && n != sha256.Size) {
		r.fail("bad key length")
		return ""
	}
	r.p += m
	return string(r.bytes(int(n)))
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	n, m := binary.Varint(r.b[r.p:])
	if m <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.p += m
	return n
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, m := binary.Uvarint(r.b[r.p:])
	if m <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.p += m
	return n
}

func (r *reader) done() error {
	if r.err == nil && r.p != len(r.b) {
		r.fail("trailing bytes")
	}
	return r.err
}

func decodeCommit(b []byte) (*commitRecord, error) {
	r := &reader{b: b}
	if v := r.byte(); r.err == nil && v != commitVersion {
		return nil, fmt.Errorf("%w: commit format version %d", ErrUnsupportedVersion, v)
	}
	if t := r.byte(); r.err == nil && t != recordCommit {
		return nil, fmt.Errorf("%w: not a commit record (type %d)", ErrCorrupt, t)
	}
	c := &commitRecord{}
	copy(c.incarnation[:], r.bytes(16))
	c.parent = r.key()
	for i := range c.roots {
		c.roots[i] = r.key()
	}
	c.schema = r.key()
	c.maxEid = r.varint()
	c.maxTx = r.varint()
	c.lastInstant = r.varint()
	c.flags = r.byte()
	if err := r.done(); err != nil {
		return nil, err
	}
	return c, nil
}

// headRecord is what the branch head holds: the commit key plus what a
// replica needs to order heads without reading the commit (incarnation and
// basis-t).
//
//	+---------+------------+-------------+---------------+
//	| version | commit key | incarnation | basis-t       |
//	| 1 byte  | 32 bytes   | 16 bytes    | varint        |
//	+---------+------------+-------------+---------------+
type headRecord struct {
	commit      string
	incarnation [16]byte
	basisT      int64
}

func (h *headRecord) encode() []byte {
	b := make([]byte, 0, 1+32+16+10)
	b = append(b, commitVersion, recordHead)
	b = append(b, h.commit...)
	b = append(b, h.incarnation[:]...)
	return binary.AppendVarint(b, h.basisT)
}

func decodeHead(b []byte) (*headRecord, error) {
	r := &reader{b: b}
	if v := r.byte(); r.err == nil && v != commitVersion {
		return nil, fmt.Errorf("%w: head format version %d", ErrUnsupportedVersion, v)
	}
	if t := r.byte(); r.err == nil && t != recordHead {
		return nil, fmt.Errorf("%w: not a head record (type %d)", ErrCorrupt, t)
	}
	h := &headRecord{}
	h.commit = string(r.bytes(sha256.Size))
	copy(h.incarnation[:], r.bytes(16))
	h.basisT = r.varint()
	if err := r.done(); err != nil {
		return nil, err
	}
	return h, nil
}

// hashKey returns the content address of b: its raw SHA-256 as a string.
func hashKey(b []byte) string {
	s := sha256.Sum256(b)
	return string(s[:])
}
