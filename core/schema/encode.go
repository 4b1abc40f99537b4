package schema

import (
	"encoding/binary"
	"fmt"
)

// FormatVersion is the leading byte of an encoded schema.
const FormatVersion byte = 1

// Encoded schema layout (every integer a uvarint unless noted):
//
//	+---------+------+---------+--------+--------+-----
//	| version | flex | n attrs | attr 1 | attr 2 | ...
//	+---------+------+---------+--------+--------+-----
//	  byte      byte
//
//	attr := len ident | valueType byte | cardinality byte | unique byte |
//	        flags byte (1 index, 2 isComponent, 4 noHistory) |
//	        len doc | eid (zig-zag varint) |
//	        n tupleAttrs { len ident } | tupleType byte | n tupleTypes { byte }
//
// Attributes are in ident order (strictly ascending) and system attributes
// are not encoded, so equal schemas encode to equal bytes.

const flagIndex, flagComponent, flagNoHistory = 1, 2, 4

// Encode returns the canonical bytes of the schema.
func (s *Schema) Encode() []byte {
	b := []byte{FormatVersion, byte(s.flex)}
	b = binary.AppendUvarint(b, uint64(len(s.attrs)))
	for _, a := range s.attrs {
		b = appendString(b, a.Ident)
		var flags byte
		if a.Index {
			flags |= flagIndex
		}
		if a.IsComponent {
			flags |= flagComponent
		}
		if a.NoHistory {
			flags |= flagNoHistory
		}
		b = append(b, byte(a.ValueType), byte(a.Cardinality), byte(a.Unique), flags)
		b = appendString(b, a.Doc)
		b = binary.AppendVarint(b, a.Eid)
		b = binary.AppendUvarint(b, uint64(len(a.TupleAttrs)))
		for _, t := range a.TupleAttrs {
			b = appendString(b, t)
		}
		b = append(b, byte(a.TupleType))
		b = binary.AppendUvarint(b, uint64(len(a.TupleTypes)))
		for _, t := range a.TupleTypes {
			b = append(b, byte(t))
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Decode reads a schema from its encoding. It returns an error wrapping
// ErrCorrupt for anything that Encode would not have produced: a wrong
// version, truncated or trailing bytes, out-of-range fields, attributes
// out of order, or definitions New rejects. It never panics and allocates
// in proportion to the input.
func Decode(b []byte) (*Schema, error) {
	d := decoder{b: b}
	if d.byte() != FormatVersion {
		return nil, corrupt("unknown format version")
	}
	flex := Flexibility(d.byte())
	n := d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	if n > uint64(len(b)) { // every attribute takes more than one byte
		return nil, corrupt("attribute count too large")
	}
	defs := make([]Attr, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		var a Attr
		a.Ident = d.string(maxIdentLen)
		a.ValueType = ValueType(d.byte())
		a.Cardinality = Cardinality(d.byte())
		a.Unique = Unique(d.byte())
		flags := d.byte()
		if flags&^(flagIndex|flagComponent|flagNoHistory) != 0 {
			d.fail("bad flags")
		}
		a.Index, a.IsComponent, a.NoHistory = flags&flagIndex != 0, flags&flagComponent != 0, flags&flagNoHistory != 0
		a.Doc = d.string(maxDocLen)
		a.Eid = d.varint()
		if k := d.uvarint(); k > maxTupleLen {
			d.fail("too many tuple attributes")
		} else {
			for j := uint64(0); j < k && d.err == nil; j++ {
				a.TupleAttrs = append(a.TupleAttrs, d.string(maxIdentLen))
			}
		}
		a.TupleType = ValueType(d.byte())
		if k := d.uvarint(); k > maxTupleLen {
			d.fail("too many tuple types")
		} else {
			for j := uint64(0); j < k && d.err == nil; j++ {
				a.TupleTypes = append(a.TupleTypes, ValueType(d.byte()))
			}
		}
		if d.err == nil && len(defs) > 0 && defs[len(defs)-1].Ident >= a.Ident {
			d.fail("attributes out of order")
		}
		defs = append(defs, a)
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.p != len(b) {
		return nil, corrupt("trailing bytes")
	}
	s, err := New(flex, defs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return s, nil
}

type decoder struct {
	b   []byte
	p   int
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = corrupt(msg)
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.p >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	c := d.b[d.p]
	d.p++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b[d.p:])
	if n <= 0 || n != len(binary.AppendUvarint(nil, x)) {
		d.fail("bad uvarint")
		return 0
	}
	d.p += n
	return x
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b[d.p:])
	if n <= 0 || n != len(binary.AppendVarint(nil, x)) {
		d.fail("bad varint")
		return 0
	}
	d.p += n
	return x
}

func (d *decoder) string(max int) string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(max) || n > uint64(len(d.b)-d.p) {
		d.fail("bad string length")
		return ""
	}
	s := string(d.b[d.p : d.p+int(n)])
	d.p += int(n)
	return s
}
