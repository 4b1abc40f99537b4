//go:build !js

package entropy

import "crypto/rand"

func defaultSource(b []byte) error {
	_, err := rand.Read(b)
	return err
}
