package schema_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cairn-db/cairn/core/schema"
)

func sampleSchemas(t testing.TB) []*schema.Schema {
	defs := [][]schema.Attr{
		nil,
		{{Ident: "name", ValueType: schema.TypeString, Unique: schema.UniqueIdentity, Eid: 1}},
		{
			{Ident: "friend", ValueType: schema.TypeRef, Cardinality: schema.CardinalityMany, IsComponent: true},
			{Ident: "a+b", ValueType: schema.TypeTuple, TupleAttrs: []string{"a", "b"}, Unique: schema.UniqueValue, Index: true},
			{Ident: "pt", ValueType: schema.TypeTuple, TupleTypes: []schema.ValueType{schema.TypeLong, schema.TypeDouble}, NoHistory: true},
			{Ident: "xs", ValueType: schema.TypeTuple, TupleType: schema.TypeKeyword, Doc: "ks"},
			{Ident: "ns/neg", ValueType: schema.TypeBigDec, Eid: -3},
		},
	}
	var out []*schema.Schema
	for i, d := range defs {
		flex := schema.Flexibility(i % 2)
		s, err := schema.New(flex, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, s := range sampleSchemas(t) {
		b := s.Encode()
		if b[0] != schema.FormatVersion {
			t.Fatal("no version byte")
		}
		d, err := schema.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Equal(s) || !bytes.Equal(d.Encode(), b) {
			t.Fatalf("round trip changed the schema")
		}
	}
}

func TestEncodeCanonical(t *testing.T) {
	a := []schema.Attr{{Ident: "b", ValueType: schema.TypeLong}, {Ident: "a", TupleAttrs: nil}}
	s1, _ := schema.New(schema.FlexWrite, a)
	s2, _ := schema.New(schema.FlexWrite, []schema.Attr{a[1], a[0]})
	if !bytes.Equal(s1.Encode(), s2.Encode()) {
		t.Fatal("definition order changed the encoding")
	}
	want := []byte{1, 0, 2, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'b', 2, 0, 0, 0, 0, 0, 0, 0, 0}
	if got := s1.Encode(); !bytes.Equal(got, want) {
		t.Fatalf("encoding % x, want % x", got, want)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good := sampleSchemas(t)[2].Encode()
	for i := range len(good) {
		if _, err := schema.Decode(good[:i]); !errors.Is(err, schema.ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	for _, b := range [][]byte{{2, 0, 0}, append(bytes.Clone(good), 0), {1, 9, 0}} {
		if _, err := schema.Decode(b); !errors.Is(err, schema.ErrCorrupt) {
			t.Fatalf("% x: %v", b, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range sampleSchemas(f) {
		f.Add(s.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := schema.Decode(b)
		if err != nil {
			return
		}
		if !bytes.Equal(s.Encode(), b) {
			t.Fatalf("decoded schema re-encodes differently")
		}
	})
}
