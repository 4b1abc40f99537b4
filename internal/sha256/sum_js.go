//go:build js

package sha256

// Sum256 returns the SHA-256 checksum of data.
func Sum256(data []byte) [Size]byte { return sum256Generic(data) }
