package index_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
)

func flushNodes(t testing.TB, nodeSize int, ds []datom.Datom) []index.Node {
	t.Helper()
	tr, err := index.New(datom.CmpEAVT, index.Options{NodeSize: nodeSize}).With(context.Background(), ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, nodes, err := tr.Flush()
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func TestLeafBytes(t *testing.T) {
	tx := datom.Tx0 + 1
	tests := []struct {
		name string
		ds   []datom.Datom
		hex  string
	}{
		{
			name: "two datoms sharing e, a and tx",
			ds: []datom.Datom{
				{E: 1, A: "name", V: datom.String("b"), Tx: tx, Added: false},
				{E: 1, A: "name", V: datom.String("a"), Tx: tx, Added: true},
			},
			// version 1, leaf, 2 datoms;
			// flags added | e +1 | "name" | "a" | tx delta;
			// flags same e, a, tx | "b".
			hex: "010002" + "08" + "02" + "046e616d65" + "070161" + "8280808004" + "07" + "070162",
		},
		{
			name: "zero datom",
			ds:   []datom.Datom{{}},
			// flags same e, a, tx (all zero), retraction; nil value.
			hex: "010001" + "07" + "00",
		},
		{
			name: "negative deltas",
			ds: []datom.Datom{
				{E: 5, A: "a", V: datom.Long(1), Tx: 10, Added: true},
				{E: 6, A: "a", V: datom.Long(1), Tx: 9, Added: true},
			},
			// e +5, "a", 1, tx +10; then same a, e +1, 1, tx -1.
			hex: "010002" + "08" + "0a" + "0161" + "0202" + "14" + "0a" + "02" + "0202" + "01",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nodes := flushNodes(t, 0, tc.ds)
			if len(nodes) != 1 {
				t.Fatalf("%d nodes", len(nodes))
			}
			if got := hex.EncodeToString(nodes[0].Bytes); got != tc.hex {
				t.Fatalf("bytes\n got %s\nwant %s", got, tc.hex)
			}
			sum := sha256.Sum256(nodes[0].Bytes)
			if nodes[0].Key != string(sum[:]) {
				t.Fatalf("key is not the SHA-256 of the bytes")
			}
			re, err := index.DecodeNode(nodes[0].Bytes)
			if err != nil || !bytes.Equal(re, nodes[0].Bytes) {
				t.Fatalf("round trip: %x, %v", re, err)
			}
			if kids, err := index.Children(nodes[0].Bytes); err != nil || kids != nil {
				t.Fatalf("Children of a leaf: %v, %v", kids, err)
			}
		})
	}
}

func TestBranchRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	nodes := flushNodes(t, 256, randDatoms(r, 2000, 1000))
	branches := 0
	for _, n := range nodes {
		re, err := index.DecodeNode(n.Bytes)
		if err != nil || !bytes.Equal(re, n.Bytes) {
			t.Fatalf("round trip: %v", err)
		}
		kids, err := index.Children(n.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if kids != nil {
			branches++
			// Each child is a 32-byte key stored verbatim.
			for _, k := range kids {
				if len(k) != index.KeySize || !bytes.Contains(n.Bytes, []byte(k)) {
					t.Fatalf("bad child key")
				}
			}
		}
	}
	if branches < 3 {
		t.Fatalf("only %d branches", branches)
	}
}

func TestCorruptNodes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	nodes := flushNodes(t, 512, randDatoms(r, 500, 100))
	leaf, branch := nodes[0].Bytes, nodes[len(nodes)-1].Bytes
	if k, _ := index.Children(branch); k == nil {
		t.Fatal("last node is not a branch")
	}
	mut := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	cases := map[string][]byte{
		"empty":               {},
		"version":             mut(leaf, func(b []byte) []byte { b[0] = 2; return b }),
		"type":                mut(leaf, func(b []byte) []byte { b[1] = 7; return b }),
		"trailing byte":       append(bytes.Clone(leaf), 0),
		"zero entries":        {1, 0, 0},
		"count beyond size":   {1, 0, 0xff, 0xff, 0x03, 0x07, 0},
		"non-minimal count":   {1, 0, 0x81, 0x00, 0x07, 0},
		"unknown flags":       {1, 0, 1, 0x17, 0},
		"zero entity delta":   {1, 0, 1, 0x06, 0x00, 0},
		"repeated attribute":  {1, 0, 2, 0x07, 0x00, 0x05, 0x01, 0x61, 0x02, 0x02, 0x05, 0x01, 0x61, 0x02, 0x04},
		"bad value kind":      {1, 0, 1, 0x07, 0x63},
		"branch level 0":      mut(branch, func(b []byte) []byte { b[2] = 0; return b }),
		"branch zero count":   mut(branch, func(b []byte) []byte { b[4+index.KeySize] = 0; return b }),
		"branch truncated":    branch[:len(branch)/2],
		"attribute too long":  {1, 0, 1, 0x05, 0x80, 0x40, 0x61},
		"truncated attribute": {1, 0, 1, 0x05, 0x05, 0x61},
	}
	for name, b := range cases {
		if _, err := index.DecodeNode(b); !errors.Is(err, index.ErrCorrupt) {
			t.Errorf("%s: DecodeNode error %v, want ErrCorrupt", name, err)
		}
	}
	// Every truncation and every single-bit flip is rejected or decodes
	// to something that re-encodes canonically; none panics.
	for _, src := range [][]byte{leaf, branch} {
		for i := range len(src) {
			if _, err := index.DecodeNode(src[:i]); !errors.Is(err, index.ErrCorrupt) {
				t.Fatalf("truncation at %d: %v", i, err)
			}
			if _, err := index.Children(src[:i]); err != nil && !errors.Is(err, index.ErrCorrupt) {
				t.Fatalf("Children of truncation: %v", err)
			}
			for bit := range 8 {
				b := bytes.Clone(src)
				b[i] ^= 1 << bit
				if re, err := index.DecodeNode(b); err == nil {
					if re2, err := index.DecodeNode(re); err != nil || !bytes.Equal(re, re2) {
						t.Fatalf("flip %d.%d: not canonical after one round", i, bit)
					}
				} else if !errors.Is(err, index.ErrCorrupt) {
					t.Fatalf("flip: %v", err)
				}
			}
		}
	}
}

// FuzzDecodeNode: decoding never panics, errors are ErrCorrupt, and what
// decodes re-encodes to a fixed point.
func FuzzDecodeNode(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range flushNodes(f, 256, randDatoms(r, 300, 100)) {
		f.Add(n.Bytes)
	}
	for _, n := range flushNodes(f, 0, []datom.Datom{{}, {E: 1, A: "a", V: datom.Double(-0.0)}}) {
		f.Add(n.Bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		re, err := index.DecodeNode(b)
		if _, cerr := index.Children(b); cerr != nil && !errors.Is(cerr, index.ErrCorrupt) {
			t.Fatalf("Children error %v", cerr)
		}
		if err != nil {
			if !errors.Is(err, index.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		re2, err := index.DecodeNode(re)
		if err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		if !bytes.Equal(re, re2) {
			t.Fatalf("re-encoding is not a fixed point")
		}
	})
}
