package sync_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the package when goroutines started by its tests are
// still running after them (every goroutine must have an owner that ends
// it).
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "leak check: %d goroutines still running after the tests (%d before):\n%s\n", n, before, leaked(string(buf)))
			code = 1
		}
	}
	os.Exit(code)
}

func leaked(stacks string) string {
	var out []string
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "testing.(*M).Run") || strings.Contains(g, "runtime.goexit") && strings.Contains(g, "testing.tRunner") {
			continue
		}
		out = append(out, g)
	}
	return strings.Join(out, "\n\n")
}
