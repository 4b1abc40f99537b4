//go:build !js

package peer_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/peer"
)

// recorder is a middleware owning one type prefix; it records what it sees.
type recorder struct {
	prefix string
	mu     sync.Mutex
	seen   []string
}

func (r *recorder) middleware(c peer.Conn) peer.Conn {
	l := peer.NewLayer(c, func(_ context.Context, m peer.Msg) bool {
		if !strings.HasPrefix(m.Type, r.prefix) {
			return false
		}
		var s string
		_ = m.Decode(&s)
		r.mu.Lock()
		r.seen = append(r.seen, m.Type+"="+s)
		r.mu.Unlock()
		return true
	}, nil)
	l.Start()
	return l
}

func (r *recorder) got() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.seen, " ")
}

func TestMiddlewarePassThrough(t *testing.T) {
	a, b := &recorder{prefix: "a/"}, &recorder{prefix: "b/"}
	top := make(chan []string, 1)
	url, _ := serve(t, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) {
		// serialization (the base Conn) → a → b → the top.
		stack := peer.Stack(c, a.middleware, b.middleware)
		defer stack.Close("")
		var got []string
		for {
			m, err := stack.Recv(ctx)
			if err != nil {
				return
			}
			if m.Type == "end/x" {
				top <- got
				return
			}
			var s string
			_ = m.Decode(&s)
			got = append(got, m.Type+"="+s)
		}
	}})
	c := dial(t, url, peer.DialOptions{})
	ctx := ctxT(t)
	for _, s := range []string{"a/1", "c/1", "b/1", "a/2", "c/2", "b/2", "c/3", "a/3", "end/x"} {
		typ, val, _ := strings.Cut(s, "/")
		if err := c.Send(ctx, msg(t, typ+"/x", val)); err != nil {
			t.Fatal(err)
		}
	}
	got := <-top
	if strings.Join(got, " ") != "c/x=1 c/x=2 c/x=3" {
		t.Fatalf("top saw %v", got)
	}
	if a.got() != "a/x=1 a/x=2 a/x=3" || b.got() != "b/x=1 b/x=2" {
		t.Fatalf("a saw %q, b saw %q", a.got(), b.got())
	}
}
