package file_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
)

// benchKey returns a 32-byte key like the engine's SHA-256 node keys.
func benchKey(i uint64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], i)
	h := sha256.Sum256(b[:])
	return string(h[:])
}

// BenchmarkFileWriteBatch writes commit-sized batches: 10 nodes of 2 KiB and
// a head update, on the OS file system with real fsyncs.
func BenchmarkFileWriteBatch(b *testing.B) {
	const puts, size = 10, 2 << 10
	ctx := context.Background()
	s, err := file.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	val := make([]byte, size)
	for i := range val {
		val[i] = byte(rand.Uint32())
	}
	var (
		next uint64
		head []byte
		n    int
	)
	before := s.Stats()
	batch := store.Batch{Puts: make([]store.KV, puts)}
	b.SetBytes(puts * size)
	b.ReportAllocs()
	for b.Loop() {
		for j := range batch.Puts {
			batch.Puts[j] = store.KV{Key: benchKey(next), Value: val}
			next++
		}
		newHead := []byte(batch.Puts[0].Key)
		batch.Head = &store.HeadUpdate{Name: "db", Old: head, New: newHead}
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
		head = newHead
		n++
	}
	st := s.Stats()
	b.ReportMetric(float64(st.Fsyncs-before.Fsyncs)/float64(n), "fsyncs/op")
	b.ReportMetric(float64(st.BytesWritten-before.BytesWritten)/float64(n), "disk-B/op")
}

// BenchmarkFileGet reads random 2 KiB values of a 20,000-key store.
func BenchmarkFileGet(b *testing.B) {
	const keys, size = 20_000, 2 << 10
	ctx := context.Background()
	s, err := file.Open(ctx, b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	val := make([]byte, size)
	for i := 0; i < keys; i += 500 {
		var batch store.Batch
		for j := i; j < i+500; j++ {
			batch.Puts = append(batch.Puts, store.KV{Key: benchKey(uint64(j)), Value: val})
		}
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, benchKey(rng.Uint64N(keys))); err != nil {
			b.Fatal(err)
		}
	}
}
