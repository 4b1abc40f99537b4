//go:build js && wasm

package peer_test

import (
	"testing"
	"time"

	"github.com/cairn-db/cairn/internal/leakcheck"
)

// TestMain fails the package if goroutines started by the tests outlive
// them, as natively. In GOOS=js, once the program has been woken by a
// JavaScript event (a timer, a WebSocket callback), the runtime's event
// goroutine (runtime.handleEvent) stays parked while Go code runs, and
// leakcheck's own polling sleeps are woken that way. Sleeping once first,
// long enough to go idle and be woken by a JavaScript timer, puts that
// goroutine in the baseline too.
func TestMain(m *testing.M) {
	time.Sleep(20 * time.Millisecond)
	leakcheck.Main(m)
}
