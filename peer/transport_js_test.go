//go:build js && wasm

package peer

import (
	"context"
	"errors"
	"os"
	"syscall/js"
	"testing"
	"time"
)

// TestBrowserTransport dials a real server through the syscall/js
// transport. It needs a global WebSocket (a browser, or node with
// --experimental-websocket) and a server with auth on:
//
//	CAIRN_PEER_TEST_URL=ws://127.0.0.1:PORT/ws CAIRN_PEER_TEST_TOKEN=secret \
//	NODE_OPTIONS=--experimental-websocket \
//	PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test -run TestBrowserTransport ./peer/
//
// and skips otherwise. tests/browser is the end-to-end proof in Chromium.
func TestBrowserTransport(t *testing.T) {
	url, token := os.Getenv("CAIRN_PEER_TEST_URL"), os.Getenv("CAIRN_PEER_TEST_TOKEN")
	if js.Global().Get("WebSocket").Type() != js.TypeFunction {
		t.Skip("no globalThis.WebSocket")
	}
	if url == "" || token == "" {
		t.Skip("CAIRN_PEER_TEST_URL and CAIRN_PEER_TEST_TOKEN not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("bad token", func(t *testing.T) {
		_, err := Dial(ctx, url, &DialOptions{Token: "wrong", TokenInMessage: true})
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("want ErrUnauthorized, got %v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		_, err := Dial(ctx, "ws://127.0.0.1:1/ws", nil)
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != CloseAbnormal {
			t.Fatalf("want a CloseAbnormal *CloseError, got %v", err)
		}
	})
	t.Run("frame limit", func(t *testing.T) {
		// A read limit below the server's hello frame closes the
		// connection locally as ErrFrameTooLarge.
		_, err := Dial(ctx, url, &DialOptions{Token: token, FrameLimit: 4})
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("want ErrFrameTooLarge, got %v", err)
		}
	})
	t.Run("ok", func(t *testing.T) {
		// The first dial learns the server's node format through the
		// upgrade-required path.
		_, err := Dial(ctx, url, &DialOptions{Token: token, NodeFormat: -1})
		var ue *UpgradeError
		if !errors.As(err, &ue) {
			t.Fatalf("want an *UpgradeError, got %v", err)
		}
		c, err := Dial(ctx, url, &DialOptions{Token: token, NodeFormat: ue.RemoteNodeFormat})
		if err != nil {
			t.Fatal(err)
		}
		if c.Principal() == "" {
			t.Errorf("empty principal")
		}
		// An unknown type comes back as a peer/error from the server.
		if err := c.Send(ctx, mustMsg("test/nobody-handles-this", nil)); err != nil {
			t.Fatal(err)
		}
		m, err := c.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type != TypeError {
			t.Errorf("want %s, got %s", TypeError, m.Type)
		}
		if err := c.Close("bye"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Recv(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Recv after Close: %v", err)
		}
	})
}
