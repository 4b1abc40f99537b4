// Command syncserver runs Cairn's sync server: it owns file-backed
// databases under a data directory (DATA/<scope-id>/) and serves peers —
// Go programs, the cairn CLI, browsers — over WebSockets at /ws, with
// /healthz and Prometheus /metrics beside.
//
//	go run ./cmd/syncserver [--host 127.0.0.1] [--port 4444] [--data ./data]
//	                        [--token SECRET | --dev-mode] [--level info] [--config FILE]
//
// Without a token it generates one and prints it (secure by default);
// --dev-mode disables authentication explicitly. SIGINT or SIGTERM shut it
// down gracefully: peers are closed with "going away" after in-flight
// commits finish.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(args []string, env func(string) string, stdout, stderr io.Writer) int {
	c, err := loadConfig(args, env, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "syncserver:", err)
		return 2
	}
	level, _ := parseLevel(c.Level)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	data, err := filepath.Abs(c.Data)
	if err != nil {
		fmt.Fprintln(stderr, "syncserver:", err)
		return 2
	}
	srv, err := server.New(server.Options{Data: data, Token: c.Token, DevMode: c.DevMode, Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "syncserver:", err)
		return 1
	}
	srv.ServeWebApp() // the task board at /
	ln, err := net.Listen("tcp", net.JoinHostPort(c.Host, fmt.Sprint(c.Port)))
	if err != nil {
		fmt.Fprintln(stderr, "syncserver:", err)
		srv.Shutdown(context.Background())
		return 1
	}
	addr := ln.Addr().String()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "cairn syncserver listening on http://%s (data in %s)\n", addr, data)
	switch {
	case c.DevMode:
		fmt.Fprintln(stdout, "dev mode: authentication is DISABLED")
	case c.tokenGenerated:
		fmt.Fprintf(stdout, "generated token: %s\nopen http://%s/#token=%s\n", c.Token, addr, c.Token)
	default:
		fmt.Fprintln(stdout, "token: configured")
	}
	log.Info("listening", "addr", addr, "data", data, "dev-mode", c.DevMode)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case s := <-sigs:
		log.Info("shutting down", "signal", s.String())
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
			srv.Shutdown(context.Background())
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), server.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("peer shutdown", "err", err)
	}
	log.Info("stopped")
	return 0
}
