package entropy

import (
	"bytes"
	"errors"
	"testing"
)

func TestReadDefault(t *testing.T) {
	a, b := make([]byte, 16), make([]byte, 16)
	if err := Read(a); err != nil {
		if errors.Is(err, ErrNoSource) {
			t.Skip("no default source in this build")
		}
		t.Fatal(err)
	}
	if err := Read(b); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, 16)) {
		t.Fatalf("two reads gave %x and %x", a, b)
	}
}

func TestSetSource(t *testing.T) {
	defer SetSource(nil)
	SetSource(func(b []byte) error {
		for i := range b {
			b[i] = byte(i + 1)
		}
		return nil
	})
	got := make([]byte, 4)
	if err := Read(got); err != nil || !bytes.Equal(got, []byte{1, 2, 3, 4}) {
		t.Fatalf("Read with a source: %x, %v", got, err)
	}
	boom := errors.New("boom")
	SetSource(func([]byte) error { return boom })
	if err := Read(got); !errors.Is(err, boom) {
		t.Fatalf("Read: %v, want the source's error", err)
	}
}
