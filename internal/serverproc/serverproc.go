// Package serverproc builds and runs the real syncserver binary for
// end-to-end tests: built once from the module, started on 127.0.0.1 with a
// data directory and a token, its address read from the banner it prints,
// its log kept for failure reports, stopped by signal.
package serverproc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"
)

// Build compiles ./cmd/syncserver of the module rooted at root into dir
// and returns the binary's path; CAIRN_SYNCSERVER_BIN names a prebuilt one
// instead.
func Build(root, dir string) (string, error) {
	if bin := os.Getenv("CAIRN_SYNCSERVER_BIN"); bin != "" {
		return bin, nil
	}
	bin := filepath.Join(dir, "syncserver")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/syncserver")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building syncserver: %w\n%s", err, out)
	}
	return bin, nil
}

// Proc is a running syncserver.
type Proc struct {
	Addr  string // host:port it listens on
	Token string
	Data  string

	cmd  *exec.Cmd
	exit chan error
	mu   gosync.Mutex
	logs strings.Builder
}

var listenRe = regexp.MustCompile(`listening on http://(\S+)`)

// Level is the log level servers run at: CAIRN_E2E_LEVEL, default warn.
func Level() string {
	if l := os.Getenv("CAIRN_E2E_LEVEL"); l != "" {
		return l
	}
	return "warn"
}

// Start runs bin on 127.0.0.1:port (0 picks a free port) with auth on and
// waits until it listens. The test's cleanup kills it and, when the test
// failed, logs its output.
func Start(t testing.TB, bin, data, token string, port int) *Proc {
	t.Helper()
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--data", data, "--token", token, "--level", Level())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &Proc{Token: token, Data: data, cmd: cmd, exit: make(chan error, 1)}
	cmd.Stderr = p
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
	case p.Addr = <-found:
	case err := <-p.exit:
		t.Fatalf("syncserver exited: %v\n%s", err, p.Logs())
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("syncserver did not start\n%s", p.Logs())
	}
	t.Cleanup(func() {
		p.Signal(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("syncserver log:\n%s", p.Logs())
		}
	})
	return p
}

// Write collects the server's log (its stderr).
func (p *Proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// Logs returns what the server logged so far.
func (p *Proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// URL is the server's WebSocket endpoint.
func (p *Proc) URL() string { return "ws://" + p.Addr + "/ws" }

// Signal sends sig and waits for the process to end (killing it after 15 s).
// It does nothing once the process has ended.
func (p *Proc) Signal(sig syscall.Signal) {
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

// Stop shuts the server down gracefully (SIGTERM) and waits.
func (p *Proc) Stop() { p.Signal(syscall.SIGTERM) }
