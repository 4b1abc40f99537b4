// Package entropy reads random bytes for the ids Cairn makes up: database
// incarnation ids (core) and transact idempotency keys (client).
//
// Natively it is crypto/rand. The js/wasm build links no crypto/rand (its
// FIPS 140 DRBG brings AES, GCM, SHA-3, SHA-512 and HMAC into the wasm):
// there the program registers the browser's crypto.getRandomValues with
// SetSource (wasm/ does, in an init function), and Read fails until one is
// registered. core must not import syscall/js (DESIGN.md §3), hence the hook.
package entropy

import (
	"errors"
	"sync"
)

var source struct {
	mu sync.RWMutex
	fn func([]byte) error
}

// SetSource sets the function that fills a buffer with cryptographically
// random bytes, replacing the build's default (crypto/rand natively, none
// in js/wasm builds). A nil fn restores the default.
func SetSource(fn func([]byte) error) {
	source.mu.Lock()
	source.fn = fn
	source.mu.Unlock()
}

// ErrNoSource is returned by Read in a js/wasm program that registered no
// source.
var ErrNoSource = errors.New("entropy: no random source in this build (a js/wasm program registers one with entropy.SetSource)")

// Read fills b with random bytes.
func Read(b []byte) error {
	source.mu.RLock()
	fn := source.fn
	source.mu.RUnlock()
	if fn == nil {
		fn = defaultSource
	}
	if fn == nil {
		return ErrNoSource
	}
	return fn(b)
}
