// Package datom defines Cairn's values and datoms: the closed set of value
// kinds, the one total order across them, the index orders (EAVT, AEVT,
// AVET and the transaction log's TEAV), and their canonical binary encoding.
//
// # Values
//
// A Value is a small struct, not an interface{} compared by reflection. The
// kinds are ordered as follows when they differ:
//
//	nil < boolean < number < instant < string < keyword < symbol < uuid < bytes < tuple
//
// Numbers (long, double, bigint, bigdec) form one class and compare
// numerically across kinds, so 1 and 1.0 are the same index position and
// join as equal. Reference values are entity ids and are stored as longs:
// an attribute's :db.type/ref says a long names an entity, the value does
// not carry it. Keywords and symbols are stored without the leading colon,
// as "name" or "ns/name".
//
// # Encoding
//
// AppendValue / DecodeValue give the canonical bytes of a value: one kind
// byte, then the payload (zig-zag varint for longs and instants, 8 bytes
// big-endian for doubles, uvarint length + bytes for text kinds, 16 bytes
// for a uuid, uvarint count + elements for a tuple). Equal values always
// encode to equal bytes, which is what makes nodes content-addressable.
// Decoding is bounded and returns ErrCorrupt on malformed input.
package datom
