package sync

import (
	"bytes"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/cairn-db/cairn/peer"
)

func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) && (a == nil) == (b == nil) }

func sameNodes(a, b *Nodes) bool {
	if a.DB != b.DB || a.Seq != b.Seq || !sameBytes(a.Head, b.Head) || a.StepNodes != b.StepNodes || a.StepBytes != b.StepBytes {
		return false
	}
	if len(a.Keys) != len(b.Keys) || len(a.Values) != len(b.Values) || (a.Keys == nil) != (b.Keys == nil) || (a.Values == nil) != (b.Values == nil) {
		return false
	}
	for i := range a.Keys {
		if !bytes.Equal(a.Keys[i], b.Keys[i]) {
			return false
		}
	}
	for i := range a.Values {
		if !bytes.Equal(a.Values[i], b.Values[i]) {
			return false
		}
	}
	return true
}

func nodesSeeds() []*Nodes {
	big := bytes.Repeat([]byte{7}, 70000)
	return []*Nodes{
		{},
		{DB: "db", Seq: 1, Keys: [][]byte{[]byte("k1"), []byte("k2")}, Values: [][]byte{[]byte("v1"), {}}},
		{DB: "a-much-longer-database-name-than-thirty-one-bytes", Seq: 1 << 40, Keys: [][]byte{bytes.Repeat([]byte{1}, 32)},
			Values: [][]byte{big}, Head: []byte("head"), StepNodes: 300, StepBytes: 1 << 33},
		{DB: "x", Seq: 255, Keys: make([][]byte, 20), Values: make([][]byte, 20), StepNodes: 65536},
	}
}

// The hand-written decoder gives exactly what msgpack gives, for what the
// sender encodes.
func TestDecodeNodesFast(t *testing.T) {
	for i, want := range nodesSeeds() {
		b, err := msgpack.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var viaMsgpack, fast Nodes
		if err := msgpack.Unmarshal(b, &viaMsgpack); err != nil {
			t.Fatal(err)
		}
		if !decodeNodesFast(b, &fast) {
			t.Fatalf("seed %d: the fast path declined the sender's own encoding", i)
		}
		if !sameNodes(&fast, &viaMsgpack) {
			t.Fatalf("seed %d: fast %+v, msgpack %+v", i, fast, viaMsgpack)
		}
	}
	// Forms the fast path does not read still decode, through msgpack.
	type extra struct {
		DB    string `msgpack:"db"`
		Other int    `msgpack:"other"`
	}
	b, _ := msgpack.Marshal(extra{DB: "d", Other: 3})
	var n Nodes
	if decodeNodesFast(b, &n) {
		t.Fatal("fast path accepted an unknown field")
	}
	if err := decodeNodes(peer.Msg{Type: TypeNodes, Body: b}, &n); err != nil || n.DB != "d" {
		t.Fatalf("fallback: %v %+v", err, n)
	}
}

// FuzzDecodeNodes: whenever the fast path accepts a body, msgpack accepts it
// too and decodes the same message; nothing panics.
func FuzzDecodeNodes(f *testing.F) {
	for _, s := range nodesSeeds() {
		b, _ := msgpack.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte{0x81, 0xa2, 'd', 'b', 0xc0})
	f.Add([]byte{0x81, 0xa4, 'k', 'e', 'y', 's', 0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Nodes
		if !decodeNodesFast(b, &fast) {
			return
		}
		var viaMsgpack Nodes
		if err := msgpack.Unmarshal(b, &viaMsgpack); err != nil {
			t.Fatalf("fast path accepted what msgpack rejects (%v): %x", err, b)
		}
		if !sameNodes(&fast, &viaMsgpack) {
			t.Fatalf("fast %+v, msgpack %+v for %x", fast, viaMsgpack, b)
		}
	})
}
