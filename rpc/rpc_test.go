//go:build !js

package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/rpc"
)

const testToken = "s3cret"

var quiet = slog.New(slog.DiscardHandler)

// env is a real server on 127.0.0.1 serving reg through rpc, and a way to
// dial it.
type env struct {
	url  string
	srv  *peer.Server
	kill chan struct{} // closing it makes every server-side endpoint close
}

func newEnv(t testing.TB, reg *rpc.Registry, opts *rpc.Options) *env {
	t.Helper()
	e := &env{kill: make(chan struct{})}
	var o rpc.Options
	if opts != nil {
		o = *opts
	}
	o.Registry, o.Logger = reg, quiet
	srv, err := peer.NewServer(&peer.ServerOptions{
		Authenticate: func(_ context.Context, tok string) (string, error) {
			if name, ok := strings.CutPrefix(tok, "user-"); ok {
				return name, nil
			}
			if tok == testToken {
				return "token", nil
			}
			return "", errors.New("bad token")
		},
		Logger: quiet,
		Serve: func(ctx context.Context, c peer.Conn) {
			ep := rpc.New(c, &o)
			defer ep.Close("")
			go func() {
				select {
				case <-e.kill:
					_ = ep.Inner().Close("killed by test")
				case <-ctx.Done():
				}
			}()
			_ = peer.RejectUnknown(ctx, ep)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	e.url, e.srv = "ws"+strings.TrimPrefix(hs.URL, "http"), srv
	return e
}

func (e *env) dial(t testing.TB, token string) *rpc.Endpoint {
	t.Helper()
	c, err := peer.Dial(ctxT(t), e.url, &peer.DialOptions{Token: token, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ep := rpc.New(c, &rpc.Options{Logger: quiet})
	t.Cleanup(func() { _ = ep.Close("test done") })
	return ep
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type addArgs struct {
	A, B  int
	Label string
}

type addResult struct {
	Sum   int
	Label string
}

func testRegistry() *rpc.Registry {
	reg := rpc.NewRegistry()
	reg.Register("add", func(_ context.Context, call *rpc.Call) (any, error) {
		var a addArgs
		if err := call.Decode(&a); err != nil {
			return nil, err
		}
		return addResult{Sum: a.A + a.B, Label: strings.ToUpper(a.Label)}, nil
	})
	reg.Register("whoami", func(_ context.Context, call *rpc.Call) (any, error) {
		return call.Principal(), nil
	})
	reg.Register("fail", func(context.Context, *rpc.Call) (any, error) {
		return nil, errors.New("disk on fire")
	})
	reg.Register("conflict", func(context.Context, *rpc.Call) (any, error) {
		return nil, &rpc.Error{Code: "tx/conflict", Message: "unique value taken"}
	})
	reg.Register("panic", func(context.Context, *rpc.Call) (any, error) {
		panic("handler bug")
	})
	return reg
}

func TestRoundTrip(t *testing.T) {
	e := newEnv(t, testRegistry(), nil)
	c := e.dial(t, testToken)
	var r addResult
	if err := c.Call(ctxT(t), "add", addArgs{A: 2, B: 40, Label: "answer"}, &r); err != nil {
		t.Fatal(err)
	}
	if r != (addResult{Sum: 42, Label: "ANSWER"}) {
		t.Fatalf("got %+v", r)
	}
	// A nil result discards it.
	if err := c.Call(ctxT(t), "add", addArgs{A: 1}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t, testRegistry(), nil)
	c := e.dial(t, testToken)
	ctx := ctxT(t)

	err := c.Call(ctx, "nope", nil, nil)
	if !errors.Is(err, rpc.ErrUnknownFunction) {
		t.Errorf("unknown function: %v", err)
	}

	err = c.Call(ctx, "fail", nil, nil)
	var re *rpc.Error
	if !errors.Is(err, rpc.ErrRemote) || !errors.As(err, &re) || re.Code != rpc.CodeRemote || re.Message != "disk on fire" {
		t.Errorf("handler error: %v", err)
	}

	err = c.Call(ctx, "conflict", nil, nil)
	if !errors.Is(err, rpc.ErrRemote) || !errors.As(err, &re) || re.Code != "tx/conflict" || re.Message != "unique value taken" {
		t.Errorf("typed handler error: %v", err)
	}

	err = c.Call(ctx, "add", "not a struct", nil)
	if !errors.Is(err, rpc.ErrBadRequest) {
		t.Errorf("bad args: %v", err)
	}

	// The connection survives all of that.
	var r addResult
	if err := c.Call(ctx, "add", addArgs{A: 1, B: 1}, &r); err != nil || r.Sum != 2 {
		t.Fatalf("after errors: %v %+v", err, r)
	}
}

func TestHandlerPanicRecovered(t *testing.T) {
	e := newEnv(t, testRegistry(), nil)
	c := e.dial(t, testToken)
	for range 3 {
		if err := c.Call(ctxT(t), "panic", nil, nil); !errors.Is(err, rpc.ErrRemote) {
			t.Fatalf("panic: %v", err)
		}
	}
	var who string
	if err := c.Call(ctxT(t), "whoami", nil, &who); err != nil {
		t.Fatalf("server stopped serving: %v", err)
	}
	// Other peers are unaffected too.
	if err := e.dial(t, testToken).Call(ctxT(t), "whoami", nil, &who); err != nil {
		t.Fatal(err)
	}
}

func TestPrincipalAndAuthorize(t *testing.T) {
	e := newEnv(t, testRegistry(), &rpc.Options{
		Authorize: func(_ context.Context, call *rpc.Call) error {
			if call.Name == "add" && call.Principal() != "alice" {
				return fmt.Errorf("%s may not add", call.Principal())
			}
			return nil
		},
	})
	alice, bob := e.dial(t, "user-alice"), e.dial(t, "user-bob")
	var who string
	if err := alice.Call(ctxT(t), "whoami", nil, &who); err != nil || who != "alice" {
		t.Fatalf("alice: %q %v", who, err)
	}
	if err := bob.Call(ctxT(t), "whoami", nil, &who); err != nil || who != "bob" {
		t.Fatalf("bob: %q %v", who, err)
	}
	if err := alice.Call(ctxT(t), "add", addArgs{A: 1}, nil); err != nil {
		t.Fatalf("alice add: %v", err)
	}
	err := bob.Call(ctxT(t), "add", addArgs{A: 1}, nil)
	if !errors.Is(err, rpc.ErrNotAuthorized) || !strings.Contains(err.Error(), "bob may not add") {
		t.Fatalf("bob add: %v", err)
	}
}

func TestDeadline(t *testing.T) {
	reg := rpc.NewRegistry()
	handlerErr := make(chan error, 1)
	reg.Register("slow", func(ctx context.Context, _ *rpc.Call) (any, error) {
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > time.Second {
			handlerErr <- errors.New("handler ctx has no deadline from the caller")
			return nil, nil
		}
		select {
		case <-ctx.Done():
			handlerErr <- ctx.Err()
		case <-time.After(5 * time.Second):
			handlerErr <- errors.New("handler ctx never cancelled")
		}
		return nil, ctx.Err()
	})
	e := newEnv(t, reg, nil)
	c := e.dial(t, testToken)

	ctx, cancel := context.WithTimeout(ctxT(t), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Call(ctx, "slow", nil, nil)
	if !errors.Is(err, rpc.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	select {
	case err := <-handlerErr:
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Fatalf("handler: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler still running")
	}
	// A deadline that has already passed never leaves this side.
	ctx2, cancel2 := context.WithDeadline(ctxT(t), time.Now().Add(-time.Second))
	defer cancel2()
	if err := c.Call(ctx2, "slow", nil, nil); !errors.Is(err, rpc.ErrTimeout) {
		t.Fatalf("expired ctx: %v", err)
	}
}

func TestCancelStopsHandler(t *testing.T) {
	reg := rpc.NewRegistry()
	started, stopped := make(chan struct{}), make(chan error, 1)
	reg.Register("wait", func(ctx context.Context, _ *rpc.Call) (any, error) {
		close(started)
		<-ctx.Done()
		stopped <- ctx.Err()
		return nil, ctx.Err()
	})
	e := newEnv(t, reg, nil)
	c := e.dial(t, testToken)
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() { done <- c.Call(ctx, "wait", nil, nil) }()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("call: %v", err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("handler: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler not cancelled")
	}
}

func TestDisconnectFailsPendingCalls(t *testing.T) {
	reg := rpc.NewRegistry()
	var started sync.WaitGroup
	started.Add(10)
	reg.Register("hang", func(ctx context.Context, _ *rpc.Call) (any, error) {
		started.Done()
		<-ctx.Done()
		return nil, ctx.Err()
	})
	e := newEnv(t, reg, nil)
	c := e.dial(t, testToken)

	errs := make(chan error, 10)
	for range 10 {
		go func() { errs <- c.Call(ctxT(t), "hang", nil, nil) }()
	}
	started.Wait()
	begin := time.Now()
	close(e.kill) // the server drops the connection
	for range 10 {
		select {
		case err := <-errs:
			if !errors.Is(err, rpc.ErrDisconnected) {
				t.Fatalf("pending call: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("pending call not failed")
		}
	}
	if d := time.Since(begin); d > time.Second {
		t.Fatalf("pending calls failed after %v", d)
	}
	if err := c.Call(ctxT(t), "hang", nil, nil); !errors.Is(err, rpc.ErrDisconnected) {
		t.Fatalf("call after disconnect: %v", err)
	}
}

func TestLocalCloseFailsPendingCalls(t *testing.T) {
	reg := rpc.NewRegistry()
	started := make(chan struct{})
	reg.Register("hang", func(ctx context.Context, _ *rpc.Call) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	e := newEnv(t, reg, nil)
	c := e.dial(t, testToken)
	done := make(chan error, 1)
	go func() { done <- c.Call(ctxT(t), "hang", nil, nil) }()
	<-started
	_ = c.Close("bye")
	if err := <-done; !errors.Is(err, rpc.ErrDisconnected) {
		t.Fatalf("got %v", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t, testRegistry(), nil)
	c := e.dial(t, testToken)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 100 {
		wg.Go(func() {
			for i := range 10 {
				var r addResult
				if err := c.Call(ctxT(t), "add", addArgs{A: g, B: i, Label: "x"}, &r); err != nil {
					errs <- err
					return
				}
				if r.Sum != g+i {
					errs <- fmt.Errorf("add(%d, %d) = %d", g, i, r.Sum)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestSymmetricCalls(t *testing.T) {
	// The server calls back into the client while serving the client's call.
	reg := rpc.NewRegistry()
	reg.Register("ask-back", func(ctx context.Context, call *rpc.Call) (any, error) {
		ep := call.Conn().(*rpc.Endpoint)
		var name string
		if err := ep.Call(ctx, "client-name", nil, &name); err != nil {
			return nil, err
		}
		return "hello " + name, nil
	})
	e := newEnv(t, reg, nil)
	c := e.dial(t, testToken)
	c.Register("client-name", func(context.Context, *rpc.Call) (any, error) { return "carol", nil })
	var got string
	if err := c.Call(ctxT(t), "ask-back", nil, &got); err != nil || got != "hello carol" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestPassThrough(t *testing.T) {
	e := newEnv(t, testRegistry(), nil)
	c := e.dial(t, testToken)
	ctx := ctxT(t)
	m, _ := peer.NewMsg("sync/subscribe", "db1")
	if err := c.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	// The server's rpc layer passed it on; the top of its stack rejected it,
	// and the answer passed through this side's rpc layer to Recv.
	got, err := c.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	re, ok := peer.AsRemoteError(got)
	if !ok || re.Type != "sync/subscribe" || re.Code != peer.CodeUnknownType {
		t.Fatalf("got %s %+v", got.Type, re)
	}
	var r addResult
	if err := c.Call(ctx, "add", addArgs{A: 3, B: 4}, &r); err != nil || r.Sum != 7 {
		t.Fatalf("%v %+v", err, r)
	}
}
