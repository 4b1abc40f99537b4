//go:build !js

package peer_test

import (
	"bytes"
	"testing"

	"github.com/cairn-db/cairn/peer"
)

// Frames of very different sizes, in both directions, arrive intact, each in
// a buffer of its own (a received frame is kept by its receiver), whether
// they are sent framed per call or framed once with Encoded.
func TestFrameSizesAndOwnership(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{Serve: echo, WriteBuffer: 8 << 10})
	c := dial(t, url, peer.DialOptions{})
	ctx := ctxT(t)
	sizes := []int{0, 10, 100 << 10, 5 << 10, 1 << 20, 3, 8 << 10, 40 << 10, 33 << 10, 1}
	var kept [][]byte
	for i, n := range sizes {
		body := bytes.Repeat([]byte{byte(i + 1)}, n)
		m := msg(t, "test/blob", body)
		if i%2 == 1 {
			var err error
			if m, err = m.Encoded(); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Send(ctx, m); err != nil {
			t.Fatalf("send %d bytes: %v", n, err)
		}
		got, err := c.Recv(ctx)
		if err != nil {
			t.Fatalf("recv %d bytes: %v", n, err)
		}
		var b []byte
		if err := got.Decode(&b); err != nil || !bytes.Equal(b, body) {
			t.Fatalf("frame %d (%d bytes) came back as %d bytes (%v)", i, n, len(b), err)
		}
		kept = append(kept, got.Body)
	}
	// Later reads never wrote into an earlier frame.
	for i, body := range kept {
		var b []byte
		if err := (peer.Msg{Type: "test/blob", Body: body}).Decode(&b); err != nil || len(b) != sizes[i] || bytes.Count(b, []byte{byte(i + 1)}) != sizes[i] {
			t.Fatalf("frame %d changed after later reads", i)
		}
	}
}
