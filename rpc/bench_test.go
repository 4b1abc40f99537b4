//go:build !js

package rpc_test

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkRoundTrip measures the latency of one call on loopback: a real
// WebSocket, msgpack frames, one handler.
func BenchmarkRoundTrip(b *testing.B) {
	e := newEnv(b, testRegistry(), nil)
	c := e.dial(b, testToken)
	ctx := context.Background()
	args := addArgs{A: 1, B: 2, Label: "bench"}
	var r addResult
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		if err := c.Call(ctx, "add", args, &r); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "µs/call")
}

// BenchmarkParallelCalls measures call throughput with 32 callers sharing one
// connection.
func BenchmarkParallelCalls(b *testing.B) {
	e := newEnv(b, testRegistry(), nil)
	c := e.dial(b, testToken)
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	var mu sync.Mutex
	total := 0
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		args := addArgs{A: 1, B: 2}
		var r addResult
		n := 0
		for pb.Next() {
			if err := c.Call(ctx, "add", args, &r); err != nil {
				b.Error(err)
				return
			}
			n++
		}
		mu.Lock()
		total += n
		mu.Unlock()
	})
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "calls/s")
}
