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

// The receive path decodes what the sender encodes exactly as msgpack
// does, and still reads a body with a field it does not know.
func TestDecodeNodes(t *testing.T) {
	for i, want := range nodesSeeds() {
		b, err := msgpack.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var viaMsgpack, got Nodes
		if err := msgpack.Unmarshal(b, &viaMsgpack); err != nil {
			t.Fatal(err)
		}
		if err := (peer.Msg{Type: TypeNodes, Body: b}).Decode(&got); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if !sameNodes(&got, &viaMsgpack) {
			t.Fatalf("seed %d: got %+v, msgpack %+v", i, got, viaMsgpack)
		}
	}
	type extra struct {
		DB    string `msgpack:"db"`
		Other int    `msgpack:"other"`
	}
	b, _ := msgpack.Marshal(extra{DB: "d", Other: 3})
	var n Nodes
	if err := (peer.Msg{Type: TypeNodes, Body: b}).Decode(&n); err != nil || n.DB != "d" {
		t.Fatalf("unknown field: %v %+v", err, n)
	}
}
