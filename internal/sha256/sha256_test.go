package sha256

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// The FIPS 180-4 examples.
func TestKnownAnswers(t *testing.T) {
	for in, want := range map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	} {
		got := sum256Generic([]byte(in))
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("sum256Generic(%q) = %x, want %s", in, got, want)
		}
		if got := Sum256([]byte(in)); hex.EncodeToString(got[:]) != want {
			t.Errorf("Sum256(%q) = %x, want %s", in, got, want)
		}
	}
}

// Every length around the block and padding boundaries.
func TestMatchesCryptoSHA256(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i*7 + i>>3)
	}
	for n := range len(data) {
		if got, want := sum256Generic(data[:n]), sha256.Sum256(data[:n]); got != want {
			t.Fatalf("length %d: %x, crypto/sha256 %x", n, got, want)
		}
	}
	big := bytes.Repeat([]byte("cairn"), 1<<18)
	if sum256Generic(big) != sha256.Sum256(big) {
		t.Fatal("1.25 MiB input differs from crypto/sha256")
	}
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := sum256Generic(b), sha256.Sum256(b); got != want {
			t.Fatalf("%x: %x, crypto/sha256 %x", b, got, want)
		}
	})
}

func BenchmarkGeneric4K(b *testing.B) {
	data := make([]byte, 4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sum256Generic(data)
	}
}

func BenchmarkCrypto4K(b *testing.B) {
	data := make([]byte, 4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sha256.Sum256(data)
	}
}
