//go:build !js

package peer_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/peer"
	"github.com/coder/websocket"
)

const testToken = "s3cret"

var quiet = slog.New(slog.DiscardHandler)

// serve starts a peer server on 127.0.0.1 and returns its ws:// URL.
// Serve defaults to RejectUnknown.
func serve(t testing.TB, opts peer.ServerOptions) (string, *peer.Server) {
	t.Helper()
	if opts.Serve == nil {
		opts.Serve = func(ctx context.Context, c peer.Conn) { _ = peer.RejectUnknown(ctx, c) }
	}
	if opts.Token == "" && opts.Authenticate == nil && !opts.DevMode {
		opts.Token = testToken
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	srv, err := peer.NewServer(&opts)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, srv, srv), srv
}

// start serves h with httptest and shuts srv down at cleanup.
func start(t testing.TB, srv *peer.Server, h http.Handler) string {
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http")
}

// echo sends every received message back.
func echo(ctx context.Context, c peer.Conn) {
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			return
		}
		if err := c.Send(ctx, m); err != nil {
			return
		}
	}
}

func dial(t testing.TB, url string, opts peer.DialOptions) peer.Conn {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	opts.Logger = quiet
	c, err := peer.Dial(ctxT(t), url, &opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close("test done") })
	return c
}

// ctxT is a context that ends with the test (or after 10 s).
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// roundTrip sends a message on c (served by echo) and checks it comes back.
func roundTrip(t testing.TB, c peer.Conn) {
	t.Helper()
	ctx := ctxT(t)
	if err := c.Send(ctx, msg(t, "test/ping", "hi")); err != nil {
		t.Fatalf("send: %v", err)
	}
	m, err := c.Recv(ctx)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	var s string
	if m.Type != "test/ping" || m.Decode(&s) != nil || s != "hi" {
		t.Fatalf("echo: got %s %q", m.Type, s)
	}
}

// rawDial opens a WebSocket without this package's client and, when hello
// is set, performs the handshake by hand. It is how tests play a broken or
// hostile peer.
func rawDial(t testing.TB, url string, hdr http.Header, hello bool) *websocket.Conn {
	t.Helper()
	ctx := ctxT(t)
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatalf("raw dial: %v", err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	if hello {
		f, err := peer.EncodeFrame(msg(t, peer.TypeHello, map[string]any{"protocol": peer.ProtocolVersion, "node_format": 0}))
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.Write(ctx, websocket.MessageBinary, f); err != nil {
			t.Fatal(err)
		}
		_, p, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("raw hello: %v", err)
		}
		if m, err := peer.DecodeFrame(p); err != nil || m.Type != peer.TypeHello {
			t.Fatalf("raw hello: got %v %v", m.Type, err)
		}
	}
	return ws
}

func authHeader(tok string) http.Header {
	return http.Header{"Authorization": {"token " + tok}}
}

// readClose reads until the connection closes and returns the close status
// and reason the remote side sent.
func readClose(t testing.TB, ws *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx := ctxT(t)
	for {
		_, _, err := ws.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			return -1, err.Error()
		}
	}
}

// waitDone waits for c to end.
func waitDone(t testing.TB, c peer.Conn, within time.Duration) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(within):
		t.Fatalf("connection still open after %v", within)
	}
}
