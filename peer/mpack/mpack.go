// Package mpack is the msgpack of Cairn's wire messages without reflection:
// append functions that write exactly the bytes
// github.com/vmihailenco/msgpack/v5 writes for the same Go values (with its
// default options), a bounded Reader, and the two interfaces a message body
// implements to be sent (Appender) and received (Decoder) by peer.
//
// Why: the browser build (web/cairn.wasm) links no msgpack library and so
// neither its reflection-driven encoders nor package log. Natively
// peer.NewMsg and Msg.Decode still fall back to vmihailenco/msgpack for
// types that implement neither interface (tests use ad-hoc bodies); every
// message type of peer, rpc, sync and wire implements both, and their
// tests check byte equality with vmihailenco/msgpack in both directions.
//
// Encoding rules (vmihailenco/msgpack's defaults, which the wire keeps):
//   - a struct is a map keyed by its field names, in declaration order,
//     without the omitempty fields that are zero;
//   - Go int and uint are compact (the smallest form); int64 and uint64
//     are always the 9-byte int64/uint64 forms;
//   - strings are fixstr/str8/str16/str32; []byte is bin8/16/32, a nil
//     []byte and a nil slice are nil;
//   - a map[string]int64 is written with sorted keys (msgpack's order is
//     the Go map's, random: any order decodes the same).
//
// Decoding accepts what vmihailenco/msgpack accepts for the same field
// types, with two deliberate differences: integer values that do not fit
// the field (a negative number for a uint64, a uint64 above MaxInt64 for
// an int64) are errors instead of silently wrapping, and a struct must be
// a map (not the array form). Every length is checked against the bytes
// that remain before anything is allocated, so a decoder allocates at most
// a small multiple of its input, and nesting is bounded by MaxDepth.
package mpack

import (
	"encoding/binary"
	"math"
	"slices"
)

// Appender is implemented by values that write their own msgpack form.
type Appender interface {
	// AppendMP appends the msgpack encoding of the value to b.
	AppendMP(b []byte) []byte
}

// Decoder is implemented by pointers to values that read their own
// msgpack form. DecodeMP resets the value first: fields absent from the
// input are zero.
type Decoder interface {
	DecodeMP(r *Reader) error
}

// Raw is an already encoded msgpack value, written as is. An empty Raw is
// written as nil.
type Raw []byte

// AppendMP appends r, or nil when r is empty.
func (r Raw) AppendMP(b []byte) []byte {
	if len(r) == 0 {
		return AppendNil(b)
	}
	return append(b, r...)
}

// DecodeMP stores a copy of the next value's bytes; a nil value is stored
// as an empty Raw (as vmihailenco/msgpack does; AppendMP and peer.Msg read
// an empty Raw as nil again).
func (r *Raw) DecodeMP(rd *Reader) error {
	if rd.IsNil() {
		*r = nil
		return rd.Nil()
	}
	v, err := rd.Raw()
	if err != nil {
		return err
	}
	*r = slices.Clone(v)
	return nil
}

// Format codes.
const (
	codeNil     = 0xc0
	codeFalse   = 0xc2
	codeTrue    = 0xc3
	codeBin8    = 0xc4
	codeBin16   = 0xc5
	codeBin32   = 0xc6
	codeUint8   = 0xcc
	codeUint16  = 0xcd
	codeUint32  = 0xce
	codeUint64  = 0xcf
	codeInt8    = 0xd0
	codeInt16   = 0xd1
	codeInt32   = 0xd2
	codeInt64   = 0xd3
	codeStr8    = 0xd9
	codeStr16   = 0xda
	codeStr32   = 0xdb
	codeArray16 = 0xdc
	codeArray32 = 0xdd
	codeMap16   = 0xde
	codeMap32   = 0xdf
)

// AppendNil appends nil.
func AppendNil(b []byte) []byte { return append(b, codeNil) }

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, codeTrue)
	}
	return append(b, codeFalse)
}

func appendCode16(b []byte, c byte, n uint16) []byte {
	return binary.BigEndian.AppendUint16(append(b, c), n)
}

func appendCode32(b []byte, c byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append(b, c), n)
}

func appendCode64(b []byte, c byte, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append(b, c), n)
}

// AppendInt appends n in its smallest form (a Go int field).
func AppendInt(b []byte, n int64) []byte {
	switch {
	case n >= 0:
		return AppendUint(b, uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= math.MinInt8:
		return append(b, codeInt8, byte(n))
	case n >= math.MinInt16:
		return appendCode16(b, codeInt16, uint16(n))
	case n >= math.MinInt32:
		return appendCode32(b, codeInt32, uint32(n))
	}
	return appendCode64(b, codeInt64, uint64(n))
}

// AppendUint appends n in its smallest form (a Go uint field).
func AppendUint(b []byte, n uint64) []byte {
	switch {
	case n <= math.MaxInt8:
		return append(b, byte(n))
	case n <= math.MaxUint8:
		return append(b, codeUint8, byte(n))
	case n <= math.MaxUint16:
		return appendCode16(b, codeUint16, uint16(n))
	case n <= math.MaxUint32:
		return appendCode32(b, codeUint32, uint32(n))
	}
	return appendCode64(b, codeUint64, n)
}

// AppendInt64 appends n as a 9-byte int64 (a Go int64 field).
func AppendInt64(b []byte, n int64) []byte { return appendCode64(b, codeInt64, uint64(n)) }

// AppendUint64 appends n as a 9-byte uint64 (a Go uint64 field).
func AppendUint64(b []byte, n uint64) []byte { return appendCode64(b, codeUint64, n) }

// AppendString appends s as a string.
func AppendString(b []byte, s string) []byte {
	if n := len(s); n < 32 {
		b = append(b, 0xa0|byte(n))
	} else {
		b = appendLen(b, n, codeStr8, codeStr16, codeStr32)
	}
	return append(b, s...)
}

// AppendBytes appends p as binary; a nil p as nil.
func AppendBytes(b []byte, p []byte) []byte {
	if p == nil {
		return AppendNil(b)
	}
	return append(appendLen(b, len(p), codeBin8, codeBin16, codeBin32), p...)
}

// appendLen appends the header of a string or binary of n bytes in the
// smallest of its 8-, 16- and 32-bit forms.
func appendLen(b []byte, n int, c8, c16, c32 byte) []byte {
	switch {
	case n <= math.MaxUint8:
		return append(b, c8, byte(n))
	case n <= math.MaxUint16:
		return appendCode16(b, c16, uint16(n))
	}
	return appendCode32(b, c32, uint32(n))
}

// AppendArrayHeader appends the header of an array of n values.
func AppendArrayHeader(b []byte, n int) []byte {
	return appendContainer(b, n, 0x90, codeArray16, codeArray32)
}

// AppendMapHeader appends the header of a map of n key-value pairs.
func AppendMapHeader(b []byte, n int) []byte {
	return appendContainer(b, n, 0x80, codeMap16, codeMap32)
}

// appendContainer appends an array or map header: the fix form (fix|n)
// below 16, else the 16- or 32-bit form.
func appendContainer(b []byte, n int, fix, c16, c32 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= math.MaxUint16:
		return appendCode16(b, c16, uint16(n))
	}
	return appendCode32(b, c32, uint32(n))
}

// AppendBytesList appends a [][]byte: an array of binaries, nil when v is.
func AppendBytesList(b []byte, v [][]byte) []byte { return appendList(b, v, AppendBytes) }

// AppendStrings appends a []string: an array of strings, nil when v is.
func AppendStrings(b []byte, v []string) []byte { return appendList(b, v, AppendString) }

// appendList appends v as an array of elem's encodings, nil when v is.
func appendList[T any](b []byte, v []T, elem func([]byte, T) []byte) []byte {
	if v == nil {
		return AppendNil(b)
	}
	b = AppendArrayHeader(b, len(v))
	for _, x := range v {
		b = elem(b, x)
	}
	return b
}

// AppendStringInt64Map appends a map[string]int64 with sorted keys (values
// as 9-byte int64s), nil when m is.
func AppendStringInt64Map(b []byte, m map[string]int64) []byte {
	if m == nil {
		return AppendNil(b)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = AppendMapHeader(b, len(keys))
	for _, k := range keys {
		b = AppendInt64(AppendString(b, k), m[k])
	}
	return b
}

// Fields counts the fields of a struct being encoded: n plus one for each
// true condition (the omitempty fields that are present).
func Fields(n int, present ...bool) int {
	for _, p := range present {
		if p {
			n++
		}
	}
	return n
}
