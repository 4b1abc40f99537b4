// Package mpacktest checks hand-written msgpack codecs (package
// peer/mpack) against github.com/vmihailenco/msgpack/v5, the library
// whose bytes the wire keeps. Tests only: it imports the library and
// package testing.
package mpacktest

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/cairn-db/cairn/peer/mpack"
	"github.com/vmihailenco/msgpack/v5"
)

// Value is a message value: its type writes itself and a pointer to it
// reads itself.
type Value interface {
	mpack.Appender
}

// Same checks that v's AppendMP writes exactly the bytes msgpack.Marshal
// writes for v, and that both decoders read those bytes back to v.
func Same(t testing.TB, v Value) {
	t.Helper()
	want, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatalf("msgpack.Marshal(%#v): %v", v, err)
	}
	got := v.AppendMP(nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("%T %+v:\nAppendMP      % x\nmsgpack wrote % x", v, v, got, want)
	}
	mine, theirs, err := decodeBoth(reflect.TypeOf(v), got)
	if err != nil {
		t.Fatalf("%T %+v: %v", v, v, err)
	}
	if !reflect.DeepEqual(mine, v) || !reflect.DeepEqual(theirs, v) {
		t.Fatalf("%T round trip:\nsent    %#v\nDecodeMP %#v\nmsgpack  %#v", v, v, mine, theirs)
	}
}

// decodeBoth decodes b into new values of type typ with DecodeMP and with
// msgpack.Unmarshal; err is DecodeMP's error (or msgpack's when DecodeMP
// accepted b and msgpack did not).
func decodeBoth(typ reflect.Type, b []byte) (mine, theirs any, err error) {
	mp := reflect.New(typ)
	handled, err := mpack.DecodeBasic(b, mp.Interface())
	if !handled {
		panic(typ.String() + " is not an mpack.Decoder")
	}
	if err != nil {
		return nil, nil, err
	}
	vp := reflect.New(typ)
	if err := msgpack.Unmarshal(b, vp.Interface()); err != nil {
		return mp.Elem().Interface(), nil, &theirErr{err}
	}
	return mp.Elem().Interface(), vp.Elem().Interface(), nil
}

type theirErr struct{ err error }

func (e *theirErr) Error() string { return "msgpack rejected it: " + e.err.Error() }

// Agree decodes arbitrary bytes b into a new value of v's type with both
// decoders. DecodeMP must not panic; whenever it accepts b, msgpack must
// accept b too and give the same value. (DecodeMP may reject what msgpack
// accepts: integers that do not fit their field, structs in array form,
// a known field twice, trailing bytes.)
func Agree(t testing.TB, v Value, b []byte) {
	t.Helper()
	mine, theirs, err := decodeBoth(reflect.TypeOf(v), b)
	if err != nil {
		if te, ok := err.(*theirErr); ok {
			t.Fatalf("%T: DecodeMP accepted % x as %#v, %v", v, b, mine, te)
		}
		return
	}
	if !reflect.DeepEqual(mine, theirs) {
		t.Fatalf("%T from % x:\nDecodeMP %#v\nmsgpack  %#v", v, b, mine, theirs)
	}
}
