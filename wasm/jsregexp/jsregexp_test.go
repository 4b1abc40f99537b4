//go:build js && wasm

package jsregexp

import (
	"testing"

	"github.com/cairn-db/cairn/core/query/builtin/regexptest"
)

// The built-ins with the JavaScript RegExp give the native results (make
// wasm-unit runs this under node; tests/browser checks them in Chromium).
func TestRegexpBuiltins(t *testing.T) {
	Register()
	regexptest.Run(t)
}
