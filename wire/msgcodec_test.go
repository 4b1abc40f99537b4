package wire

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/peer/mpack/mpacktest"
)

func wireSamples() []mpacktest.Value {
	yes, no := true, false
	return []mpacktest.Value{
		CreateArgs{}, CreateArgs{Name: "db", KeepHistory: &no}, CreateArgs{Name: "db", KeepHistory: &yes, SchemaFlexibility: "read", Schema: strings.Repeat("s", 300)},
		NameArgs{}, NameArgs{Name: "board"},
		TransactArgs{}, TransactArgs{DB: "db", TxData: `[{:task/title "Milk"}]`, Key: "00112233445566778899aabbccddeeff"},
		TransactResult{}, TransactResult{TxID: 536870913, Tempids: map[string]int64{"-1": 5}, Replayed: true},
		TransactResult{TxID: -1, Tempids: map[string]int64{}},
	}
}

// The call arguments and results encode to exactly vmihailenco/msgpack's
// bytes (a tempids map of one entry: msgpack writes larger ones in random
// order), and both decoders read them back.
func TestMsgCodecMatchesMsgpack(t *testing.T) {
	for _, v := range wireSamples() {
		mpacktest.Same(t, v)
	}
}

// FuzzDecodeArgs: on any bytes DecodeMP returns without panicking, and
// whatever it accepts vmihailenco/msgpack accepts with the same result.
func FuzzDecodeArgs(f *testing.F) {
	for _, v := range wireSamples() {
		f.Add(v.AppendMP(nil))
	}
	f.Add(TransactResult{Tempids: map[string]int64{"a": 1, "b": 2, "c": -3}}.AppendMP(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, v := range []mpacktest.Value{CreateArgs{}, NameArgs{}, TransactArgs{}, TransactResult{}} {
			mpacktest.Agree(t, v, b)
		}
	})
}
