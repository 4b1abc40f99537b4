//go:build !js

package peer_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-db/cairn/peer"
	"github.com/coder/websocket"
)

func TestHelloVersionMismatch(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		srvProto, srvFormat  int
		dialProto, dialFormt int
	}{
		{"node-format", 1, 2, 1, 1},
		{"protocol", 2, 1, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			served := make(chan struct{}, 1)
			url, _ := serve(t, peer.ServerOptions{
				Protocol: tc.srvProto, NodeFormat: tc.srvFormat,
				Serve: func(context.Context, peer.Conn) { served <- struct{}{} },
			})
			_, err := peer.Dial(ctxT(t), url, &peer.DialOptions{Token: testToken, Protocol: tc.dialProto, NodeFormat: tc.dialFormt, Logger: quiet})
			if !errors.Is(err, peer.ErrUpgradeRequired) {
				t.Fatalf("dial: got %v, want ErrUpgradeRequired", err)
			}
			var ue *peer.UpgradeError
			if !errors.As(err, &ue) {
				t.Fatalf("dial: %T is not an *UpgradeError", err)
			}
			if ue.RemoteProtocol != tc.srvProto || ue.RemoteNodeFormat != tc.srvFormat ||
				ue.LocalProtocol != tc.dialProto || ue.LocalNodeFormat != tc.dialFormt {
				t.Fatalf("versions: %+v", ue)
			}
			select {
			case <-served:
				t.Fatal("Serve ran for a mismatched peer")
			case <-time.After(20 * time.Millisecond):
			}
		})
	}
}

func TestAuth(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) {
		if c.Principal() != "token" {
			_ = c.Close("wrong principal " + c.Principal())
			return
		}
		echo(ctx, c)
	}})

	t.Run("header", func(t *testing.T) {
		c := dial(t, url, peer.DialOptions{Token: testToken})
		if c.Principal() != "token" {
			t.Fatalf("client principal %q", c.Principal())
		}
		roundTrip(t, c)
	})
	t.Run("first message", func(t *testing.T) {
		c := dial(t, url, peer.DialOptions{Token: testToken, TokenInMessage: true})
		roundTrip(t, c)
	})
	for _, tc := range []struct {
		name      string
		opts      peer.DialOptions
		hdr       string
		wantInMsg string
	}{
		{name: "missing", opts: peer.DialOptions{}},
		{name: "wrong header", opts: peer.DialOptions{Token: "nope"}},
		{name: "wrong message", opts: peer.DialOptions{Token: "nope", TokenInMessage: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Logger = quiet
			_, err := peer.Dial(ctxT(t), url, &tc.opts)
			if !errors.Is(err, peer.ErrUnauthorized) {
				t.Fatalf("got %v, want ErrUnauthorized", err)
			}
			if !strings.Contains(err.Error(), "unauthorized") {
				t.Fatalf("no reason in %q", err)
			}
		})
	}
	t.Run("bad scheme", func(t *testing.T) {
		ws := rawDial(t, url, http.Header{"Authorization": {"Bearer " + testToken}}, false)
		if code, reason := readClose(t, ws); code != websocket.StatusPolicyViolation || reason == "" {
			t.Fatalf("close %v %q", code, reason)
		}
	})
	t.Run("silent client times out", func(t *testing.T) {
		url, _ := serve(t, peer.ServerOptions{HandshakeTimeout: 50 * time.Millisecond})
		ws := rawDial(t, url, nil, false)
		if code, reason := readClose(t, ws); code != websocket.StatusPolicyViolation || !strings.Contains(reason, "timed out") {
			t.Fatalf("close %v %q", code, reason)
		}
	})
	t.Run("custom authenticate", func(t *testing.T) {
		url, _ := serve(t, peer.ServerOptions{
			Authenticate: func(_ context.Context, tok string) (string, error) {
				if tok == "alice-key" {
					return "alice", nil
				}
				return "", errors.New("unknown key")
			},
			Serve: func(ctx context.Context, c peer.Conn) { echo(ctx, c) },
		})
		c := dial(t, url, peer.DialOptions{Token: "alice-key"})
		if c.Principal() != "alice" {
			t.Fatalf("principal %q", c.Principal())
		}
		_, err := peer.Dial(ctxT(t), url, &peer.DialOptions{Token: testToken, Logger: quiet})
		if !errors.Is(err, peer.ErrUnauthorized) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestDevMode(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{DevMode: true, Serve: func(ctx context.Context, c peer.Conn) { echo(ctx, c) }})
	c, err := peer.Dial(ctxT(t), url, &peer.DialOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close("")
	if c.Principal() != "" {
		t.Fatalf("principal %q", c.Principal())
	}
	roundTrip(t, c)
	// A token is ignored, in the header or in a message.
	roundTrip(t, dial(t, url, peer.DialOptions{Token: "anything", TokenInMessage: true}))
}

func TestServerOptionsRequireAuthChoice(t *testing.T) {
	_, err := peer.NewServer(&peer.ServerOptions{Serve: func(context.Context, peer.Conn) {}})
	if err == nil {
		t.Fatal("a server without Token, Authenticate or DevMode was accepted")
	}
}

func TestOriginCheck(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{OriginPatterns: []string{"app.example"}})
	ctx := ctxT(t)
	hdr := authHeader(testToken)
	hdr.Set("Origin", "https://evil.example")
	_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err == nil {
		t.Fatal("cross-origin upgrade accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("want 403, got %v", resp)
	}
	hdr.Set("Origin", "https://app.example")
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatalf("allowed origin refused: %v", err)
	}
	_ = ws.CloseNow()
}

func TestOversizedFrame(t *testing.T) {
	var served atomic.Pointer[peer.Conn]
	url, _ := serve(t, peer.ServerOptions{FrameLimit: 1024, Serve: func(ctx context.Context, c peer.Conn) {
		served.Store(&c)
		echo(ctx, c)
	}})
	other := dial(t, url, peer.DialOptions{FrameLimit: 1024})
	big := dial(t, url, peer.DialOptions{FrameLimit: 1 << 20})

	// Over this side's own limit: refused locally, the connection stays up.
	err := other.Send(ctxT(t), msg(t, "test/big", strings.Repeat("x", 2000)))
	if !errors.Is(err, peer.ErrFrameTooLarge) {
		t.Fatalf("local send: got %v", err)
	}
	roundTrip(t, other)

	// Over the server's limit: the server closes with 1009 and a reason.
	if err := big.Send(ctxT(t), msg(t, "test/big", strings.Repeat("x", 2000))); err != nil {
		t.Fatal(err)
	}
	waitDone(t, big, 5*time.Second)
	var ce *peer.CloseError
	if !errors.As(big.Err(), &ce) || ce.Code != peer.CloseMessageTooBig || !ce.Remote || ce.Reason == "" {
		t.Fatalf("client saw %v", big.Err())
	}
	if !errors.Is(big.Err(), peer.ErrFrameTooLarge) {
		t.Fatalf("%v is not ErrFrameTooLarge", big.Err())
	}
	roundTrip(t, other)
	roundTrip(t, dial(t, url, peer.DialOptions{}))
}

func TestMalformedFrame(t *testing.T) {
	serverErr := make(chan error, 4)
	url, _ := serve(t, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) {
		echo(ctx, c)
		serverErr <- c.Err()
	}})
	other := dial(t, url, peer.DialOptions{})

	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		data []byte
		code websocket.StatusCode
		kind error
	}{
		{"garbage", websocket.MessageBinary, []byte{0xff, 0x00, 0x13}, websocket.StatusInvalidFramePayloadData, peer.ErrMalformedFrame},
		{"huge array prefix", websocket.MessageBinary, []byte{0x92, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}, websocket.StatusInvalidFramePayloadData, peer.ErrMalformedFrame},
		{"text frame", websocket.MessageText, []byte("hello"), websocket.StatusUnsupportedData, peer.ErrProtocol},
		{"second hello", websocket.MessageBinary, mustFrame(t, peer.TypeHello, map[string]int{"protocol": 1}), websocket.StatusProtocolError, peer.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := rawDial(t, url, authHeader(testToken), true)
			if err := ws.Write(ctxT(t), tc.typ, tc.data); err != nil {
				t.Fatal(err)
			}
			code, reason := readClose(t, ws)
			if code != tc.code || reason == "" {
				t.Fatalf("close %v %q, want %v with a reason", code, reason, tc.code)
			}
			select {
			case err := <-serverErr:
				if !errors.Is(err, tc.kind) {
					t.Fatalf("server Err %v, want %v", err, tc.kind)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return")
			}
			roundTrip(t, other)
		})
	}
}

func mustFrame(t testing.TB, typ string, body any) []byte {
	f, err := peer.EncodeFrame(msg(t, typ, body))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestUnknownType(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{})
	c := dial(t, url, peer.DialOptions{})
	ctx := ctxT(t)
	for i := range 3 {
		if err := c.Send(ctx, msg(t, "bogus/thing", i)); err != nil {
			t.Fatal(err)
		}
		m, err := c.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		re, ok := peer.AsRemoteError(m)
		if !ok || re.Code != peer.CodeUnknownType || re.Type != "bogus/thing" {
			t.Fatalf("got %s %+v", m.Type, re)
		}
	}
	if c.Err() != nil {
		t.Fatalf("connection ended: %v", c.Err())
	}
}

func TestPingClosesDeadPeer(t *testing.T) {
	ended := make(chan error, 1)
	url, _ := serve(t, peer.ServerOptions{
		PingInterval: 20 * time.Millisecond,
		PingTimeout:  40 * time.Millisecond,
		Serve: func(ctx context.Context, c peer.Conn) {
			<-c.Done()
			ended <- c.Err()
		},
	})
	alive := dial(t, url, peer.DialOptions{})        // reads, so it answers pings
	_ = rawDial(t, url, authHeader(testToken), true) // never reads again: never answers

	select {
	case err := <-ended:
		if !errors.Is(err, peer.ErrUnresponsive) {
			t.Fatalf("server Err %v, want ErrUnresponsive", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("dead peer not closed")
	}
	time.Sleep(100 * time.Millisecond) // several more ping rounds
	if alive.Err() != nil {
		t.Fatalf("live peer closed: %v", alive.Err())
	}
}

func TestClientReadTimeout(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{PingInterval: time.Hour})
	c := dial(t, url, peer.DialOptions{ReadTimeout: 60 * time.Millisecond})
	waitDone(t, c, 5*time.Second)
	if !errors.Is(c.Err(), peer.ErrUnresponsive) {
		t.Fatalf("got %v", c.Err())
	}
	// Pings count as traffic: with pings faster than the deadline it stays up.
	url2, _ := serve(t, peer.ServerOptions{PingInterval: 10 * time.Millisecond})
	c2 := dial(t, url2, peer.DialOptions{ReadTimeout: 80 * time.Millisecond})
	time.Sleep(250 * time.Millisecond)
	if c2.Err() != nil {
		t.Fatalf("closed despite pings: %v", c2.Err())
	}
}

func TestServerShutdownClosesPeers(t *testing.T) {
	url, srv := serve(t, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) { echo(ctx, c) }})
	c := dial(t, url, peer.DialOptions{})
	roundTrip(t, c)
	if n := srv.NumConns(); n != 1 {
		t.Fatalf("NumConns %d", n)
	}
	if err := srv.Shutdown(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, 5*time.Second)
	var ce *peer.CloseError
	if !errors.As(c.Err(), &ce) || ce.Code != peer.CloseGoingAway {
		t.Fatalf("got %v", c.Err())
	}
	if _, err := peer.Dial(ctxT(t), url, &peer.DialOptions{Token: testToken, Logger: quiet}); err == nil {
		t.Fatal("dial after shutdown succeeded")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{})
	c := dial(t, url, peer.DialOptions{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _ = c.Close("bye") })
	}
	wg.Wait()
	if err := c.Close("again"); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctxT(t), msg(t, "x/y", nil)); !errors.Is(err, peer.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
	if _, err := c.Recv(ctxT(t)); !errors.Is(err, peer.ErrClosed) {
		t.Fatalf("recv after close: %v", err)
	}
}
