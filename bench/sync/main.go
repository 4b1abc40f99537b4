// Command sync benchmarks Cairn's streaming sync (issue #4) on loopback:
// a real sync server in this process (file-backed databases in a temp dir,
// token auth) and real Go peers (client.Client, one WebSocket each).
//
//	go run ./bench/sync [-peers 1,100,1000] [-datoms 1000000] [-intervals 5ms,50ms]
//	                    [-phases latency,pouch,big] [-out FILE [-append]] [-smoke] [-pprof DIR]
//
// It measures
//  1. commit → peer latency with N subscribed peers: a writer commits small
//     transactions one at a time through the server's registry; latency is
//     from Transact's return (the commit is durable) to each peer's Listen
//     callback for that transaction (the peer's local db has it);
//  2. initial sync of a database of -datoms datoms (entities × 5
//     attributes) to a fresh peer, Open → Ready, with an in-memory and a
//     file replica, with and without permessage-deflate; node bytes
//     (Stats().Bytes) and the bytes on the socket;
//  3. resume of the file replica after 100 new datoms, as a share of the
//     full sync;
//  4. PouchDB 9 replication (bench/pouchdb, express-pouchdb with the memory
//     adapter, two node processes) of 10k docs and of 100 new docs, beside
//     Cairn on the same workload, in the same run.
//
// -smoke runs tiny sizes (1 and 10 peers, 20k datoms; PouchDB only when
// bench/node_modules exists) in a few seconds, for make test.
package main

import (
	"context"
	"flag"
	"fmt"
	mach "github.com/cairn-db/cairn/bench/internal/machine"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type config struct {
	peers        []int
	datoms       int
	commits      int
	repeat       int
	intervals    []time.Duration
	phases       map[string]bool
	seedEntities int
	pouchDocs    int
	pouchNew     int
	pouch        bool
	smoke        bool
	out          string
	appendOut    bool
	pprofDir     string
	args         string
}

func main() {
	peers := flag.String("peers", "1,100,1000", "numbers of subscribed peers for the latency runs")
	datoms := flag.Int("datoms", 1000000, "datoms in the initial-sync database (entities × 5 attributes)")
	commits := flag.Int("commits", 200, "transactions the writer commits in each latency run")
	repeat := flag.Int("repeat", 3, "latency runs per peer count and pause (the machine is noisy: every run is reported, and the target judged on the median)")
	intervals := flag.String("intervals", "5ms,50ms", "pauses between the writer's commits: one latency run per peer count and pause")
	phases := flag.String("phases", "latency,pouch,big", "phases to run: latency, pouch (Cairn and PouchDB on the same workload), big (initial sync and resume)")
	seed := flag.Int("seed-entities", 1000, "entities in the latency database before the writer starts")
	pouchDocs := flag.Int("pouch-docs", 10000, "docs (and Cairn entities) in the PouchDB comparison")
	pouchNew := flag.Int("pouch-new", 100, "new docs (and entities) in the incremental step of the comparison")
	noPouch := flag.Bool("no-pouch", false, "skip PouchDB (Cairn's side of the comparison still runs)")
	smoke := flag.Bool("smoke", false, "tiny sizes, for make test")
	out := flag.String("out", "", "write the markdown section to FILE")
	appendOut := flag.Bool("append", false, "append the section to -out instead of replacing the file")
	pprofDir := flag.String("pprof", "", "write a CPU profile per phase into DIR")
	flag.Parse()

	cfg := config{datoms: *datoms, commits: *commits, repeat: max(*repeat, 1), seedEntities: *seed, phases: map[string]bool{},
		pouchDocs: *pouchDocs, pouchNew: *pouchNew, pouch: !*noPouch, smoke: *smoke, out: *out, appendOut: *appendOut, pprofDir: *pprofDir,
		args: strings.Join(os.Args[1:], " ")}
	for _, s := range strings.Split(*peers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench/sync: bad -peers %q\n", *peers)
			os.Exit(2)
		}
		cfg.peers = append(cfg.peers, n)
	}
	for _, s := range strings.Split(*intervals, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			fmt.Fprintf(os.Stderr, "bench/sync: bad -intervals %q\n", *intervals)
			os.Exit(2)
		}
		cfg.intervals = append(cfg.intervals, d)
	}
	for _, s := range strings.Split(*phases, ",") {
		switch s = strings.TrimSpace(s); s {
		case "latency", "pouch", "big":
			cfg.phases[s] = true
		default:
			fmt.Fprintf(os.Stderr, "bench/sync: bad -phases %q\n", *phases)
			os.Exit(2)
		}
	}
	if cfg.smoke {
		cfg.peers = []int{1, 10}
		cfg.datoms = 20000
		cfg.commits = 30
		cfg.intervals = []time.Duration{2 * time.Millisecond}
		cfg.seedEntities = 200
		cfg.pouchDocs = 1000
		cfg.repeat = 1
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sync:", err)
		os.Exit(1)
	}
}

type results struct {
	cfg       config
	machine   machine
	loadEnd   string
	started   time.Time
	elapsed   time.Duration
	latency   []*latencyResult
	big       *bigResult
	like      *likeResult
	pouch     *pouchResult
	pouchNote string
	warnings  string
}

func run(cfg config) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	res := &results{cfg: cfg, machine: describeMachine(), started: time.Now()}
	logf("machine: %s, %d cores, %s, node %s, load average %s", res.machine.CPU, res.machine.Cores, res.machine.Go, res.machine.Node, res.machine.LoadAvg)
	if cfg.pprofDir != "" {
		if err := os.MkdirAll(cfg.pprofDir, 0o755); err != nil {
			return err
		}
	}
	prof := profiler{cfg.pprofDir}
	tmp, err := os.MkdirTemp("", "cairn-bench-sync-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b, err := startServer(filepath.Join(tmp, "server"))
	if err != nil {
		return err
	}
	defer b.close()

	for _, n := range cfg.peers {
		if !cfg.phases["latency"] {
			break
		}
		for _, iv := range cfg.intervals {
			for run := 1; run <= cfg.repeat; run++ {
				logf("latency: %d peers, %d commits %v apart (run %d of %d) ...", n, cfg.commits, iv, run, cfg.repeat)
				stop := prof.start(fmt.Sprintf("latency-%d-%v-%d", n, iv, run))
				r, err := runLatency(ctx, b, n, cfg.commits, iv, cfg.seedEntities)
				stop()
				if err != nil {
					return fmt.Errorf("latency with %d peers: %w", n, err)
				}
				logf("  p50 %s p99 %s max %s (setup %v, catch-up %s, CPU %.1fs over %.1fs, %.0f B/commit/peer, %.1f heads/peer)", ms(r.P50), ms(r.P99), ms(r.Max),
					r.SetupTime.Round(time.Millisecond), ms(r.CatchUp), r.CPU.Seconds(), r.WallTime.Seconds(), r.BytesPerCommit, r.HeadsPerPeer)
				r.Run = run
				res.latency = append(res.latency, r)
				runtime.GC()
			}
		}
	}

	if cfg.phases["pouch"] {
		if err := runPouchPhase(ctx, cfg, root, res, b); err != nil {
			return err
		}
	}
	if cfg.phases["big"] {
		if res.big, err = runBig(ctx, b, cfg.datoms/5, prof, tmp); err != nil {
			return fmt.Errorf("initial sync: %w", err)
		}
	}
	res.loadEnd = mach.LoadAvg()
	res.warnings = peerWarnings.summary()
	res.elapsed = time.Since(res.started)

	md := report(res)
	if cfg.out != "" {
		if err := writeOut(cfg.out, md, cfg.appendOut); err != nil {
			return err
		}
		logf("wrote %s", cfg.out)
	}
	fmt.Print(md)
	return nil
}

// runPouchPhase runs Cairn on PouchDB's workload, then PouchDB itself.
func runPouchPhase(ctx context.Context, cfg config, root string, res *results, b *benchServer) error {
	var err error
	logf("Cairn on the PouchDB workload: %d entities, then %d new ...", cfg.pouchDocs, cfg.pouchNew)
	if res.like, err = runLikePouch(ctx, b, cfg.pouchDocs, cfg.pouchNew); err != nil {
		return fmt.Errorf("cairn like-pouch: %w", err)
	}
	logf("  initial %v, incremental %v", res.like.Initial.Time.Round(time.Millisecond), res.like.Incremental.Time.Round(time.Millisecond))
	switch _, statErr := os.Stat(filepath.Join(root, "bench", "node_modules", "express-pouchdb")); {
	case !cfg.pouch:
		res.pouchNote = "skipped (-no-pouch)"
	case statErr != nil && cfg.smoke:
		res.pouchNote = "skipped (smoke run without bench/node_modules; run `make bench-deps`)"
	case statErr != nil:
		return fmt.Errorf("bench/node_modules/express-pouchdb missing: run `cd bench && npm install` (make bench-deps) or pass -no-pouch")
	default:
		logf("PouchDB: %d docs, then %d new ...", cfg.pouchDocs, cfg.pouchNew)
		if res.pouch, err = runPouch(ctx, root, cfg.pouchDocs, cfg.pouchNew); err != nil {
			return fmt.Errorf("pouchdb: %w", err)
		}
		logf("  initial %.0f ms, incremental %.0f ms", res.pouch.Initial.MS, res.pouch.Incremental.MS)
	}
	runtime.GC()
	return nil
}

func writeOut(path, md string, appendOut bool) error {
	if !appendOut {
		return os.WriteFile(path, []byte(md), 0o644)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("\n" + md); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
