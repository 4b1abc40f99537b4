// Package leakcheck fails a test binary whose tests leave goroutines
// running: every goroutine a package starts must have an owner that ends
// it. Use it from TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
package leakcheck

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Grace is how long Main waits for goroutines to end after the tests.
var Grace = 3 * time.Second

// Main runs the tests and exits non-zero when they failed or leaked
// goroutines.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs the tests and returns the exit code: non-zero when they failed
// or leaked goroutines (for a TestMain with cleanup of its own).
func Run(m *testing.M) int {
	before := len(goroutines())
	code := m.Run()
	if code == 0 {
		if err := check(before); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}

func check(before int) error {
	deadline := time.Now().Add(Grace)
	for {
		http.DefaultClient.CloseIdleConnections()
		g := goroutines()
		if len(g) <= before {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("leak check: %d goroutines before the tests, %d after:\n\n%s",
				before, len(g), strings.Join(g, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutines returns the stacks of all goroutines except the caller's and
// those the runtime and test framework own.
func goroutines() []string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 || strings.Contains(g, "os/signal.") || strings.Contains(g, "testing.(*F)") ||
			strings.Contains(g, "testing.(*M)") || strings.Contains(g, "testing.runFuzz") {
			continue
		}
		out = append(out, g)
	}
	return out
}
