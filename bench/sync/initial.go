package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/mem"
)

// syncResult is one fresh or resuming peer's sync: Open → synced.
type syncResult struct {
	Label       string
	Store       string // memory | file
	Compression bool
	Datoms      int64 // datoms in the database
	Dial        time.Duration
	Time        time.Duration // Open → Ready (or → Sync(server basis-t))
	Nodes       int64         // Stats().Nodes
	Bytes       int64         // Stats().Bytes: node keys + values received
	WireUp      int64         // socket bytes sent by the peer (incl. HTTP upgrade)
	WireDown    int64         // socket bytes received by the peer
	Verified    string        // what was checked after the sync
}

func (r *syncResult) wire() int64 { return r.WireUp + r.WireDown }

// syncPeer dials a new client, opens name into st, waits until it holds
// the server's current basis-t, checks it and returns what it took. The
// client is closed before returning (the store is left open).
func syncPeer(ctx context.Context, b *benchServer, name string, st store.Store, compression bool, label, storeKind string, datoms int64, checkEntities int) (*syncResult, error) {
	want, err := b.head(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &syncResult{Label: label, Store: storeKind, Compression: compression, Datoms: datoms}
	var cnt counter
	copts := &core.Options{Cache: index.NewCache(256 << 20)}
	t0 := time.Now()
	c, err := client.Dial(ctx, b.url, b.dialOpts(&cnt, compression, copts))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	res.Dial = time.Since(t0)
	up0, down0 := cnt.up.Load(), cnt.down.Load()
	t1 := time.Now()
	d, err := c.Open(ctx, name, st)
	if err != nil {
		return nil, err
	}
	db, err := d.Sync(ctx, want.BasisT())
	if err != nil {
		return nil, err
	}
	// A replica reopened from a store that is already current is
	// queryable at once; it is synced when the server's head confirms it
	// (the answer to its subscribe), so wait for that head too.
	for d.Stats().Heads == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		time.Sleep(20 * time.Microsecond)
	}
	db = d.DB()
	res.Time = time.Since(t1)
	// Let the last ack reach the socket counter (it is sent before the
	// head arrives, so it is counted already; the head is too).
	st2 := d.Stats()
	res.Nodes, res.Bytes = st2.Nodes, st2.Bytes
	res.WireUp, res.WireDown = cnt.up.Load()-up0, cnt.down.Load()-down0
	if db.CommitID() != want.CommitID() {
		return nil, fmt.Errorf("%s: peer on commit %s, server on %s", label, db.CommitID(), want.CommitID())
	}
	res.Verified = "commit id = server's"
	if checkEntities > 0 {
		got, err := db.Q(ctx, `[:find (count ?e) . :where [?e :score]]`)
		if err != nil {
			return nil, err
		}
		if got != int64(checkEntities) {
			return nil, fmt.Errorf("%s: peer holds %v entities, want %d", label, got, checkEntities)
		}
		res.Verified += fmt.Sprintf(", %d entities counted locally", checkEntities)
	}
	return res, nil
}

// noopRuns is how many no-op resumes the PouchDB comparison times (median).
const noopRuns = 5

// bigResult is the initial-sync and resume part of the run.
type bigResult struct {
	Entities  int
	Datoms    int64
	LoadTime  time.Duration
	LoadTxs   int
	ServerDir int64 // bytes of the server's database directory
	Syncs     []*syncResult
	Resumes   []*resumeResult
}

type resumeResult struct {
	What         string
	NewDatoms    int
	Created      int // nodes those commits created on the server (core.Diff)
	R            *syncResult
	Full         *syncResult
	BytesPct     float64 // Stats bytes, resume / full
	WirePct      float64
	FullWireBase int64
}

// runBig builds a database of entities × 5 datoms on the server, syncs it
// to fresh peers (memory and file replicas, with and without WebSocket
// compression), then resumes the file replica after new commits.
func runBig(ctx context.Context, b *benchServer, entities int, prof profiler, tmp string) (*bigResult, error) {
	const name = "big"
	res := &bigResult{Entities: entities}
	if err := b.createDB(ctx, name); err != nil {
		return nil, err
	}
	logf("loading %d entities (%d datoms) on the server ...", entities, entities*5)
	stop := prof.start("load")
	t0 := time.Now()
	per := 5000
	if err := b.load(ctx, name, 0, entities, per); err != nil {
		stop()
		return nil, err
	}
	stop()
	res.LoadTime = time.Since(t0)
	res.LoadTxs = (entities + per - 1) / per
	head, err := b.head(ctx, name)
	if err != nil {
		return nil, err
	}
	// Count the datoms the way a peer sees them: every datom of the
	// current value (schema and transaction entities included).
	res.Datoms = int64(entities) * 5
	res.ServerDir = dirSize(b.dir + "/" + name)
	logf("loaded in %v (basis-t %d, server dir %s)", res.LoadTime.Round(time.Millisecond), head.BasisT(), mib(res.ServerDir))
	runtime.GC()

	type cfg struct {
		store string
		comp  bool
	}
	var fileDir string
	var fileFull *syncResult
	for _, c := range []cfg{{"memory", false}, {"memory", true}, {"file", false}} {
		var st store.Store
		if c.store == "memory" {
			st = mem.New()
		} else {
			fileDir = tmp + "/replica-big"
			fs, err := file.Open(ctx, fileDir, nil)
			if err != nil {
				return nil, err
			}
			st = fs
		}
		label := fmt.Sprintf("initial sync, %s replica, compression %v", c.store, c.comp)
		logf("%s ...", label)
		phase := fmt.Sprintf("sync-%s-comp%v", c.store, c.comp)
		stop := prof.start(phase)
		r, err := syncPeer(ctx, b, name, st, c.comp, label, c.store, res.Datoms, entities)
		stop()
		st.Close()
		if err != nil {
			return nil, err
		}
		logf("  %v, %s nodes+keys, %s on the wire", r.Time.Round(time.Millisecond), mib(r.Bytes), mib(r.wire()))
		res.Syncs = append(res.Syncs, r)
		if c.store == "file" {
			fileFull = r
		}
		runtime.GC()
	}

	// Resume 1: 20 transactions × 5 datoms (one new entity each).
	// Resume 2: 100 single-datom transactions (a new score each).
	steps := []struct {
		what   string
		datoms int
		commit func(i int) string
		n      int
	}{
		{"20 transactions × 5 datoms (a new entity each)", 100, func(i int) string {
			return fmt.Sprintf(`[{:name "resumed-%d" :age %d :city "city%d" :score %d :friend [:name "user%d"]}]`, i, i%90, i%10, i, i*97%entities)
		}, 20},
		{"100 transactions × 1 datom (a new score on an existing entity)", 100, func(i int) string {
			return fmt.Sprintf(`[[:db/add [:name "user%d"] :score %d]]`, i*97%entities, 5000+i)
		}, 100},
	}
	for _, s := range steps {
		before, err := b.head(ctx, name)
		if err != nil {
			return nil, err
		}
		for i := 0; i < s.n; i++ {
			if _, err := b.srv.Registry().Transact(ctx, name, s.commit(i), ""); err != nil {
				return nil, err
			}
		}
		after, err := b.head(ctx, name)
		if err != nil {
			return nil, err
		}
		d, err := b.srv.Registry().Get(ctx, name)
		if err != nil {
			return nil, err
		}
		created, err := core.Diff(ctx, d.Store(), before.CommitID(), after.CommitID())
		if err != nil {
			return nil, err
		}
		fs, err := file.Open(ctx, fileDir, nil)
		if err != nil {
			return nil, err
		}
		label := "resume after " + s.what
		logf("%s ...", label)
		r, err := syncPeer(ctx, b, name, fs, false, label, "file", res.Datoms, 0)
		fs.Close()
		if err != nil {
			return nil, err
		}
		rr := &resumeResult{What: s.what, NewDatoms: s.datoms, Created: len(created), R: r, Full: fileFull,
			BytesPct: 100 * float64(r.Bytes) / float64(fileFull.Bytes), WirePct: 100 * float64(r.wire()) / float64(fileFull.wire())}
		logf("  %v, %d nodes (%d created), %s = %.3f%% of full sync (wire %.3f%%)", r.Time.Round(time.Millisecond), r.Nodes, len(created), kib(r.Bytes), rr.BytesPct, rr.WirePct)
		res.Resumes = append(res.Resumes, rr)
	}
	return res, nil
}

// likeResult is Cairn on PouchDB's workload: 10k entities initial, then
// 100 new entities in one transaction, then nothing new.
type likeResult struct {
	Entities, New int
	LoadTime      time.Duration
	Initial       *syncResult
	Incremental   *syncResult
	Noop          *syncResult
}

func runLikePouch(ctx context.Context, b *benchServer, entities, newEntities int) (*likeResult, error) {
	const name = "like-pouch"
	if err := b.createDB(ctx, name); err != nil {
		return nil, err
	}
	defer b.srv.Registry().Delete(context.Background(), name)
	res := &likeResult{Entities: entities, New: newEntities}
	t0 := time.Now()
	// Seeded like PouchDB's: bulk writes of 1000.
	if err := b.load(ctx, name, 0, entities, 1000); err != nil {
		return nil, err
	}
	res.LoadTime = time.Since(t0)
	st := mem.New()
	defer st.Close()
	var err error
	if res.Initial, err = syncPeer(ctx, b, name, st, false, "initial", "memory", int64(entities)*5, entities); err != nil {
		return nil, err
	}
	if err := b.load(ctx, name, entities, newEntities, newEntities); err != nil {
		return nil, err
	}
	if res.Incremental, err = syncPeer(ctx, b, name, st, false, "incremental", "memory", int64(entities+newEntities)*5, entities+newEntities); err != nil {
		return nil, err
	}
	// A no-op resume takes about 0.1 ms, so one GC pause or scheduling
	// hiccup would dominate a single sample: take the median of several.
	var noops []*syncResult
	for range noopRuns {
		r, err := syncPeer(ctx, b, name, st, false, "no-op", "memory", int64(entities+newEntities)*5, 0)
		if err != nil {
			return nil, err
		}
		noops = append(noops, r)
	}
	sort.Slice(noops, func(i, j int) bool { return noops[i].Time < noops[j].Time })
	res.Noop = noops[len(noops)/2]
	return res, nil
}

func dirSize(dir string) int64 {
	var n int64
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			n += info.Size()
		}
	}
	return n
}
