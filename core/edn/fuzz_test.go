package edn_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/cairn-db/cairn/core/edn"
)

func addSeeds(f *testing.F) {
	for _, tc := range readCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range printCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range errorCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range canonicalCases {
		if s, ok := tc.in.(string); ok {
			f.Add([]byte(s))
		}
	}
	f.Add(txData(3))
}

// FuzzRead checks that Read never panics, that whatever it reads prints
// back to text that reads Equal (with the same KeyOf and Hash), and that a
// streaming Decoder fed one byte at a time agrees with ReadAll.
func FuzzRead(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := &edn.ReadOptions{MaxDepth: 200}
		v, err := edn.ReadWith(src, opts)
		if err != nil {
			var se *edn.SyntaxError
			if errors.As(err, &se) && (se.Offset < 0 || se.Offset > len(src) || se.Line < 1 || se.Col < 1) {
				t.Fatalf("bad error position: %#v", se)
			}
		} else {
			printed := edn.Print(v)
			back, err := edn.ReadWith([]byte(printed), opts)
			if err != nil {
				t.Fatalf("Read(%q) printed as %q, which does not read: %v", src, printed, err)
			}
			if !edn.Equal(v, back) || !edn.Equal(back, v) {
				t.Fatalf("Read(%q) printed as %q reads back as %q", src, printed, edn.Print(back))
			}
			if edn.Print(back) != printed {
				t.Fatalf("Print not stable: %q then %q", printed, edn.Print(back))
			}
			if edn.KeyOf(v) != edn.KeyOf(back) || edn.Hash(v) != edn.Hash(back) {
				t.Fatalf("KeyOf/Hash differ for %q", printed)
			}
			if !edn.Equal(v, v) {
				t.Fatalf("%q not Equal to itself", printed)
			}
			_ = edn.Canonical(v)
		}

		// Streaming agrees with the byte-slice reader.
		all, allErr := readAll(edn.NewBytesDecoder(src, opts))
		streamed, streamErr := readAll(edn.NewDecoder(iotest.OneByteReader(bytes.NewReader(src)), opts))
		if (allErr == nil) != (streamErr == nil) {
			t.Fatalf("ReadAll error %v, stream error %v", allErr, streamErr)
		}
		if allErr == nil && !edn.Equal(edn.Vector(all), edn.Vector(streamed)) {
			t.Fatalf("ReadAll %s, stream %s", edn.Print(all), edn.Print(streamed))
		}
		if allErr != nil {
			var a, b *edn.SyntaxError
			if errors.As(allErr, &a) && errors.As(streamErr, &b) && (a.Offset != b.Offset || a.Line != b.Line || a.Col != b.Col || a.Err != b.Err) {
				t.Fatalf("ReadAll error %v, stream error %v", allErr, streamErr)
			}
		}
	})
}

func readAll(d *edn.Decoder) ([]any, error) {
	var out []any
	for {
		v, err := d.Decode()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}

// FuzzCanonical checks that canonical text is independent of entry order
// and of list/vector spelling: reading the canonical text back and printing
// it canonically again gives the same text.
func FuzzCanonical(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		v, err := edn.ReadWith(src, &edn.ReadOptions{MaxDepth: 200})
		if err != nil {
			return
		}
		c := edn.Canonical(v)
		back, err := edn.ReadString(c)
		if err != nil {
			// Canonical text merges integral floats into integers, which can
			// collide as map keys or set members ({1 a 1.0 b}); nothing else
			// may fail to read.
			if errors.Is(err, edn.ErrDuplicate) {
				return
			}
			t.Fatalf("Canonical(%q) = %q does not read: %v", src, c, err)
		}
		if c2 := edn.Canonical(back); c2 != c {
			t.Fatalf("Canonical not idempotent: %q then %q", c, c2)
		}
	})
}
