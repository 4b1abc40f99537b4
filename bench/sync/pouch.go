package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// pouchPhase is one replication as bench/pouchdb/client.js reports it.
type pouchPhase struct {
	MS          float64 `json:"ms"`
	Up          int64   `json:"up"`
	Down        int64   `json:"down"`
	DocsWritten int     `json:"docs_written"`
	DocsRead    int     `json:"docs_read"`
}

type pouchResult struct {
	PouchDB        string     `json:"pouchdb"`
	ExpressPouchDB string     `json:"express_pouchdb"`
	Docs           int        `json:"docs"`
	NewDocs        int        `json:"new_docs"`
	BatchSize      int        `json:"batch_size"`
	SeedMS         float64    `json:"seed_ms"`
	Initial        pouchPhase `json:"initial"`
	Incremental    pouchPhase `json:"incremental"`
	Noop           pouchPhase `json:"noop"`
}

// runPouch starts bench/pouchdb/server.js (express-pouchdb, memory
// adapter), puts a byte-counting TCP proxy in front of it, serves the
// proxy's counters over HTTP, and runs bench/pouchdb/client.js in a second
// node process, which seeds docs directly and replicates through the
// proxy.
func runPouch(ctx context.Context, root string, docs, newDocs int) (*pouchResult, error) {
	dir := filepath.Join(root, "bench", "pouchdb")
	scratch, err := os.MkdirTemp("", "cairn-pouch-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	srv := exec.CommandContext(ctx, "node", filepath.Join(dir, "server.js"))
	srv.Dir = scratch // express-pouchdb must not write into the repo
	srv.Stderr = os.Stderr
	out, err := srv.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		srv.Process.Kill()
		srv.Wait()
	}()
	portc := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m struct{ Port int }
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Port != 0 {
				portc <- m.Port
			}
		}
	}()
	var port int
	select {
	case port = <-portc:
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("pouchdb server did not start")
	}
	target := fmt.Sprintf("127.0.0.1:%d", port)
	px, err := newTCPProxy(target)
	if err != nil {
		return nil, err
	}
	defer px.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"up":%d,"down":%d}`, px.cnt.up.Load(), px.cnt.down.Load())
	})}
	go hs.Serve(ln)
	defer hs.Close()

	cl := exec.CommandContext(ctx, "node", filepath.Join(dir, "client.js"),
		"-seed", "http://"+target, "-url", "http://"+px.addr(), "-bytes", "http://"+ln.Addr().String()+"/bytes",
		"-docs", fmt.Sprint(docs), "-new", fmt.Sprint(newDocs))
	cl.Dir = scratch
	cl.Stderr = os.Stderr
	b, err := cl.Output()
	if err != nil {
		return nil, fmt.Errorf("node client.js: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(bytes.TrimSpace(b))), "\n")
	var res pouchResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return nil, fmt.Errorf("client.js output: %w: %s", err, b)
	}
	return &res, nil
}
