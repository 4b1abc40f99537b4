package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/rpc"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/mem"
)

// session is a connection to the server, and the replica and store a
// command opened through it.
type session struct {
	e   *cli
	url string
	c   *client.Client

	mu      gosync.Mutex
	lastErr error // why the last dial failed, for a timeout's message

	st store.Store
	db *client.Database
}

// wsURL turns the --server value into a WebSocket URL: http(s) becomes
// ws(s), a bare host:port gets ws://, and an empty path becomes /ws.
func wsURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "ws://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", usagef("bad --server URL: %v", err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", usagef("bad --server URL %q: the scheme must be ws, wss, http or https", s)
	}
	if u.Host == "" {
		return "", usagef("bad --server URL %q: no host", s)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/ws"
	}
	return u.String(), nil
}

// connect dials the server within ctx.
func (e *cli) connect(ctx context.Context) (*session, error) {
	u, err := wsURL(e.o.server)
	if err != nil {
		return nil, err
	}
	s := &session{e: e, url: u}
	log := slog.New(slog.DiscardHandler)
	if e.o.verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	c, err := client.New(u, &client.Options{
		Token:  e.o.token,
		Logger: log,
		Peer:   peer.ClientOptions{BackoffBase: 100 * time.Millisecond, BackoffMax: 5 * time.Second},
		OnStatus: func(sc peer.StatusChange) {
			if sc.Err != nil {
				s.mu.Lock()
				s.lastErr = sc.Err
				s.mu.Unlock()
			}
			if e.onStatus != nil {
				e.onStatus(sc)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	s.c = c
	if err := c.WaitConnected(ctx); err != nil {
		s.Close()
		return nil, s.connectError(err)
	}
	return s, nil
}

// connectError explains a failed first connection: when it timed out,
// with why the last dial failed (the innermost network error if any).
func (s *session) connectError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		s.mu.Lock()
		last := s.lastErr
		s.mu.Unlock()
		var ne *net.OpError
		if errors.As(last, &ne) {
			last = ne
		}
		if last != nil {
			return fmt.Errorf("cannot connect to %s within %s: %w", s.url, s.e.o.timeout, last)
		}
		return fmt.Errorf("cannot connect to %s within %s", s.url, s.e.o.timeout)
	}
	return fmt.Errorf("cannot connect to %s: %w", s.url, err)
}

// Close closes the replica, the connection and the store, in that order.
func (s *session) Close() {
	if s.db != nil {
		s.db.Close()
	}
	if s.c != nil {
		s.c.Close()
	}
	if s.st != nil {
		s.st.Close()
	}
}

// openStore opens the --store directory, or a memory store.
func (s *session) openStore(ctx context.Context) error {
	if s.e.o.store == "" {
		s.st = mem.New()
		return nil
	}
	st, err := file.Open(ctx, s.e.o.store, nil)
	if err != nil {
		return fmt.Errorf("opening store %s: %w", s.e.o.store, err)
	}
	s.st = st
	return nil
}

// open checks that the server has the database and starts following it
// into the command's store. The replica is not synced yet.
func (s *session) open(ctx context.Context, name string) (*client.Database, error) {
	ok, err := s.c.DatabaseExists(ctx, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &notFoundError{name: name}
	}
	if s.st == nil {
		if err := s.openStore(ctx); err != nil {
			return nil, err
		}
	}
	d, err := s.c.Open(ctx, name, s.st)
	if err != nil {
		return nil, err
	}
	s.db = d
	return d, nil
}

// syncFresh waits until the replica has applied the server's answer to its
// subscription: the head that was current when it subscribed, or a later
// one. Ready alone is not enough for a replica resumed from a store, which
// is complete (and stale) before the server has answered.
func syncFresh(ctx context.Context, d *client.Database) (*core.DB, error) {
	if d.Stats().Heads > 0 {
		if db := d.DB(); db != nil {
			return db, nil
		}
	}
	// A waiter that only returns when the database is deleted (or ctx ends).
	wctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := d.Sync(wctx, math.MaxInt64)
		errc <- err
	}()
	defer func() {
		cancel()
		<-errc
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			errc <- err // for the deferred receive
			return nil, fmt.Errorf("syncing the replica: %w", err)
		case <-tick.C:
			if d.Stats().Heads > 0 {
				if db := d.DB(); db != nil {
					return db, nil
				}
			}
		}
	}
}

// ednArg reads an EDN argument given inline, as @FILE, or as - (stdin,
// when allowed). It returns the text and the value it reads to.
func (e *cli) ednArg(what, arg string, stdinOK bool) (string, any, error) {
	text := arg
	switch {
	case arg == "-" && stdinOK:
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return "", nil, fmt.Errorf("reading %s from stdin: %w", what, err)
		}
		text = string(b)
	case strings.HasPrefix(arg, "@"):
		b, err := os.ReadFile(arg[1:])
		if err != nil {
			return "", nil, fmt.Errorf("reading %s: %w", what, err)
		}
		text = string(b)
	}
	v, err := edn.ReadString(text)
	if err != nil {
		return "", nil, fmt.Errorf("invalid EDN in %s: %w", what, err)
	}
	return text, v, nil
}

// notFoundError is returned when the server has no database by the name.
type notFoundError struct{ name string }

func (e *notFoundError) Error() string { return "no such database: " + e.name }
func (e *notFoundError) Unwrap() error { return client.ErrNotFound }

// describe turns an error into one line for stderr.
func describe(err error, e *cli) string {
	switch {
	case errors.Is(err, peer.ErrUnauthorized):
		return "unauthorized: the server refused the token (set --token or CAIRN_TOKEN)"
	case errors.Is(err, peer.ErrUpgradeRequired):
		return "the server speaks another protocol version: upgrade cairn or the server"
	case errors.Is(err, client.ErrDeleted):
		return "the database was deleted on the server"
	}
	var re *rpc.Error
	if errors.As(err, &re) {
		// The client joins a typed sentinel with the remote error; the
		// remote message is the informative part.
		msg := re.Message
		switch {
		case errors.Is(err, client.ErrNotFound):
			msg = "no such database: " + msg
		case errors.Is(err, client.ErrExists):
			msg = "database already exists: " + msg
		case errors.Is(err, client.ErrBadName):
			msg = "invalid database name: " + msg
		case errors.Is(err, client.ErrOutcomeUnknown):
			msg = "the transaction's outcome is unknown (it may have been applied): " + msg
		default:
			msg = re.Code + ": " + msg
		}
		return oneLine(msg)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return oneLine(err.Error()) + fmt.Sprintf(" (timeout %s; see --timeout)", e.o.timeout)
	}
	return oneLine(err.Error())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
