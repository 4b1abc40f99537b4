package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/cairn-db/cairn/internal/leakcheck"
	"regexp"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"
)

// binary is the syncserver built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cairn-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "syncserver")
	build := exec.Command("go", "build", "-o", binary, "./cmd/syncserver")
	build.Dir = "../.."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building syncserver:", err)
		os.Exit(1)
	}
	code := leakcheck.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// serverProc is a running syncserver binary.
type serverProc struct {
	cmd   *exec.Cmd
	addr  string
	token string
	data  string
	out   *strings.Builder
	mu    gosync.Mutex
	exit  chan error
}

var listenRe = regexp.MustCompile(`listening on http://(\S+)`)

// startServer runs the real binary on 127.0.0.1 with a data dir; port 0
// picks a free port unless port is given.
func startServer(t *testing.T, data, token string, port int) *serverProc {
	t.Helper()
	cmd := exec.Command(binary, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--data", data, "--token", token, "--level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, token: token, data: data, out: &strings.Builder{}, exit: make(chan error, 1)}
	cmd.Stderr = &lockedWriter{p: p}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() { p.exit <- cmd.Wait() }()
	select {
	case p.addr = <-found:
	case err := <-p.exit:
		t.Fatalf("syncserver exited: %v\n%s", err, p.logs())
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("syncserver did not start\n%s", p.logs())
	}
	t.Cleanup(func() { p.kill(syscall.SIGKILL) })
	return p
}

type lockedWriter struct{ p *serverProc }

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

func (p *serverProc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *serverProc) url() string { return "ws://" + p.addr + "/ws" }

// kill sends sig and waits for the process to end.
func (p *serverProc) kill(sig syscall.Signal) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exit:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.exit
	}
}

// proxy forwards TCP connections to a target that can change (a restarted
// server) and can cut every live connection at once.
type proxy struct {
	ln     net.Listener
	mu     gosync.Mutex
	target string
	conns  map[net.Conn]bool
	wg     gosync.WaitGroup
	closed bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) url() string { return "ws://" + p.ln.Addr().String() + "/ws" }

func (p *proxy) setTarget(addr string) {
	p.mu.Lock()
	p.target = addr
	p.mu.Unlock()
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		up, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// cut closes every live connection (both directions).
func (p *proxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c := range p.conns {
		c.Close()
		n++
	}
	return n / 2
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
