//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/cairn-db/cairn/internal/entropy"
)

// The browser's crypto.getRandomValues is the random source of incarnation
// ids and idempotency keys (internal/entropy): crypto/rand and its FIPS
// DRBG stay out of the wasm.
func init() { entropy.SetSource(getRandomValues) }

// maxRandomChunk is what one getRandomValues call may fill (the Web Crypto
// API throws a QuotaExceededError above 65536 bytes).
const maxRandomChunk = 65536

func getRandomValues(b []byte) (err error) {
	crypto := js.Global().Get("crypto")
	if crypto.Type() != js.TypeObject {
		return errors.New("cairn: no crypto.getRandomValues in this JavaScript environment")
	}
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("cairn: crypto.getRandomValues: %s", je.Value.Get("message").String())
		}
	}()
	for len(b) > 0 {
		n := min(len(b), maxRandomChunk)
		arr := js.Global().Get("Uint8Array").New(n)
		crypto.Call("getRandomValues", arr)
		js.CopyBytesToGo(b[:n], arr)
		b = b[n:]
	}
	return nil
}
