// Package server is Cairn's sync server: it owns file-backed databases by
// scope id (DATA/<scope-id>/), serves the RPC functions peers call
// (create-database, delete-database, database-exists, list-databases,
// transact) and streams every database to its subscribers with the sync
// protocol, all over one WebSocket per peer:
//
//	websocket ── peer (msgpack frames, auth, hello, pings)
//	          └─ rpc  (create/delete/exists/list/transact)
//	             └─ sync (subscribe → nodes… head …)
//
// HTTP routes: /ws (peers), /healthz, /metrics (Prometheus text). The
// command cmd/syncserver wires configuration, logging and signals.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/internal/coresync"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/rpc"
	csync "github.com/cairn-db/cairn/sync"
	"github.com/cairn-db/cairn/wire"
)

// Options configure a Server. Zero values mean defaults.
type Options struct {
	// Data is the data directory (required).
	Data string
	// Token is the secret peers present; required unless DevMode.
	Token string
	// DevMode accepts peers without a token.
	DevMode bool
	// OriginPatterns are the browser origins allowed besides the server's
	// own host.
	OriginPatterns []string
	// CacheBytes bounds the decoded-node cache shared by all databases
	// (default 256 MiB).
	CacheBytes int64
	// Peer tunes the WebSocket layer (pings, limits, timeouts); its auth
	// fields are set from Token and DevMode.
	Peer peer.ServerOptions
	// Sender bounds each subscription's stream.
	Sender csync.SenderOptions
	// Logger; nil discards.
	Logger *slog.Logger
}

// Server is a running sync server.
type Server struct {
	opts    Options
	log     *slog.Logger
	reg     *Registry
	calls   *rpc.Registry
	peers   *peer.Server
	diffs   *csync.DiffCache
	engine  csync.Engine // how senders diff commits and encode heads
	Metrics *Metrics
	mux     *http.ServeMux
	conns   gosync.WaitGroup
}

// New opens the data directory and returns a server ready to serve HTTP.
func New(opts Options) (*Server, error) {
	if opts.Data == "" {
		return nil, errors.New("server: Options.Data is required")
	}
	if opts.Token == "" && !opts.DevMode {
		return nil, errors.New("server: set Options.Token or Options.DevMode")
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 256 << 20
	}
	s := &Server{opts: opts, log: opts.Logger, Metrics: &Metrics{}, diffs: csync.NewDiffCache(256), engine: coresync.Engine(nil)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	reg, err := NewRegistry(opts.Data, s.log, opts.CacheBytes, func(string, *core.Report) { s.Metrics.Commits.Add(1) })
	if err != nil {
		return nil, err
	}
	s.reg = reg
	s.calls = rpc.NewRegistry()
	s.registerCalls()
	po := opts.Peer
	po.Token, po.DevMode = opts.Token, opts.DevMode
	po.OriginPatterns = opts.OriginPatterns
	po.NodeFormat = index.FormatVersion
	po.Logger = s.log
	po.Serve = s.serve
	s.peers, err = peer.NewServer(&po)
	if err != nil {
		reg.Close()
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.mux.Handle("/ws", s.peers)
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.Metrics.WritePrometheus(w)
	})
	return s, nil
}

// Handle mounts another handler (the web app) on the server's mux.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP serves the server's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Registry returns the server's databases.
func (s *Server) Registry() *Registry { return s.reg }

// Shutdown closes every peer connection with "going away" (a hijacked
// WebSocket is not closed by http.Server.Shutdown), waits for their
// handlers until ctx ends, then closes the databases after their in-flight
// commits.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.peers.Shutdown(ctx)
	s.conns.Wait()
	s.reg.Close()
	return err
}

// serve runs one peer connection: rpc, then sync, then a top that answers
// unknown message types.
func (s *Server) serve(ctx context.Context, c peer.Conn) {
	s.conns.Add(1)
	defer s.conns.Done()
	s.Metrics.Peers.Add(1)
	defer s.Metrics.Peers.Add(-1)
	ep := rpc.New(c, &rpc.Options{Registry: s.calls, Logger: s.log})
	sl := csync.NewServerLayer(ep, csync.ServerOptions{
		Lookup: func(ctx context.Context, db, principal string) (csync.Source, error) {
			d, err := s.reg.Get(ctx, db)
			if err != nil {
				return csync.Source{}, err
			}
			return csync.Source{Store: d.Store(), Publisher: d.Publisher()}, nil
		},
		Sender:        s.senderOptions(),
		OnSubscribe:   func(string) { s.Metrics.Subscriptions.Add(1) },
		OnUnsubscribe: func(string) { s.Metrics.Subscriptions.Add(-1) },
		Logger:        s.log,
	})
	err := peer.RejectUnknown(ctx, sl)
	s.log.Debug("peer done", "remote", c.Info().RemoteAddr, "err", err)
	sl.Close("bye")
	ep.Close("bye")
}

func (s *Server) senderOptions() csync.SenderOptions {
	o := s.opts.Sender
	o.Diffs = s.diffs
	o.Engine = s.engine
	user := o.OnSent
	o.OnSent = func(nodes int, bytes int64) {
		s.Metrics.NodesSynced.Add(int64(nodes))
		s.Metrics.BytesSynced.Add(bytes)
		if user != nil {
			user(nodes, bytes)
		}
	}
	return o
}

func (s *Server) registerCalls() {
	s.calls.Register(wire.FnCreateDatabase, func(ctx context.Context, call *rpc.Call) (any, error) {
		s.Metrics.RPCCalls.Add(1)
		var a wire.CreateArgs
		if err := call.Decode(&a); err != nil {
			return nil, &rpc.Error{Code: wire.CodeBadArgs, Message: err.Error()}
		}
		cfg := core.Config{KeepHistory: a.KeepHistory}
		switch a.SchemaFlexibility {
		case "", "write":
		case "read":
			cfg.SchemaFlexibility = schema.FlexRead
		default:
			return nil, &rpc.Error{Code: wire.CodeBadArgs, Message: fmt.Sprintf("schema-flexibility %q: want write or read", a.SchemaFlexibility)}
		}
		if a.Schema != "" {
			cfg.Schema = a.Schema
		}
		return true, wireError(s.reg.Create(ctx, a.Name, cfg))
	})
	s.calls.Register(wire.FnDeleteDatabase, func(ctx context.Context, call *rpc.Call) (any, error) {
		s.Metrics.RPCCalls.Add(1)
		var a wire.NameArgs
		if err := call.Decode(&a); err != nil {
			return nil, &rpc.Error{Code: wire.CodeBadArgs, Message: err.Error()}
		}
		return true, wireError(s.reg.Delete(ctx, a.Name))
	})
	s.calls.Register(wire.FnDatabaseExists, func(ctx context.Context, call *rpc.Call) (any, error) {
		s.Metrics.RPCCalls.Add(1)
		var a wire.NameArgs
		if err := call.Decode(&a); err != nil {
			return nil, &rpc.Error{Code: wire.CodeBadArgs, Message: err.Error()}
		}
		ok, err := s.reg.Exists(ctx, a.Name)
		return ok, wireError(err)
	})
	s.calls.Register(wire.FnListDatabases, func(ctx context.Context, call *rpc.Call) (any, error) {
		s.Metrics.RPCCalls.Add(1)
		names, err := s.reg.List()
		return names, wireError(err)
	})
	s.calls.Register(wire.FnTransact, func(ctx context.Context, call *rpc.Call) (any, error) {
		s.Metrics.RPCCalls.Add(1)
		var a wire.TransactArgs
		if err := call.Decode(&a); err != nil {
			return nil, &rpc.Error{Code: wire.CodeBadArgs, Message: err.Error()}
		}
		res, err := s.reg.Transact(ctx, a.DB, a.TxData, a.Key)
		if err != nil {
			return nil, wireError(err)
		}
		return res, nil
	})
}

// wireError turns a server error into an *rpc.Error with a code the
// client maps back to a typed error.
func wireError(err error) error {
	if err == nil {
		return nil
	}
	code := ""
	switch {
	case errors.Is(err, ErrNotFound):
		code = wire.CodeNotFound
	case errors.Is(err, ErrExists):
		code = wire.CodeExists
	case errors.Is(err, ErrBadName):
		code = wire.CodeBadName
	case errors.Is(err, ErrShuttingDown):
		code = wire.CodeShutdown
	case errors.Is(err, core.ErrInvalidArgument):
		code = wire.CodeTxPrefix + "invalid-tx-data"
	case errors.Is(err, core.ErrConflict):
		code = wire.CodeConflict
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	if code == "" {
		for _, k := range wire.TxKinds {
			if errors.Is(err, k.Err) {
				code = wire.CodeTxPrefix + k.Kind
				break
			}
		}
	}
	if code == "" {
		code = wire.CodeStoreError
	}
	return &rpc.Error{Code: code, Message: err.Error()}
}

// ShutdownTimeout is how long Close waits for in-flight work by default in
// cmd/syncserver.
const ShutdownTimeout = 10 * time.Second
