package peer_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/peer"
	"github.com/vmihailenco/msgpack/v5"
)

func TestFrameBytes(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		body any
		want []byte
	}{
		{"a/b", nil, []byte{0x92, 0xa3, 'a', '/', 'b', 0xc0}},
		{"rpc/call", 1, []byte{0x92, 0xa8, 'r', 'p', 'c', '/', 'c', 'a', 'l', 'l', 0x01}},
		{"x/y", []string{"hi"}, []byte{0x92, 0xa3, 'x', '/', 'y', 0x91, 0xa2, 'h', 'i'}},
	} {
		f, err := peer.EncodeFrame(msg(t, tc.typ, tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f, tc.want) {
			t.Errorf("%s: got % x, want % x", tc.typ, f, tc.want)
		}
		m, err := peer.DecodeFrame(f)
		if err != nil || m.Type != tc.typ {
			t.Errorf("%s: decode %v %v", tc.typ, m.Type, err)
		}
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	deep := append([]byte{0x92, 0xa1, 'x'}, bytes.Repeat([]byte{0x91}, peer.MaxDepth+1)...)
	deep = append(deep, 0xc0)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not an array", []byte{0x93, 0xa1, 'x', 0xc0}},
		{"type not a string", []byte{0x92, 0x01, 0xc0}},
		{"empty type", []byte{0x92, 0xa0, 0xc0}},
		{"type with space", []byte{0x92, 0xa3, 'a', ' ', 'b', 0xc0}},
		{"type with control byte", []byte{0x92, 0xa2, 'a', '\n', 0xc0}},
		{"no body", []byte{0x92, 0xa1, 'x'}},
		{"trailing bytes", []byte{0x92, 0xa1, 'x', 0xc0, 0xc0}},
		{"array32 4G elements", []byte{0x92, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}},
		{"map32 4G entries", []byte{0x92, 0xa1, 'x', 0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0}},
		{"str32 4 GiB", []byte{0x92, 0xa1, 'x', 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}},
		{"bin32 truncated", []byte{0x92, 0xa1, 'x', 0xc6, 0x00, 0x00, 0x01, 0x00, 'a'}},
		{"ext32 huge", []byte{0x92, 0xa1, 'x', 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"array16 short", []byte{0x92, 0xa1, 'x', 0xdc, 0x00, 0x03, 0x01, 0x02}},
		{"reserved code", []byte{0x92, 0xa1, 'x', 0xc1}},
		{"too deep", deep},
		{"int64 truncated", []byte{0x92, 0xa1, 'x', 0xd3, 0x01}},
	} {
		_, err := peer.DecodeFrame(tc.b)
		if !errors.Is(err, peer.ErrMalformedFrame) {
			t.Errorf("%s: got %v, want ErrMalformedFrame", tc.name, err)
		}
	}
	if _, err := peer.NewMsg(strings.Repeat("t", peer.MaxTypeLen+1), nil); !errors.Is(err, peer.ErrMalformedFrame) {
		t.Errorf("long type: %v", err)
	}
}

func msg(t testing.TB, typ string, body any) peer.Msg {
	t.Helper()
	m, err := peer.NewMsg(typ, body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type fuzzBody struct {
	ID   uint64             `msgpack:"id"`
	Name string             `msgpack:"name"`
	Args []any              `msgpack:"args"`
	Meta map[string]string  `msgpack:"meta"`
	Raw  msgpack.RawMessage `msgpack:"raw"`
	List []fuzzItem         `msgpack:"list"`
}

type fuzzItem struct {
	A int
	B []byte
}

// FuzzDecodeFrame checks that DecodeFrame and a following Decode never
// panic, never allocate without bound, and that a frame it accepts survives
// an encode/decode round trip.
func FuzzDecodeFrame(f *testing.F) {
	seeds := []peer.Msg{
		msg(f, "peer/hello", map[string]any{"protocol": 1, "node_format": 1}),
		msg(f, "peer/auth", map[string]string{"token": "secret"}),
		msg(f, "rpc/call", map[string]any{"id": 7, "fn": "transact", "args": []any{"x", 1.5, true, nil, []byte{1, 2}}, "timeout_us": 5000}),
		msg(f, "rpc/result", map[string]any{"id": 7, "error": map[string]string{"code": "remote-error", "message": "boom"}}),
		msg(f, "sync/batch", fuzzBody{ID: 1, Name: "n", List: []fuzzItem{{1, []byte("node")}}, Meta: map[string]string{"k": "v"}}),
		msg(f, "x/y", nil),
	}
	for _, m := range seeds {
		b, err := peer.EncodeFrame(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x92, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0})
	f.Add([]byte{0x92, 0xa1, 'x', 0xc7, 0x0c, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := peer.DecodeFrame(b)
		if err != nil {
			if !errors.Is(err, peer.ErrMalformedFrame) {
				t.Fatalf("error %v is not ErrMalformedFrame", err)
			}
			return
		}
		// Bodies that passed the check decode (or fail) without panicking.
		var anyV any
		_ = m.Decode(&anyV)
		var typed fuzzBody
		_ = m.Decode(&typed)
		var list []fuzzItem
		_ = m.Decode(&list)
		// And re-encode to the same bytes.
		again, err := peer.EncodeFrame(m)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip changed the frame:\n% x\n% x", b, again)
		}
	})
}
