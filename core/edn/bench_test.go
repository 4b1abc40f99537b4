package edn_test

import (
	"io"
	"testing"

	"github.com/cairn-db/cairn/core/edn"
)

func BenchmarkReadTxData(b *testing.B) {
	src := txData(20000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := edn.Read(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrintTxData(b *testing.B) {
	v, err := edn.Read(txData(20000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = edn.AppendPrint(buf[:0], v)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkCanonicalTxData(b *testing.B) {
	v, err := edn.Read(txData(20000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = edn.AppendCanonical(buf[:0], v)
	}
}

func BenchmarkReadQuery(b *testing.B) {
	src := []byte(`[:find ?n (count ?f) :in $ % :where [?e :name ?n] [?e :friend ?f] (not [?f :age ?a] [(< ?a 18)])]`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := edn.Read(src); err != nil {
			b.Fatal(err)
		}
	}
}

// chunkReader returns at most n bytes per Read, like a network stream.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[n:]
	return n, nil
}

// BenchmarkDecodeStream decodes the 20k-entity transaction arriving in
// 1400-byte reads: it must stay close to BenchmarkReadTxData (linear), not
// re-parse the growing form on every read.
func BenchmarkDecodeStream(b *testing.B) {
	src := txData(20000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		d := edn.NewDecoder(&chunkReader{b: src, n: 1400}, nil)
		if _, err := d.Decode(); err != nil {
			b.Fatal(err)
		}
	}
}
