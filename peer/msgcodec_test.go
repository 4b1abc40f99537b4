package peer

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/peer/mpack/mpacktest"
)

func peerSamples() []mpacktest.Value {
	return []mpacktest.Value{
		hello{}, hello{Protocol: 1, NodeFormat: 2}, hello{Protocol: 300, NodeFormat: -1, Principal: "alice", Ticks: true, PingMillis: 15000},
		authBody{}, authBody{Token: strings.Repeat("t", 40)},
		RemoteError{}, RemoteError{Code: CodeUnknownType, Message: "boom", Type: "x/y"},
		RemoteError{Code: "c", Message: strings.Repeat("m", 300)},
	}
}

// The base layer's bodies encode to exactly vmihailenco/msgpack's bytes,
// and both decoders read them back.
func TestMsgCodecMatchesMsgpack(t *testing.T) {
	for _, v := range peerSamples() {
		mpacktest.Same(t, v)
	}
}

// FuzzDecodeBodies: on any bytes the base layer's DecodeMP returns without
// panicking, and whatever it accepts vmihailenco/msgpack accepts with the
// same result.
func FuzzDecodeBodies(f *testing.F) {
	for _, v := range peerSamples() {
		f.Add(v.AppendMP(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []mpacktest.Value{hello{}, authBody{}, RemoteError{}} {
			mpacktest.Agree(t, v, b)
		}
	})
}
