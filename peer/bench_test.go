//go:build !js

package peer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/peer"
)

// BenchmarkThroughput measures one-way message throughput on loopback: the
// client sends b.N messages and then an end marker; the server counts them
// and acknowledges the marker, so the timing covers delivery, not just
// queueing.
func BenchmarkThroughput(b *testing.B) {
	for _, size := range []int{64, 4 << 10, 256 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			url, _ := serve(b, peer.ServerOptions{Serve: func(ctx context.Context, c peer.Conn) {
				n := 0
				for {
					m, err := c.Recv(ctx)
					if err != nil {
						return
					}
					if m.Type != "bench/end" {
						n++
						continue
					}
					if c.Send(ctx, msg(b, "bench/done", n)) != nil {
						return
					}
					n = 0
				}
			}})
			c := dial(b, url, peer.DialOptions{})
			data := msg(b, "bench/data", strings.Repeat("x", size))
			end := msg(b, "bench/end", nil)
			ctx := context.Background()
			b.SetBytes(int64(len(data.Body)))
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				if err := c.Send(ctx, data); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := c.Send(ctx, end); err != nil {
				b.Fatal(err)
			}
			var got int
			if m, err := c.Recv(ctx); err != nil || m.Decode(&got) != nil || got != n {
				b.Fatalf("server counted %d of %d (%v)", got, n, err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
