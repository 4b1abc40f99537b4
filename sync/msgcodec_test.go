package sync

import (
	"bytes"
	"testing"

	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/peer/mpack/mpacktest"
)

// msgSamples has values of every sync message type, with every field set
// in some and left zero in others (a new field of a message type belongs
// here too).
func msgSamples() []mpacktest.Value {
	long := string(bytes.Repeat([]byte("d"), 300))
	big := bytes.Repeat([]byte{7}, 70000)
	keys := [][]byte{bytes.Repeat([]byte{1}, 32), {2}, {}}
	return []mpacktest.Value{
		Subscribe{}, Subscribe{DB: "db", Incarnation: []byte{1, 2}, Commit: bytes.Repeat([]byte{9}, 32), BasisT: -1},
		Subscribe{DB: long, Incarnation: []byte{}, BasisT: 1 << 40, StepAcks: 4}, Subscribe{DB: "db", StepAcks: -1 << 40},
		Unsubscribe{}, Unsubscribe{DB: "db"},
		Nodes{}, Nodes{DB: "db", Seq: 1, Keys: keys, Values: [][]byte{[]byte("v1"), {}, nil}},
		Nodes{DB: long, Seq: 1 << 40, Keys: make([][]byte, 20), Values: [][]byte{big}, Head: []byte("head"), StepNodes: 300, StepBytes: 1 << 33},
		Nodes{DB: "x", Seq: 255, Keys: [][]byte{}, StepNodes: -5, StepBytes: -1},
		Ack{}, Ack{DB: "db", Seq: 1<<64 - 1}, Ack{DB: "db", Steps: 4}, Ack{Seq: 2, Steps: 1 << 33},
		Head{}, Head{DB: "db", Head: []byte("h"), Nodes: 1 << 20, Bytes: 123456789},
		Reset{}, Reset{DB: "db", Reason: "the database was recreated (new incarnation)"},
		Deleted{}, Deleted{DB: "db"},
		Error{}, Error{DB: "db", Code: "not-found", Message: string(bytes.Repeat([]byte("m"), 70000))},
		Offer{}, Offer{DB: "db", Seq: 3, Keys: keys},
		Lack{}, Lack{DB: "db", Seq: 4, Keys: make([][]byte, 70000)},
	}
}

// Every message type encodes to exactly vmihailenco/msgpack's bytes, and
// both decoders read them back.
func TestMsgCodecMatchesMsgpack(t *testing.T) {
	for _, v := range msgSamples() {
		mpacktest.Same(t, v)
	}
}

// The receive path (peer.Msg.Decode) goes through the codecs.
func TestMsgCodecThroughPeer(t *testing.T) {
	for _, v := range msgSamples() {
		n, ok := v.(Nodes)
		if !ok {
			continue
		}
		sent, err := peer.NewMsg(TypeNodes, &n)
		if err != nil {
			t.Fatal(err)
		}
		f, err := peer.EncodeFrame(sent)
		if err != nil {
			t.Fatal(err)
		}
		m, err := peer.DecodeFrame(f)
		if err != nil {
			t.Fatal(err)
		}
		var got Nodes
		if err := m.Decode(&got); err != nil || !sameNodes(&got, &n) {
			t.Fatalf("Decode: %+v, %v; want %+v", got, err, n)
		}
	}
}

// FuzzDecodeMessages: on any bytes, every message type's DecodeMP returns
// without panicking, and whatever it accepts vmihailenco/msgpack accepts
// with the same result.
func FuzzDecodeMessages(f *testing.F) {
	for _, v := range msgSamples() {
		if b := v.AppendMP(nil); len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add([]byte{0x81, 0xa2, 'd', 'b', 0xc0})
	f.Add([]byte{0x82, 0xa3, 's', 'e', 'q', 0xff, 0xa3, 's', 'e', 'q', 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []mpacktest.Value{Subscribe{}, Unsubscribe{}, Nodes{}, Ack{}, Head{}, Reset{}, Deleted{}, Error{}, Offer{}, Lack{}} {
			mpacktest.Agree(t, v, b)
		}
	})
}
