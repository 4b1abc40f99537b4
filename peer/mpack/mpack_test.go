package mpack_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/peer/mpack"
	"github.com/vmihailenco/msgpack/v5"
)

func lengths() []int { return []int{0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536} }

// basics has values of every type AppendBasic writes, around every size
// boundary of the format.
func basics() []any {
	vs := []any{nil, true, false, struct{}{}, []byte(nil), []string(nil)}
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		vs = append(vs, int(n), n)
		if n >= 0 {
			vs = append(vs, uint(n), uint64(n))
		}
	}
	vs = append(vs, uint64(math.MaxUint64), uint(math.MaxUint64))
	for _, n := range lengths() {
		vs = append(vs, strings.Repeat("s", n), bytes.Repeat([]byte{'b'}, n), make([]string, n))
	}
	return vs
}

// AppendBasic writes exactly what vmihailenco/msgpack writes.
func TestAppendBasicMatchesMsgpack(t *testing.T) {
	for _, v := range basics() {
		want, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := mpack.AppendBasic(nil, v)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("%T(%.40v): AppendBasic % .20x (%v), msgpack % .20x", v, v, got, ok, want)
		}
	}
	if _, ok := mpack.AppendBasic(nil, 1.5); ok {
		t.Fatal("AppendBasic took a float64")
	}
}

// Headers of every size, against msgpack's encoder.
func TestHeadersMatchMsgpack(t *testing.T) {
	for _, n := range lengths() {
		var want bytes.Buffer
		enc := msgpack.NewEncoder(&want)
		if err := enc.EncodeArrayLen(n); err != nil {
			t.Fatal(err)
		}
		if err := enc.EncodeMapLen(n); err != nil {
			t.Fatal(err)
		}
		got := mpack.AppendMapHeader(mpack.AppendArrayHeader(nil, n), n)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("headers of %d: % x, msgpack % x", n, got, want.Bytes())
		}
	}
}

// The Reader reads back every basic value, in whichever form msgpack
// wrote it.
func TestDecodeBasic(t *testing.T) {
	for _, v := range basics() {
		b, _ := msgpack.Marshal(v)
		switch v := v.(type) {
		case int, int64, uint, uint64:
			var i64 int64
			_, err := mpack.DecodeBasic(b, &i64)
			var u64 uint64
			_, uerr := mpack.DecodeBasic(b, &u64)
			n := reflect.ValueOf(v)
			if n.CanInt() {
				if err != nil || i64 != n.Int() {
					t.Fatalf("int64 of %v: %d, %v", v, i64, err)
				}
				if (n.Int() < 0) != (uerr != nil) || (uerr == nil && u64 != uint64(n.Int())) {
					t.Fatalf("uint64 of %v: %d, %v", v, u64, uerr)
				}
			} else {
				if uerr != nil || u64 != n.Uint() {
					t.Fatalf("uint64 of %v: %d, %v", v, u64, uerr)
				}
				if (n.Uint() > math.MaxInt64) != (err != nil) {
					t.Fatalf("int64 of %v: %d, %v", v, i64, err)
				}
			}
		case string:
			var s string
			if _, err := mpack.DecodeBasic(b, &s); err != nil || s != v {
				t.Fatalf("string of %d bytes: %v", len(v), err)
			}
		case []byte:
			var p []byte
			if _, err := mpack.DecodeBasic(b, &p); err != nil || !bytes.Equal(p, v) || (p == nil) != (v == nil) {
				t.Fatalf("bytes of %d: %v", len(v), err)
			}
		case []string:
			var s []string
			if _, err := mpack.DecodeBasic(b, &s); err != nil || !reflect.DeepEqual(s, v) {
				t.Fatalf("[]string of %d: %v", len(v), err)
			}
		case bool:
			var x bool
			if _, err := mpack.DecodeBasic(b, &x); err != nil || x != v {
				t.Fatalf("bool %v: %v", v, err)
			}
		}
	}
}

// Malformed input gives errors wrapping ErrMalformed, never a panic or an
// allocation sized by a length prefix.
func TestMalformed(t *testing.T) {
	for _, b := range [][]byte{
		{}, {0xc1}, {0xdd, 0xff, 0xff, 0xff, 0xff}, {0xdb, 0xff, 0xff, 0xff, 0xff, 'x'}, {0xc6, 0, 0, 0, 9, 1},
		{0x92, 0x01}, {0xcf, 1, 2}, {0x93, 0xa1, 'x', 0xc4, 0x01, 1, 0x01}, append(bytes.Repeat([]byte{0x91}, mpack.MaxDepth+1), 0xc0),
	} {
		var s []string
		if _, err := mpack.DecodeBasic(b, &s); !errors.Is(err, mpack.ErrMalformed) {
			t.Errorf("% x as []string: %v", b, err)
		}
		if _, err := mpack.Skip(b); err == nil && len(b) > 0 && b[0] != 0x93 {
			t.Errorf("Skip(% x) accepted it", b)
		}
	}
	if _, err := mpack.DecodeBasic([]byte{0xc0, 0xc0}, new(string)); !errors.Is(err, mpack.ErrMalformed) {
		t.Errorf("trailing bytes: %v", err)
	}
	var x uint64
	if _, err := mpack.DecodeBasic([]byte{0xff}, &x); !errors.Is(err, mpack.ErrMalformed) {
		t.Errorf("-1 as uint64: %v", err)
	}
}

// FuzzReader: on any bytes the Reader and Skip never panic; whatever
// DecodeBasic accepts, vmihailenco/msgpack accepts with the same value,
// and Skip measures a value exactly as msgpack's decoder does.
func FuzzReader(f *testing.F) {
	for _, v := range basics() {
		if b, _ := msgpack.Marshal(v); len(b) < 1024 {
			f.Add(b)
		}
	}
	f.Add([]byte{0x82, 0xa1, 'a', 0x91, 0xc0, 0xa1, 'b', 0xd4, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []reflect.Type{
			reflect.TypeFor[bool](), reflect.TypeFor[int](), reflect.TypeFor[int64](), reflect.TypeFor[uint64](),
			reflect.TypeFor[string](), reflect.TypeFor[[]byte](), reflect.TypeFor[[]string](),
		} {
			mine := reflect.New(typ)
			if _, err := mpack.DecodeBasic(b, mine.Interface()); err != nil {
				if !errors.Is(err, mpack.ErrMalformed) {
					t.Fatalf("%v: error %v does not wrap ErrMalformed", typ, err)
				}
				continue
			}
			theirs := reflect.New(typ)
			if err := msgpack.Unmarshal(b, theirs.Interface()); err != nil {
				t.Fatalf("%v: DecodeBasic accepted % x as %v, msgpack: %v", typ, b, mine.Elem(), err)
			}
			if !reflect.DeepEqual(mine.Elem().Interface(), theirs.Elem().Interface()) {
				t.Fatalf("%v from % x: DecodeBasic %#v, msgpack %#v", typ, b, mine.Elem(), theirs.Elem())
			}
		}
		n, err := mpack.Skip(b)
		if err != nil {
			return
		}
		dec := msgpack.NewDecoder(bytes.NewReader(b[:n]))
		if err := dec.Skip(); err != nil {
			t.Fatalf("Skip took %d bytes of % x, msgpack cannot skip them: %v", n, b, err)
		}
		if rest := dec.Buffered(); rest.(*bytes.Reader).Len() != 0 {
			t.Fatalf("Skip took %d bytes of % x, msgpack's value is shorter", n, b)
		}
	})
}
