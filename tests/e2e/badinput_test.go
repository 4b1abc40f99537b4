package e2e

import (
	"context"
	"errors"
	"github.com/cairn-db/cairn/internal/serverproc"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/tx"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/rpc"
	csync "github.com/cairn-db/cairn/sync"
)

// rawPeer dials the server with a raw WebSocket and completes the hello.
func rawPeer(t *testing.T, ctx context.Context, srv *serverproc.Proc) *websocket.Conn {
	t.Helper()
	hdr := http.Header{"Authorization": []string{"token " + token}}
	ws, _, err := websocket.Dial(ctx, srv.URL(), &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	m, _ := peer.NewMsg(peer.TypeHello, map[string]any{"protocol": peer.ProtocolVersion, "node_format": index.FormatVersion})
	f, _ := peer.EncodeFrame(m)
	if err := ws.Write(ctx, websocket.MessageBinary, f); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.Read(ctx); err != nil {
		t.Fatalf("hello: %v", err)
	}
	return ws
}

// closeOf waits for the server to close ws and returns the status.
func closeOf(ctx context.Context, ws *websocket.Conn) (websocket.StatusCode, string) {
	for {
		if _, _, err := ws.Read(ctx); err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			return -1, err.Error()
		}
	}
}

// TestBadInputNeverHurts sends the real server malformed, oversized and
// unknown input and bad credentials, while a well-behaved peer keeps
// transacting and syncing.
func TestBadInputNeverHurts(t *testing.T) {
	ctx := ctxT(t, 60*time.Second)
	srv := startServer(t, t.TempDir(), token, 0)
	good := dial(t, ctx, srv.URL())
	if err := good.CreateDatabase(ctx, "ok", client.CreateOptions{Schema: peopleSchema}); err != nil {
		t.Fatal(err)
	}
	gdb, err := good.Open(ctx, "ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	stillServing := func(what string) {
		t.Helper()
		n++
		if _, err := gdb.Transact(ctx, `[{:name "still-`+what+`"}]`); err != nil {
			t.Fatalf("after %s the good peer failed: %v", what, err)
		}
	}

	// Credentials.
	for _, tc := range []struct{ name, tok string }{{"missing token", ""}, {"wrong token", "nope"}} {
		_, err := peer.Dial(ctx, srv.URL(), &peer.DialOptions{Token: tc.tok, NodeFormat: index.FormatVersion})
		if !errors.Is(err, peer.ErrUnauthorized) {
			t.Fatalf("%s: got %v, want ErrUnauthorized", tc.name, err)
		}
		stillServing(tc.name)
	}
	// Wrong node format: upgrade required, not a crash.
	if _, err := peer.Dial(ctx, srv.URL(), &peer.DialOptions{Token: token, NodeFormat: 99}); !errors.Is(err, peer.ErrUpgradeRequired) {
		t.Fatalf("node format mismatch: %v", err)
	}
	stillServing("format")

	// Malformed and oversized frames: the server closes that peer with a reason.
	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		data []byte
	}{
		{"garbage frame", websocket.MessageBinary, []byte{0xff, 0x00, 0x13}},
		{"text frame", websocket.MessageText, []byte("hello")},
		{"huge length prefix", websocket.MessageBinary, []byte{0x92, 0xa1, 'x', 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}},
		{"oversized frame", websocket.MessageBinary, make([]byte, 5<<20)},
	} {
		ws := rawPeer(t, ctx, srv)
		ws.SetReadLimit(1 << 20)
		_ = ws.Write(ctx, tc.typ, tc.data)
		code, reason := closeOf(ctx, ws)
		if code == websocket.StatusNormalClosure || reason == "" {
			t.Fatalf("%s: close %v %q, want an error close with a reason", tc.name, code, reason)
		}
		t.Logf("%s: closed %v %q", tc.name, code, reason)
		stillServing(tc.name)
	}

	// Protocol-level bad input over a valid connection.
	c, err := peer.Dial(ctx, srv.URL(), &peer.DialOptions{Token: token, NodeFormat: index.FormatVersion})
	if err != nil {
		t.Fatal(err)
	}
	ep := rpc.New(c, nil)
	defer ep.Close("done")
	if err := ep.Call(ctx, "no-such-function", nil, nil); !errors.Is(err, rpc.ErrUnknownFunction) {
		t.Fatalf("unknown function: %v", err)
	}
	if err := ep.Call(ctx, "transact", "not a struct", nil); !errors.Is(err, rpc.ErrRemote) && !errors.Is(err, rpc.ErrBadRequest) {
		t.Fatalf("bad arguments: %v", err)
	}
	var res any
	err = ep.Call(ctx, "transact", map[string]string{"db": "ok", "tx-data": `[{:name "x" :age "not a long"}]`}, &res)
	if err == nil || !strings.Contains(err.Error(), "tx/value-type") {
		t.Fatalf("ill-typed transaction: %v", err)
	}
	err = ep.Call(ctx, "transact", map[string]string{"db": "ok", "tx-data": `[{:name "x"`}, &res)
	if err == nil || !strings.Contains(err.Error(), "invalid-tx-data") {
		t.Fatalf("malformed EDN: %v", err)
	}
	err = ep.Call(ctx, "transact", map[string]string{"db": "../etc", "tx-data": `[]`}, &res)
	if err == nil || !strings.Contains(err.Error(), "bad-name") {
		t.Fatalf("path-like database name: %v", err)
	}
	// Unknown message types get an error message, not a disconnect.
	m, _ := peer.NewMsg("bogus/type", 1)
	if err := ep.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	// A malformed sync message and a subscription to a missing database.
	m, _ = peer.NewMsg(csync.TypeSubscribe, "garbage")
	ep.Send(ctx, m)
	m, _ = peer.NewMsg(csync.TypeSubscribe, csync.Subscribe{DB: "missing"})
	ep.Send(ctx, m)
	m, _ = peer.NewMsg(csync.TypeAck, csync.Ack{DB: "ok", Seq: 999})
	ep.Send(ctx, m)
	if err := ep.Call(ctx, "database-exists", map[string]string{"name": "ok"}, &res); err != nil || res != true {
		t.Fatalf("the connection that sent bad input still works: %v %v", res, err)
	}
	stillServing("protocol errors")

	// The typed error reaches Go clients as the tx sentinel.
	if _, err := gdb.Transact(ctx, `[{:name "y" :age "x"}]`); !errors.Is(err, tx.ErrValueType) {
		t.Fatalf("client error kind: %v", err)
	}
	db, err := gdb.Sync(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Q(ctx, `[:find (count ?e) . :where [?e :name]]`)
	if err != nil || got != int64(n) {
		t.Fatalf("good peer's data: %v %v (want %d)", got, err, n)
	}
}

// TestOpenMissingDatabase: following a database the server does not have
// fails promptly with ErrNotFound instead of waiting forever.
func TestOpenMissingDatabase(t *testing.T) {
	ctx := ctxT(t, 30*time.Second)
	srv := startServer(t, t.TempDir(), token, 0)
	c := dial(t, ctx, srv.URL())
	d, err := c.Open(ctx, "nothing-here", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Ready(ctx); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("Ready on a missing database: %v", err)
	}
	if _, err := c.Transact(ctx, "nothing-here", `[]`); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("transact on a missing database: %v", err)
	}
}
