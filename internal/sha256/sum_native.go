//go:build !js

package sha256

import "crypto/sha256"

// Sum256 returns the SHA-256 checksum of data.
func Sum256(data []byte) [Size]byte { return sha256.Sum256(data) }
