//go:build !js

package peer_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-db/cairn/peer"
)

// statusLog records status changes.
type statusLog struct {
	mu  sync.Mutex
	all []peer.StatusChange
}

func (l *statusLog) add(s peer.StatusChange) {
	l.mu.Lock()
	l.all = append(l.all, s)
	l.mu.Unlock()
}

func (l *statusLog) statuses() []peer.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]peer.Status, len(l.all))
	for i, s := range l.all {
		out[i] = s.Status
	}
	return out
}

func TestClientReconnects(t *testing.T) {
	// The server drops every connection soon after it is made.
	url, _ := serve(t, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) {
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
		}
	}})
	var log statusLog
	connects := make(chan peer.Conn, 10)
	cl, err := peer.NewClient(url, &peer.ClientOptions{
		Dial:        peer.DialOptions{Token: testToken, Logger: quiet},
		BackoffBase: 2 * time.Millisecond,
		BackoffMax:  20 * time.Millisecond,
		OnConnect: func(ctx context.Context, c peer.Conn) error {
			connects <- c
			return peer.RejectUnknown(ctx, c)
		},
		OnStatus: log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cl.Run(ctx) }()

	for i := range 3 {
		select {
		case c := <-connects:
			if c.Principal() != "token" {
				t.Fatalf("connection %d: principal %q", i, c.Principal())
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d connections", i)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if cl.Status() != peer.StatusStopped {
		t.Fatalf("status %v", cl.Status())
	}
	got := log.statuses()
	want := []peer.Status{peer.StatusConnecting, peer.StatusConnected, peer.StatusDisconnected,
		peer.StatusConnecting, peer.StatusConnected, peer.StatusDisconnected, peer.StatusConnecting, peer.StatusConnected}
	if len(got) < len(want) {
		t.Fatalf("statuses %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want prefix %v", got, want)
		}
	}
	if got[len(got)-1] != peer.StatusStopped {
		t.Fatalf("last status %v", got[len(got)-1])
	}
}

func TestClientBackoff(t *testing.T) {
	// The first 4 upgrade attempts fail with 503, then the server accepts.
	var attempts atomic.Int32
	srv, err := peer.NewServer(&peer.ServerOptions{Token: testToken, Logger: quiet, Serve: func(ctx context.Context, c peer.Conn) { echo(ctx, c) }})
	if err != nil {
		t.Fatal(err)
	}
	url := start(t, srv, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) <= 4 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	}))

	var log statusLog
	connected := make(chan peer.Conn, 1)
	cl, err := peer.NewClient(url, &peer.ClientOptions{
		Dial:          peer.DialOptions{Token: testToken, Logger: quiet},
		BackoffBase:   10 * time.Millisecond,
		BackoffMax:    40 * time.Millisecond,
		BackoffJitter: -1, // none: exact waits 10, 20, 40, 40
		OnConnect: func(ctx context.Context, c peer.Conn) error {
			connected <- c
			<-ctx.Done()
			return nil
		},
		OnStatus: log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	begin := time.Now()
	go func() { done <- cl.Run(ctx) }()
	select {
	case c := <-connected:
		roundTrip(t, c)
	case <-time.After(5 * time.Second):
		t.Fatal("never connected")
	}
	elapsed := time.Since(begin)
	cancel()
	<-done

	if n := attempts.Load(); n != 5 {
		t.Fatalf("%d attempts, want 5", n)
	}
	if min := 110 * time.Millisecond; elapsed < min {
		t.Fatalf("connected after %v, backoff should take at least %v", elapsed, min)
	}
	// Attempt counts grow across consecutive failures.
	var seen []int
	log.mu.Lock()
	for _, s := range log.all {
		if s.Status == peer.StatusDisconnected {
			seen = append(seen, s.Attempt)
			if s.Err == nil {
				t.Errorf("disconnected without an error")
			}
		}
	}
	log.mu.Unlock()
	if len(seen) != 4 || seen[0] != 0 || seen[3] != 3 {
		t.Fatalf("attempts at failures: %v", seen)
	}
}

func TestClientPermanentFailure(t *testing.T) {
	url, _ := serve(t, peer.ServerOptions{})
	var log statusLog
	cl, err := peer.NewClient(url, &peer.ClientOptions{
		Dial:        peer.DialOptions{Token: "wrong", Logger: quiet},
		BackoffBase: time.Millisecond,
		OnStatus:    log.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	err = cl.Run(ctxT(t))
	if !errors.Is(err, peer.ErrUnauthorized) {
		t.Fatalf("Run: %v", err)
	}
	if s := log.statuses(); len(s) != 2 || s[1] != peer.StatusFailed {
		t.Fatalf("statuses %v", s)
	}
}

func TestBackoff(t *testing.T) {
	base, maxD := 100*time.Millisecond, time.Second
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		if got := peer.Backoff(n, base, maxD, 0); got != want*time.Millisecond {
			t.Errorf("Backoff(%d) = %v, want %vms", n, got, want)
		}
	}
	for range 1000 {
		d := peer.Backoff(3, base, maxD, 0.5)
		if d < 400*time.Millisecond || d > 800*time.Millisecond {
			t.Fatalf("jittered %v outside [400ms, 800ms]", d)
		}
	}
	if d := peer.Backoff(1000, base, maxD, 0); d != maxD {
		t.Fatalf("large n: %v", d)
	}
}
