// Package sha256 is the SHA-256 of content addressing (DESIGN.md §1: a
// node is stored under the SHA-256 of its bytes): crypto/sha256 natively,
// and in js/wasm builds a small pure-Go implementation of FIPS 180-4
// (generic.go). crypto/sha256 imports the FIPS 140 module, whose DRBG,
// AES, GCM, SHA-3, SHA-512 and HMAC then stay in web/cairn.wasm (0.047 MB
// gzip); on wasm it has no assembly either, so the generic code is what
// the browser ran anyway. The tests check the generic code against
// crypto/sha256 natively.
package sha256

// Size is the size of a SHA-256 checksum in bytes.
const Size = 32
