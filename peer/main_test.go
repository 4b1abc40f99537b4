//go:build !js

package peer_test

import (
	"testing"

	"github.com/cairn-db/cairn/internal/leakcheck"
)

// TestMain fails the package if goroutines started by the tests outlive
// them: every goroutine the package starts must be owned and waited for.
func TestMain(m *testing.M) { leakcheck.Main(m) }
