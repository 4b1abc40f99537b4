package rpc

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/peer/mpack"
	"github.com/cairn-db/cairn/peer/mpack/mpacktest"
	"github.com/vmihailenco/msgpack/v5"
)

// The bodies with raw fields, as vmihailenco/msgpack sees them
// (msgpack.RawMessage is written as is; mpack.Raw would be a binary).
type (
	refCall struct {
		ID            uint64             `msgpack:"id"`
		Fn            string             `msgpack:"fn"`
		Args          msgpack.RawMessage `msgpack:"args"`
		TimeoutMicros int64              `msgpack:"timeout_us,omitempty"`
	}
	refResult struct {
		ID     uint64             `msgpack:"id"`
		Result msgpack.RawMessage `msgpack:"result,omitempty"`
		Error  *Error             `msgpack:"error,omitempty"`
	}
)

func (c callBody) ref() refCall {
	return refCall{ID: c.ID, Fn: c.Fn, Args: msgpack.RawMessage(c.Args), TimeoutMicros: c.TimeoutMicros}
}

func (r resultBody) ref() refResult {
	return refResult{ID: r.ID, Result: msgpack.RawMessage(r.Result), Error: r.Error}
}

func rawOf(t testing.TB, v any) mpack.Raw {
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func callSamples(t testing.TB) []callBody {
	return []callBody{
		{ID: 1, Fn: "transact", Args: rawOf(t, map[string]string{"db": "x"})},
		{ID: 1 << 40, Fn: strings.Repeat("f", 40), Args: rawOf(t, nil), TimeoutMicros: 5_000_000},
		{ID: 7, Fn: "f", Args: rawOf(t, []any{1, "two", 3.5, []byte{4}}), TimeoutMicros: -1},
	}
}

func resultSamples(t testing.TB) []resultBody {
	return []resultBody{
		{ID: 1},
		{ID: 2, Result: rawOf(t, true)},
		{ID: 3, Error: &Error{Code: CodeRemote, Message: "boom"}},
		{ID: 4, Result: rawOf(t, strings.Repeat("r", 70000)), Error: &Error{}},
	}
}

// The rpc bodies encode to exactly vmihailenco/msgpack's bytes, and both
// decoders read them back.
func TestMsgCodecMatchesMsgpack(t *testing.T) {
	for _, v := range []mpacktest.Value{cancelBody{}, cancelBody{ID: 1<<64 - 1}, Error{}, Error{Code: CodeTimeout, Message: "late"}} {
		mpacktest.Same(t, v)
	}
	for _, c := range callSamples(t) {
		got := c.AppendMP(nil)
		if want := rawOf(t, c.ref()); !bytes.Equal(got, want) {
			t.Fatalf("%+v:\nAppendMP % x\nmsgpack  % x", c, got, want)
		}
		var back callBody
		if bytes.Equal(c.Args, []byte{0xc0}) {
			c.Args = nil // both decoders read a nil raw value as empty
		}
		if ok, err := mpack.DecodeBasic(got, &back); !ok || err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("decode %+v: %+v, %v", c, back, err)
		}
	}
	for _, r := range resultSamples(t) {
		got := r.AppendMP(nil)
		if want := rawOf(t, r.ref()); !bytes.Equal(got, want) {
			t.Fatalf("%+v:\nAppendMP % x\nmsgpack  % x", r, got, want)
		}
		var back resultBody
		if ok, err := mpack.DecodeBasic(got, &back); !ok || err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("decode %+v: %+v, %v", r, back, err)
		}
	}
}

// FuzzDecodeBodies: on any bytes the rpc bodies' DecodeMP returns without
// panicking, and whatever it accepts vmihailenco/msgpack accepts with the
// same result.
func FuzzDecodeBodies(f *testing.F) {
	for _, c := range callSamples(f) {
		f.Add(c.AppendMP(nil))
	}
	for _, r := range resultSamples(f)[:3] {
		f.Add(r.AppendMP(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mpacktest.Agree(t, cancelBody{}, b)
		mpacktest.Agree(t, Error{}, b)
		var c callBody
		if ok, err := mpack.DecodeBasic(b, &c); ok && err == nil {
			var ref refCall
			if err := msgpack.Unmarshal(b, &ref); err != nil {
				t.Fatalf("DecodeMP accepted % x as %+v, msgpack: %v", b, c, err)
			}
			if !reflect.DeepEqual(c.ref(), ref) {
				t.Fatalf("% x: DecodeMP %+v, msgpack %+v", b, c.ref(), ref)
			}
		}
		var r resultBody
		if ok, err := mpack.DecodeBasic(b, &r); ok && err == nil {
			var ref refResult
			if err := msgpack.Unmarshal(b, &ref); err != nil {
				t.Fatalf("DecodeMP accepted % x as %+v, msgpack: %v", b, r, err)
			}
			if !reflect.DeepEqual(r.ref(), ref) {
				t.Fatalf("% x: DecodeMP %+v, msgpack %+v", b, r.ref(), ref)
			}
		}
	})
}
