// Command browser benchmarks Cairn in the browser (issue #5's acceptance):
// the initial sync of 100k and 1M datoms into a page's replica (datoms/s
// into IndexedDB through the tiered store, and into memory alone), query
// latency in the page against DataScript 1.8.1 loaded in the same page on
// the same data and the shapes of issue #3, and the size of web/cairn.wasm.
//
//	go run ./bench/browser [-out FILE]     # 20k and 200k entities (100k and 1M datoms)
//	go run ./bench/browser -smoke          # 1k and 2k entities, 1 run: checks it works (< 60 s)
//
// Run it from the repository root (it reads web/cairn.wasm and serves
// bench/node_modules/datascript/datascript.js: `cd bench && npm install`).
//
// What it does:
//   - starts the real sync server in this process (server.New with a
//     token, ServeWebApp, on 127.0.0.1, a temporary data directory) and
//     mounts the benchmark page (bench/browser/page, embedded) at /bench/;
//   - builds the datasets on the server: n entities x 5 attributes (the
//     dataset of bench/cmd/benchquery: name unique, age, city indexed,
//     score, friend -> the next entity, a ring), DataScript mode, schema on
//     read, in bulk transactions of 10k entities through
//     Registry().Transact;
//   - drives headless Chromium (chromedp, the flags of tests/browser, plus
//     --js-flags=--expose-gc so DataScript's shapes start from a collected
//     heap): for each dataset a fresh page times open(db, {persist: false})
//     → ready (memory), another open(db, {persist: true}) → ready (the
//     replica fully written into IndexedDB: a batch counts on its
//     `complete` event and the head is written after its nodes), and a
//     third reopens the kept replica from IndexedDB;
//   - in the page holding the 100k replica, loads the same datoms (fetched
//     as JSON from the server) into DataScript with init_db and runs the 9
//     shapes in both engines, DataScript first, through Cairn's public JS
//     API (db.qSync / db.pullSync / db.pullManySync: EDN text in and out,
//     synchronous like DataScript's); prints the medians, their ratio and
//     `min ratio X`;
//   - reports web/cairn.wasm raw and gzip -9.
//
// A shape whose result sizes differ between the engines is an error (exit
// status 1). Targets not met are reported, not errors.
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/cairn-db/cairn/bench/internal/machine"
	"github.com/cairn-db/cairn/bench/internal/report"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/server"
	"github.com/chromedp/chromedp"
)

//go:embed page
var pageFiles embed.FS

const (
	token      = "bench-browser-secret"
	syncTarget = 50000 // datoms/s into IndexedDB
	qTarget    = 1.5   // DataScript / Cairn
	gzipTarget = 1.5e6 // bytes (issue #5, Size)
	chunk      = 10000 // entities per bulk transaction
)

// Schema is bench/cmd/benchquery's (and bench/datascript/query.js's).
const Schema = `{:name {:db/unique :db.unique/identity} :city {:db/index true} :friend {:db/valueType :db.type/ref}}`

type config struct {
	nQuery, nLarge      int
	runs, pullRuns      int
	pullBatch           int
	smoke               bool
	out, chromium, args string
}

func main() {
	var c config
	flag.IntVar(&c.nQuery, "n", 20000, "entities of the first dataset (x 5 = datoms); the queries run on it")
	flag.IntVar(&c.nLarge, "nlarge", 200000, "entities of the second dataset (x 5 = datoms); 0 skips it")
	flag.IntVar(&c.runs, "runs", 20, "warm runs per query shape (the median is reported)")
	flag.IntVar(&c.pullRuns, "pullruns", 200, "warm samples of the single-entity pull")
	flag.IntVar(&c.pullBatch, "pullbatch", 10, "calls per sample of the single-entity pull (below the timer's resolution otherwise)")
	flag.BoolVar(&c.smoke, "smoke", false, "1,000 and 2,000 entities, 1 run: a quick check for make test")
	flag.StringVar(&c.out, "out", "", "also write the markdown section to this file")
	flag.StringVar(&c.chromium, "chromium", "", "Chromium binary (default: $CAIRN_CHROMIUM, chromium on PATH, /usr/bin/chromium)")
	flag.Parse()
	var args []string
	flag.Visit(func(f *flag.Flag) {
		if f.Name != "out" {
			args = append(args, "-"+f.Name+"="+f.Value.String())
		}
	})
	if c.smoke {
		c.nQuery, c.nLarge, c.runs, c.pullRuns, c.pullBatch = 1000, 2000, 1, 1, 1
		args = []string{"-smoke"}
	}
	c.args = strings.Join(args, " ")
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/browser:", err)
		os.Exit(1)
	}
}

// --- server side ---

// chunkTx is entities [lo, hi) of the dataset of n entities as entity maps
// (bench/cmd/benchquery's LoadTx, in pieces). The friend of the last entity
// of a chunk lives in another chunk: it is named here by its unique name
// (an upsert), so the ring closes and every entity still has 5 datoms.
func chunkTx(lo, hi, n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := lo; i < hi; i++ {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`,
			i, i, i%90, i%10, i*7%1000, (i+1)%n)
	}
	if j := hi % n; j < lo || j >= hi {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d"}`, j, j)
	}
	b.WriteString("]")
	return b.String()
}

func loadDataset(ctx context.Context, reg *server.Registry, name string, n int) (time.Duration, error) {
	t0 := time.Now()
	if err := reg.Create(ctx, name, core.Config{Mode: core.ModeDataScript,
		SchemaFlexibility: schema.FlexRead, Schema: Schema}); err != nil {
		return 0, err
	}
	for lo := 0; lo < n; lo += chunk {
		if _, err := reg.Transact(ctx, name, chunkTx(lo, min(lo+chunk, n), n), ""); err != nil {
			return 0, fmt.Errorf("loading %s: %w", name, err)
		}
	}
	took := time.Since(t0)
	d, err := reg.Get(ctx, name)
	if err != nil {
		return 0, err
	}
	db := d.Conn().DB()
	for _, a := range []string{"name", "age", "city", "score", "friend"} {
		k, err := db.Q(ctx, `[:find (count ?e) . :where [?e :`+a+`]]`)
		if err != nil {
			return 0, err
		}
		if k != int64(n) {
			return 0, fmt.Errorf("%s: %v entities with :%s, want %d", name, k, a, n)
		}
	}
	last, err := db.Q(ctx, `[:find ?fn . :in $ ?n :where [?e :name ?n] [?e :friend ?f] [?f :name ?fn]]`, fmt.Sprintf("user%d", n-1))
	if err != nil {
		return 0, err
	}
	if last != "user0" {
		return 0, fmt.Errorf("%s: the friend ring is not closed (friend of the last: %v)", name, last)
	}
	return took, nil
}

// datomsJSON answers /bench/datoms.json?db=NAME with the dataset's datoms
// as [[e, "attr", v], …] (the values Cairn holds, for DataScript's
// init_db; refs are entity ids).
func datomsJSON(reg *server.Registry) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := reg.Get(r.Context(), r.URL.Query().Get("db"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		res, err := d.Conn().DB().Q(r.Context(), `[:find ?e ?n ?a ?c ?s ?f :where [?e :name ?n] [?e :age ?a] [?e :city ?c] [?e :score ?s] [?e :friend ?f]]`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rows, ok := res.(edn.Vector)
		if !ok {
			http.Error(w, fmt.Sprintf("unexpected result %T", res), http.StatusInternalServerError)
			return
		}
		attrs := []string{"name", "age", "city", "score", "friend"}
		out := make([][3]any, 0, len(rows)*5)
		for _, x := range rows {
			row, ok := x.(edn.Vector)
			if !ok || len(row) != 6 {
				http.Error(w, fmt.Sprintf("unexpected row %T", x), http.StatusInternalServerError)
				return
			}
			for i, a := range attrs {
				out = append(out, [3]any{row[0], a, row[i+1]})
			}
		}
		// Sorted by entity, as init_db's input usually is.
		sort.SliceStable(out, func(i, j int) bool { return out[i][0].(int64) < out[j][0].(int64) })
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}
}

// benchHandler serves /bench/: the page (embedded), DataScript's file, the
// datoms. The page is cross-origin isolated (COOP/COEP) so that
// performance.now() has its fine resolution.
func benchHandler(reg *server.Registry) (http.Handler, error) {
	sub, err := fs.Sub(pageFiles, "page")
	if err != nil {
		return nil, err
	}
	dsPath := "bench/node_modules/datascript/datascript.js"
	if _, err := os.Stat(dsPath); err != nil {
		return nil, fmt.Errorf("%s missing: run from the repository root after `cd bench && npm install`", dsPath)
	}
	files := http.StripPrefix("/bench/", http.FileServerFS(sub))
	mux := http.NewServeMux()
	mux.HandleFunc("/bench/datascript.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFile(w, r, dsPath)
	})
	mux.Handle("/bench/datoms.json", datomsJSON(reg))
	mux.Handle("/bench/", files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	}), nil
}

// --- the browser ---

func findChromium(flagPath string) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	if p := os.Getenv("CAIRN_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	return "", errors.New("chromium not found: install Debian's chromium (apt-get install -y chromium) or set CAIRN_CHROMIUM")
}

func chromiumVersion(exe string) string {
	out, _ := exec.Command(exe, "--version").CombinedOutput()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "Chromium") || strings.Contains(l, "Chrome") {
			return strings.TrimSpace(l)
		}
	}
	return "unknown"
}

type browser struct {
	ctx  context.Context
	mu   gosync.Mutex
	logs []string
}

func newBrowser(exe, profile string) (*browser, func(), error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(760, 820),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("js-flags", "--expose-gc"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	stop := func() { cancel(); cancelA() }
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting chromium: %w", err)
	}
	b := &browser{ctx: ctx}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.logs = append(b.logs, fmt.Sprintf("%s: %s", m.Type, m.Text))
			b.mu.Unlock()
		}
	}()
	return b, stop, nil
}

func (b *browser) console() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := max(0, len(b.logs)-30)
	return strings.Join(b.logs[k:], "\n  ")
}

// eval evaluates expr (awaiting a promise) and decodes its JSON value.
func eval[T any](b *browser, timeout time.Duration, expr string) (T, error) {
	var v T
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return v, fmt.Errorf("evaluating %.80s: %w\n  console:\n  %s", expr, err, b.console())
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decoding %.200s: %w", raw, err)
	}
	return v, nil
}

type pageInfo struct {
	LoadMs    float64 `json:"loadMs"`
	Version   string  `json:"version"`
	StoreKind string  `json:"storeKind"`
	UserAgent string  `json:"userAgent"`
	Isolated  bool    `json:"isolated"`
	HasGC     bool    `json:"hasGC"`
}

// fresh navigates to the benchmark page (a new wasm instance, connected).
func (b *browser) fresh(url string) (pageInfo, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	// Leave the previous page cleanly (its IndexedDB connections closed).
	chromedp.Run(ctx, chromedp.Evaluate[bool](`globalThis.bench ? globalThis.bench.shutdown() : true`, chromedp.EvalAwaitPromise))
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url)); err != nil {
		return pageInfo{}, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`globalThis.bench && globalThis.bench.ok`,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		return pageInfo{}, fmt.Errorf("benchmark page did not load: %w\n  console:\n  %s", err, b.console())
	}
	return eval[pageInfo](b, 60*time.Second, `bench.init()`)
}

type stats struct {
	Nodes int64  `json:"nodes"`
	Bytes int64  `json:"bytes"`
	Heads int64  `json:"heads"`
	Ready bool   `json:"ready"`
	Store string `json:"store"`
}

type syncResult struct {
	OpenMs  float64 `json:"openMs"`
	ReadyMs float64 `json:"readyMs"`
	Stats   stats   `json:"stats"`
	Count   int     `json:"count"`
}

type engineRes struct {
	First  float64 `json:"first"`
	Median float64 `json:"median"`
	Size   int     `json:"size"`
	Runs   int     `json:"runs"`
	Batch  int     `json:"batch"`
}

type queryResult struct {
	FetchMs  float64 `json:"fetchMs"`
	DSLoadMs float64 `json:"dsLoadMs"`
	Datoms   int     `json:"datoms"`
	// RoundTripMs and TrivialQMs are the fixed cost of one API call.
	RoundTripMs float64 `json:"roundTripMs"`
	TrivialQMs  float64 `json:"trivialQMs"`
	Shapes      []struct {
		Name  string    `json:"name"`
		DS    engineRes `json:"ds"`
		Cairn engineRes `json:"cairn"`
	} `json:"shapes"`
}

type dataset struct {
	name   string
	n      int
	loadT  time.Duration
	mem    syncResult
	idb    syncResult
	reopen syncResult
}

// --- the run ---

func run(c config) error {
	ctx := context.Background()
	load0 := machine.Load1()
	start := time.Now()

	raw, err := os.ReadFile("web/cairn.wasm")
	if err != nil {
		return fmt.Errorf("reading web/cairn.wasm (run from the repository root): %w", err)
	}
	gz, gzHow, err := gzip9(raw)
	if err != nil {
		return err
	}

	exe, err := findChromium(c.chromium)
	if err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "cairn-bench-browser-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	profile, err := os.MkdirTemp("", "cairn-bench-browser-profile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)

	srv, err := server.New(server.Options{Data: data, Token: token})
	if err != nil {
		return err
	}
	srv.ServeWebApp()
	bh, err := benchHandler(srv.Registry())
	if err != nil {
		return err
	}
	srv.Handle("/bench/", bh)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		hs.Shutdown(sctx)
	}()
	url := "http://" + ln.Addr().String() + "/bench/#token=" + token

	sets := []*dataset{{name: "bench-q", n: c.nQuery}}
	if c.nLarge > 0 {
		sets = append(sets, &dataset{name: "bench-large", n: c.nLarge})
	}
	for _, d := range sets {
		fmt.Fprintf(os.Stderr, "building %s: %d entities, %d datoms ...\n", d.name, d.n, 5*d.n)
		if d.loadT, err = loadDataset(ctx, srv.Registry(), d.name, d.n); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "  %v\n", d.loadT.Round(time.Millisecond))
	}

	fmt.Fprintf(os.Stderr, "starting %s ...\n", exe)
	b, stop, err := newBrowser(exe, profile)
	if err != nil {
		return err
	}
	defer stop()
	version := chromiumVersion(exe)

	timeout := 20 * time.Minute
	if c.smoke {
		timeout = 30 * time.Second
	}
	syncExpr := func(name string, persist bool) string {
		return fmt.Sprintf(`bench.sync(%q, %v, %d)`, name, persist, timeout.Milliseconds())
	}
	var info pageInfo
	var qr queryResult
	for _, d := range sets {
		for _, step := range []struct {
			what    string
			persist bool
			dst     *syncResult
		}{{"memory", false, &d.mem}, {"IndexedDB", true, &d.idb}, {"reopen from IndexedDB", true, &d.reopen}} {
			fmt.Fprintf(os.Stderr, "%s: sync into %s ...\n", d.name, step.what)
			if info, err = b.fresh(url); err != nil {
				return err
			}
			r, err := eval[syncResult](b, timeout+time.Minute, syncExpr(d.name, step.persist))
			if err != nil {
				return err
			}
			if r.Count != d.n {
				return fmt.Errorf("%s (%s): the replica has %d entities, want %d", d.name, step.what, r.Count, d.n)
			}
			wantStore := map[bool]string{false: "memory", true: "indexeddb"}[step.persist]
			if r.Stats.Store != wantStore {
				return fmt.Errorf("%s (%s): replica store %q, want %q", d.name, step.what, r.Stats.Store, wantStore)
			}
			*step.dst = r
			fmt.Fprintf(os.Stderr, "  ready in %.0f ms (%d nodes, %d bytes received)\n", r.ReadyMs, r.Stats.Nodes, r.Stats.Bytes)
		}
		if d == sets[0] {
			// This page holds the replica just reopened from IndexedDB
			// (memory in front): the query comparison runs here.
			fmt.Fprintf(os.Stderr, "%s: queries, DataScript and Cairn in the page ...\n", d.name)
			qr, err = eval[queryResult](b, 30*time.Minute, fmt.Sprintf(`bench.queries(%q, %d, %d, %d)`, d.name, c.runs, c.pullRuns, c.pullBatch))
			if err != nil {
				return err
			}
		}
	}
	eval[bool](b, 30*time.Second, `bench.shutdown()`)
	load1 := machine.Load1()

	// --- the report ---
	var w strings.Builder
	w.WriteString("## Browser: initial sync, queries against DataScript in the page, wasm size (issue #5)\n\n")
	if c.smoke {
		w.WriteString("**Smoke run** (small datasets, 1 run): not a measurement.\n\n")
	}
	cmd := "go run ./bench/browser"
	if c.args != "" {
		cmd += " " + c.args
	}
	fmt.Fprintf(&w, "Command: `%s` on %s (%.0f s in all). ", cmd, start.UTC().Format("2006-01-02 15:04 UTC"), time.Since(start).Seconds())
	w.WriteString("It starts the sync server in process (`server.New` with a token, `ServeWebApp`, 127.0.0.1, a temporary data directory), " +
		"builds the datasets on it, and drives headless Chromium (chromedp) on a benchmark page (`bench/browser/page`) " +
		"that loads `web/cairn.wasm` through `web/cairn.js` and DataScript 1.8.1's `datascript.js`.\n\n")
	fmt.Fprintf(&w, "Machine: %s, %d cores, %s %s/%s; %s (headless, `--js-flags=--expose-gc`); page cross-origin isolated: %v. Load average (1 min) %s before, %s after.\n\n",
		machine.CPUModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, version, info.Isolated, load0, load1)
	fmt.Fprintf(&w, "Loading the wasm (fetch + compile + start) takes %.0f ms per page load.\n\n", info.LoadMs)

	w.WriteString("### Initial sync into the browser\n\n")
	w.WriteString("Data: n entities x 5 attributes (the dataset of `bench/cmd/benchquery`: name unique, age, city indexed, score, friend -> the next entity), " +
		"DataScript mode, schema on read, history kept, loaded on the server in transactions of 10,000 entities (time in the table, native, file store). " +
		"Each row is a fresh page (new wasm instance, already connected) timing `open(db, opts)` until `db.ready()` resolves: " +
		"every node fetched over the WebSocket and the head applied. With `{persist: true}` the replica is written through `store/tiered` into IndexedDB " +
		"(a batch counts when its IndexedDB transaction completes; the head is written after its nodes), so ready means the whole database is in IndexedDB. " +
		"Reopen: a new page opens the kept replica again (warms memory from IndexedDB, then resubscribes and receives nothing new). " +
		"datoms/s = 5n / time (the user's datoms; schema and transaction datoms are not counted).\n\n")
	w.WriteString("| datoms | replica | open → ready | datoms/s | received | server load |\n|---:|---|---:|---:|---|---:|\n")
	minIDB := 0.0
	for i, d := range sets {
		nd := 5 * d.n
		for _, r := range []struct {
			what string
			s    syncResult
		}{{"memory (`persist: false`)", d.mem}, {"**IndexedDB** (`persist: true`)", d.idb}, {"reopen from IndexedDB", d.reopen}} {
			rate := float64(nd) / (r.s.ReadyMs / 1000)
			load := ""
			if r.what == "memory (`persist: false`)" {
				load = fmt.Sprintf("%.1f s", d.loadT.Seconds())
			}
			fmt.Fprintf(&w, "| %s | %s | %.2f s | %s | %d nodes, %.1f MB | %s |\n", thousands(nd), r.what, r.s.ReadyMs/1000, thousands(int(rate)),
				r.s.Stats.Nodes, float64(r.s.Stats.Bytes)/1e6, load)
		}
		rate := float64(nd) / (d.idb.ReadyMs / 1000)
		if i == 0 || rate < minIDB {
			minIDB = rate
		}
	}
	fmt.Fprintf(&w, "\nTarget ≥ %s datoms/s into IndexedDB: **%s** (lowest %s datoms/s).\n\n", thousands(syncTarget), met(minIDB >= syncTarget), thousands(int(minIDB)))

	w.WriteString("### Queries in the page: Cairn (wasm) against DataScript 1.8.1 (JavaScript)\n\n")
	fmt.Fprintf(&w, "Same page, same data: the %s datoms of the first dataset. Cairn answers from the replica reopened from IndexedDB (memory in front); "+
		"DataScript gets the same datoms as JSON from the server (`init_db`, %.0f ms). The shapes are those of `bench/cmd/benchquery` (issue #3), the exact texts; "+
		"DataScript's use string attributes and EDN-string pull patterns as in `bench/datascript/query.js`. "+
		"Cairn is called through its public JS API's synchronous reads, `db.qSync` / `db.pullSync` / `db.pullManySync` (answered from the replica's memory tier, like DataScript's synchronous calls; `cairn.js` calls the wasm's own exports for them, see `web/README.md`), "+
		"with EDN text in and EDN text out, so the times include parsing the inputs and printing the result; DataScript returns JS values. "+
		"The Promise API (`db.q`, …) adds a fixed cost per call, measured below as the trivial query. ",
		thousands(qr.Datoms), qr.DSLoadMs)
	fmt.Fprintf(&w, "Times are medians of %d warm runs after one first run, in ms (the single-entity pull: %d samples, each the mean of %d calls); ratio = DataScript / Cairn. "+
		"DataScript runs first on each shape, after `gc()`. Rows = result size in each engine (must be equal).\n\n", c.runs, c.pullRuns, c.pullBatch)
	w.WriteString("| shape | DataScript ms | Cairn ms | ratio | rows DS / Cairn |\n|---|---:|---:|---:|---:|\n")
	minRatio := 0.0
	var mismatch []string
	for i, s := range qr.Shapes {
		ratio := s.DS.Median / s.Cairn.Median
		if i == 0 || ratio < minRatio {
			minRatio = ratio
		}
		fmt.Fprintf(&w, "| %s | %s | %s | **%.2fx** | %d / %d |\n", s.Name, report.Ms(s.DS.Median), report.Ms(s.Cairn.Median), ratio, s.DS.Size, s.Cairn.Size)
		if s.DS.Size != s.Cairn.Size {
			mismatch = append(mismatch, fmt.Sprintf("%s: DataScript %d rows, Cairn %d", s.Name, s.DS.Size, s.Cairn.Size))
		}
	}
	w.WriteString("\nFirst (cold) runs, ms — DataScript / Cairn: ")
	for i, s := range qr.Shapes {
		if i > 0 {
			w.WriteString(", ")
		}
		fmt.Fprintf(&w, "%s %s / %s", s.Name, report.Ms(s.DS.First), report.Ms(s.Cairn.First))
	}
	w.WriteString(".\n\n")
	fmt.Fprintf(&w, "Fixed cost of one call through Cairn's async API, same sampling as the single pull: a promise round trip into the wasm (`cairn.status()`) %s ms; "+
		"the smallest query (`[:find ?x . :in $ ?x]` with input `1`) %s ms.\n\n", report.Ms(qr.RoundTripMs), report.Ms(qr.TrivialQMs))
	fmt.Fprintf(&w, "min ratio %.2f\n\n", minRatio)
	fmt.Fprintf(&w, "Target ≥ %.1fx DataScript on every shape: **%s**.\n\n", qTarget, met(minRatio >= qTarget))

	w.WriteString("### wasm size\n\n")
	fmt.Fprintf(&w, "`web/cairn.wasm` (as committed): %s bytes raw (%.2f MB), %s bytes gzip -9 (%.2f MB; %s). Target ≤ 1.5 MB gzipped: **%s**.\n",
		thousands(len(raw)), float64(len(raw))/1e6, thousands(gz), float64(gz)/1e6, gzHow, met(float64(gz) <= gzipTarget))

	fmt.Print(w.String())
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(w.String()), 0o644); err != nil {
			return err
		}
	}
	if len(mismatch) > 0 {
		return errors.New("result sizes differ: " + strings.Join(mismatch, "; "))
	}
	return nil
}

// gzip9 returns the size of data compressed by `gzip -9` (the tool when
// present, else compress/gzip at BestCompression).
func gzip9(data []byte) (int, string, error) {
	if p, err := exec.LookPath("gzip"); err == nil {
		cmd := exec.Command(p, "-9", "-c")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err == nil {
			return len(out), "`gzip -9`", nil
		}
	}
	return gzipGo(data)
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
