package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/mem"
	csync "github.com/cairn-db/cairn/sync"
)

// latencyResult is commit → peer latency with N subscribed peers.
type latencyResult struct {
	Peers          int
	Run            int // 1.. of -repeat
	Commits        int
	Interval       time.Duration
	SetupTime      time.Duration // dial + open + ready of every peer
	Samples        int           // (peer, commit) pairs measured
	Missing        int           // pairs never seen (should be 0)
	P50, P99       time.Duration
	P999, Max      time.Duration
	CommitP50      time.Duration // the writer's Transact call (includes fsync)
	CatchUp        time.Duration // last commit returned → every peer has it
	WallTime       time.Duration // the writer's loop
	CPU            time.Duration // process CPU time during the writer's loop and catch-up
	HeapInuse      uint64
	Goroutines     int
	BytesPerCommit float64 // node bytes each peer received per commit (average)
	NodesPerCommit float64 // nodes each peer received per commit (average)
	HeadsPerPeer   float64 // sync steps (heads) per peer during the run: < commits when coalesced
	Warnings       int64   // warnings the peers logged during the run
}

type arrival struct {
	tx int64
	at time.Time
}

// runLatency subscribes n peers (each its own client and WebSocket, an
// in-memory replica each, sharing one node cache) to one database, commits
// `commits` small transactions one at a time through the server's
// registry, and measures from each Transact's return to each peer's Listen
// callback for that transaction.
func runLatency(ctx context.Context, b *benchServer, n, commits int, interval time.Duration, seedEntities int) (*latencyResult, error) {
	name := fmt.Sprintf("latency-%d", n)
	if err := b.createDB(ctx, name); err != nil {
		return nil, err
	}
	defer b.srv.Registry().Delete(context.Background(), name)
	if err := b.load(ctx, name, 0, seedEntities, 1000); err != nil {
		return nil, err
	}
	shared := index.NewCache(256 << 20)
	pool := newNodePool()
	copts := &core.Options{Cache: shared}

	type peerState struct {
		c   *client.Client
		db  *client.Database
		mu  gosync.Mutex
		got []arrival
	}
	peers := make([]*peerState, n)
	t0 := time.Now()
	sem := make(chan struct{}, 32)
	errs := make(chan error, n)
	var wg gosync.WaitGroup
	for i := range peers {
		wg.Add(1)
		sem <- struct{}{}
		go pprof.Do(ctx, pprof.Labels("role", "peer"), func(ctx context.Context) {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			c, err := client.Dial(dctx, b.url, b.dialOpts(nil, false, copts))
			if err != nil {
				errs <- fmt.Errorf("peer %d: dial: %w", i, err)
				return
			}
			p := &peerState{c: c}
			peers[i] = p
			// Up to 100 peers each get a real store/mem; beyond that they
			// share node bytes through the pool so 1,000 replicas fit in
			// memory.
			var st store.Store = pool.store()
			if n <= 100 {
				st = mem.New()
			}
			d, err := c.Open(dctx, name, st)
			if err != nil {
				errs <- fmt.Errorf("peer %d: open: %w", i, err)
				return
			}
			p.db = d
			if _, err := d.Ready(dctx); err != nil {
				errs <- fmt.Errorf("peer %d: ready: %w", i, err)
				return
			}
			p.got = make([]arrival, 0, commits+8)
			d.Listen(func(e client.Event) {
				if e.Resync {
					return
				}
				now := time.Now()
				p.mu.Lock()
				p.got = append(p.got, arrival{e.TxID, now})
				p.mu.Unlock()
			})
		})
	}
	wg.Wait()
	closeAll := func() {
		var cw gosync.WaitGroup
		for _, p := range peers {
			if p != nil {
				cw.Add(1)
				go func() { defer cw.Done(); p.c.Close() }()
			}
		}
		cw.Wait()
	}
	defer closeAll()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	res := &latencyResult{Peers: n, Commits: commits, Interval: interval, SetupTime: time.Since(t0)}
	var before csync.Stats
	for _, p := range peers {
		st := p.db.Stats()
		before.Bytes += st.Bytes
		before.Nodes += st.Nodes
		before.Heads += st.Heads
	}
	runtime.GC()

	// The writer: one small transaction at a time.
	committed := make(map[int64]time.Time, commits)
	var commitDur []time.Duration
	var last int64
	warn0 := peerWarnings.n.Load()
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < commits; i++ {
		tx := fmt.Sprintf(`[{:db/id "w" :name "writer-%d-%d" :age %d :city "city%d" :score %d}]`, n, i, i%90, i%10, i)
		t := time.Now()
		r, err := b.srv.Registry().Transact(ctx, name, tx, "")
		done := time.Now()
		if err != nil {
			return nil, fmt.Errorf("writer: %w", err)
		}
		committed[r.TxID] = done
		commitDur = append(commitDur, done.Sub(t))
		last = r.TxID
		if interval > 0 {
			time.Sleep(interval)
		}
	}
	lastDone := committed[last]
	res.WallTime = time.Since(start)
	// Every peer must reach the last commit; a stuck peer is a bug worth a
	// goroutine dump, not a silent hang.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	behind := 0
	for _, p := range peers {
		if _, err := p.db.Sync(wctx, last); err != nil {
			behind++
		}
	}
	cancel()
	if behind > 0 {
		dump := dumpGoroutines(fmt.Sprintf("latency-%d", n))
		return nil, fmt.Errorf("%d of %d peers did not reach tx %d within 60 s of the last commit (goroutines: %s; peer warnings: %s)", behind, n, last, dump, peerWarnings.summary())
	}
	res.CatchUp = time.Since(lastDone)
	res.Warnings = peerWarnings.n.Load() - warn0
	res.CPU = cpuTime() - cpu0
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapInuse = ms.HeapInuse
	res.Goroutines = runtime.NumGoroutine()

	var lat []time.Duration
	var after csync.Stats
	for _, p := range peers {
		st := p.db.Stats()
		after.Bytes += st.Bytes
		after.Nodes += st.Nodes
		after.Heads += st.Heads
		p.mu.Lock()
		seen := 0
		for _, a := range p.got {
			if c, ok := committed[a.tx]; ok {
				lat = append(lat, a.at.Sub(c))
				seen++
			}
		}
		p.mu.Unlock()
		res.Missing += len(committed) - seen
	}
	pc := float64(n) * float64(commits)
	res.BytesPerCommit = float64(after.Bytes-before.Bytes) / pc
	res.NodesPerCommit = float64(after.Nodes-before.Nodes) / pc
	res.HeadsPerPeer = float64(after.Heads-before.Heads) / float64(n)
	sortDurations(lat)
	sortDurations(commitDur)
	res.Samples = len(lat)
	res.P50, res.P99, res.P999 = pct(lat, 0.50), pct(lat, 0.99), pct(lat, 0.999)
	if len(lat) > 0 {
		res.Max = lat[len(lat)-1]
	}
	res.CommitP50 = pct(commitDur, 0.5)
	return res, nil
}
