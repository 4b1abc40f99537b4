package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mach "github.com/cairn-db/cairn/bench/internal/machine"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/server"
)

// peopleSchema is the benchmark entity: 5 attributes, name unique, city
// indexed, friend a ref (the same as tests/e2e).
const peopleSchema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :city :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/index true}
 {:db/ident :score :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}]`

// bulk is tx-data for entities [from, from+n), 5 datoms each; each
// entity's friend is the next one in the same transaction.
func bulk(from, n int) string {
	var b strings.Builder
	b.Grow(n * 96)
	b.WriteString("[")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`,
			i, i, i%90, i%10, i*7%1000, from+(i+1-from)%n)
	}
	return b.String() + "]"
}

// benchServer is a real sync server in this process on 127.0.0.1, with
// file-backed databases in a temp dir and token auth.
type benchServer struct {
	srv   *server.Server
	hs    *http.Server
	ln    net.Listener
	url   string
	token string
	dir   string
}

func startServer(dir string) (*benchServer, error) {
	var tb [16]byte
	rand.Read(tb[:])
	token := hex.EncodeToString(tb[:])
	srv, err := server.New(server.Options{
		Data:  dir,
		Token: token,
		// Compression is negotiated: only peers that offer it get it.
		Peer: peer.ServerOptions{Compression: true},
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv}
	// Goroutines inherit profiler labels: every server connection's
	// goroutines carry role=server, so a profile splits server and peer work
	// (go tool pprof -tagfocus role=server).
	go pprof.Do(context.Background(), pprof.Labels("role", "server"), func(context.Context) { hs.Serve(ln) })
	return &benchServer{srv: srv, hs: hs, ln: ln, url: "ws://" + ln.Addr().String() + "/ws", token: token, dir: dir}, nil
}

func (b *benchServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b.srv.Shutdown(ctx)
	b.hs.Close()
}

// createDB creates a database with the benchmark schema.
func (b *benchServer) createDB(ctx context.Context, name string) (err error) {
	// The database's commit goroutine starts here: label it as the server's.
	pprof.Do(ctx, pprof.Labels("role", "server"), func(ctx context.Context) {
		err = b.srv.Registry().Create(ctx, name, core.Config{Schema: peopleSchema})
	})
	return err
}

// load commits entities [from, from+n) in transactions of per entities.
func (b *benchServer) load(ctx context.Context, name string, from, n, per int) error {
	for i := from; i < from+n; i += per {
		k := min(per, from+n-i)
		if _, err := b.srv.Registry().Transact(ctx, name, bulk(i, k), ""); err != nil {
			return err
		}
	}
	return nil
}

// head returns the server's current value of a database.
func (b *benchServer) head(ctx context.Context, name string) (*core.DB, error) {
	d, err := b.srv.Registry().Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return d.Conn().DB(), nil
}

// counter counts the bytes of the TCP connections it wraps (client view:
// up is sent to the server, down is received from it). It counts
// everything on the socket: the HTTP upgrade, WebSocket framing, msgpack,
// acks and pings.
type counter struct{ up, down atomic.Int64 }

func (c *counter) total() int64 { return c.up.Load() + c.down.Load() }

type countConn struct {
	net.Conn
	c *counter
}

func (c countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.c.down.Add(int64(n))
	return n, err
}

func (c countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.c.up.Add(int64(n))
	return n, err
}

// countingHTTP returns an HTTP client whose connections count into c; the
// WebSocket dial uses it, so the socket the peer keeps is counted.
func countingHTTP(c *counter) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countConn{conn, c}, nil
		},
	}}
}

// dialOpts are a benchmark peer's client options.
func (b *benchServer) dialOpts(cnt *counter, compression bool, copts *core.Options) *client.Options {
	o := &client.Options{Token: b.token, Core: copts, Logger: slog.New(peerWarnings)}
	o.Peer.BackoffBase = 20 * time.Millisecond
	o.Peer.BackoffMax = 500 * time.Millisecond
	o.Peer.Dial.Compression = compression
	if cnt != nil {
		o.Peer.Dial.HTTPClient = countingHTTP(cnt)
	}
	return o
}

// tcpProxy forwards 127.0.0.1 connections to target, counting bytes both
// ways (up: client to target). It measures PouchDB's HTTP traffic.
type tcpProxy struct {
	ln     net.Listener
	target string
	cnt    counter
	wg     gosync.WaitGroup
	mu     gosync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

func newTCPProxy(target string) (*tcpProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *tcpProxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in) || !p.track(out) {
			in.Close()
			out.Close()
			continue
		}
		p.wg.Add(2)
		pipe := func(dst, src net.Conn, n *atomic.Int64) {
			defer p.wg.Done()
			io.Copy(countWriter{dst, n}, src)
			dst.Close()
			src.Close()
		}
		go pipe(out, in, &p.cnt.up)
		go pipe(in, out, &p.cnt.down)
	}
}

// countWriter counts as it writes, so live keep-alive connections are
// counted too.
type countWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countWriter) Write(p []byte) (int, error) {
	k, err := c.w.Write(p)
	c.n.Add(int64(k))
	return k, err
}

func (p *tcpProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// machine describes where the run happened.
type machine struct {
	CPU     string
	Cores   int
	Go      string
	Node    string
	LoadAvg string
}

func describeMachine() machine {
	m := machine{CPU: runtime.GOARCH, Cores: runtime.NumCPU(), Go: runtime.Version(), Node: "not found"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := exec.Command("node", "--version").Output(); err == nil {
		m.Node = strings.TrimSpace(string(b))
	}
	m.LoadAvg = mach.LoadAvg()
	return m
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// repoRoot finds the directory holding go.mod, from the working directory
// up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// profiler writes one CPU profile per phase into dir (when set).
type profiler struct{ dir string }

func (p profiler) start(phase string) func() {
	if p.dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(p.dir, phase+".pprof"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "pprof:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// pct returns the q-quantile (nearest rank) of sorted durations.
func pct(s []time.Duration, q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(q*float64(len(s))+0.999999) - 1
	i = max(0, min(i, len(s)-1))
	return s[i]
}

func sortDurations(s []time.Duration) {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func kib(b int64) string { return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10)) }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
}

// dumpGoroutines writes every goroutine's stack to a temp file and returns
// its path.
func dumpGoroutines(name string) string {
	f, err := os.CreateTemp("", "cairn-bench-sync-"+name+"-*.goroutines")
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	pprof.Lookup("goroutine").WriteTo(f, 2)
	return f.Name()
}

// warnLog counts the warnings peers log (a rejected batch, a resubscribe,
// a server error) and keeps the first few, so a run that misbehaves says
// so instead of only getting slow.
type warnLog struct {
	n     atomic.Int64
	mu    gosync.Mutex
	first []string
}

func (w *warnLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnLog) Handle(_ context.Context, r slog.Record) error {
	w.n.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.first) < 5 {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
		w.first = append(w.first, b.String())
	}
	return nil
}
func (w *warnLog) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnLog) WithGroup(string) slog.Handler      { return w }

func (w *warnLog) summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n.Load() == 0 {
		return "none"
	}
	return fmt.Sprintf("%d, first: %s", w.n.Load(), strings.Join(w.first, " | "))
}

// peerWarnings collects every benchmark peer's warnings.
var peerWarnings = &warnLog{}
