package core_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/mem"
)

// benchEntities is the size of the 20k x 5 workload; smoke runs
// (-benchtime=1x) use it as is, it takes well under a second.
const benchEntities = 20000

var benchNodeSize = 0

func benchConn(b *testing.B, st store.Store) *core.Conn {
	b.Helper()
	conn, err := core.Create(context.Background(), st, core.Config{Mode: core.ModeDataScript,
		SchemaFlexibility: schema.FlexRead, Schema: benchSchema}, &core.Options{NodeSize: benchNodeSize})
	if err != nil {
		b.Fatal(err)
	}
	return conn
}

// BenchmarkTransact20k loads 20k entities x 5 attributes (name unique, age,
// city indexed, score, friend ref to a tempid) in one transaction into an
// in-memory store, as bench/datascript/transact.js does with DataScript.
func BenchmarkTransact20k(b *testing.B) {
	data, err := core.ParseTxData(load20k(benchEntities))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		conn := benchConn(b, mem.New())
		b.StartTimer()
		if _, err := conn.Transact(context.Background(), data); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		conn.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchEntities*5)*float64(b.N)/b.Elapsed().Seconds(), "datoms/s")
}

// BenchmarkTransact20kFile is the same load, the same single transaction,
// on the file store: the bulk load, reporting datoms/s and fsyncs.
func BenchmarkTransact20kFile(b *testing.B) {
	benchFileLoad(b, benchEntities)
}

// BenchmarkTransact20kFileBatched loads the same entities on the file store
// in 20 transactions of 1,000: every batch rewrites the AVET leaves its
// random values land in, so it costs more per datom than one transaction.
func BenchmarkTransact20kFileBatched(b *testing.B) {
	benchFileLoad(b, 1000)
}

func benchFileLoad(b *testing.B, batch int) {
	var txs [][]any
	for i := 0; i < benchEntities; i += batch {
		var s strings.Builder
		s.WriteString("[")
		for j := i; j < i+batch; j++ {
			fmt.Fprintf(&s, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`, j, j, j%90, j%10, j*7%1000, i+(j+1-i)%batch)
		}
		d, err := core.ParseTxData(s.String() + "]")
		if err != nil {
			b.Fatal(err)
		}
		txs = append(txs, d)
	}
	runtime.GC() // setup garbage must not be collected on the clock
	b.ReportAllocs()
	var fsyncs uint64
	for b.Loop() {
		b.StopTimer()
		st, err := file.Open(context.Background(), b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		conn := benchConn(b, st)
		before := st.Stats().Fsyncs
		b.StartTimer()
		for _, d := range txs {
			if _, err := conn.Transact(context.Background(), d); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		fsyncs += st.Stats().Fsyncs - before
		conn.Close()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchEntities*5)*float64(b.N)/b.Elapsed().Seconds(), "datoms/s")
	b.ReportMetric(float64(fsyncs)/float64(b.N*len(txs)), "fsyncs/tx")
}

// BenchmarkSmallTx16Writers runs small transactions (one entity, 3
// datoms) from 16 concurrent writers on the file store and reports
// transactions per second and fsyncs per transaction.
func BenchmarkSmallTx16Writers(b *testing.B) {
	st, err := file.Open(context.Background(), b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	conn := benchConn(b, st)
	defer conn.Close()
	const writers = 16
	perWriter := 200
	var n atomic.Int64
	before := st.Stats().Fsyncs
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWriter; i++ {
					id := n.Add(1)
					if _, err := conn.Transact(context.Background(), fmt.Sprintf(`[{:name "w%d" :score %d :city "c"}]`, id, i)); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	total := float64(n.Load())
	b.ReportMetric(total/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(st.Stats().Fsyncs-before)/total, "fsyncs/tx")
}
