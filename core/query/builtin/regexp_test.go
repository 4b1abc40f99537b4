//go:build !(js && wasm)

package builtin_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/query/builtin/regexptest"
)

// The built-ins with Go's regexp (wasm/jsregexp runs the same table with
// the browser's RegExp).
func TestRegexpBuiltins(t *testing.T) { regexptest.Run(t) }
