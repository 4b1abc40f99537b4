package peer_test

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the package if goroutines started by the tests outlive
// them: every goroutine the package starts must be owned and waited for.
func TestMain(m *testing.M) {
	before := len(goroutines())
	code := m.Run()
	if code == 0 {
		if err := checkLeaks(before); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func checkLeaks(before int) error {
	deadline := time.Now().Add(3 * time.Second)
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

// goroutines returns the stacks of all goroutines except this one and those
// the runtime and test framework own.
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
