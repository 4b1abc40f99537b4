package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	gosync "sync"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store"
)

var watchCmd = &command{
	name:    "watch",
	args:    "NAME [--store DIR] [--from-start] [--progress auto|always|never]",
	summary: "follow a database, printing each transaction as an EDN line",
	doc: `
Each synced transaction is printed on stdout as one EDN line, in order:
  {:tx 536870914, :data [[4 :name "Ivan" true] [4 :age 29 false] ...]}
(datoms as [e attribute value added]) until SIGINT or SIGTERM (exit 0).

Without --store the replica is in memory and every transaction is printed.
With --store DIR the replica is kept in DIR (one database per directory): a
restarted watch resumes from its basis-t, fetches only what changed, prints
only the transactions it had not printed, and reports on stderr:
  cairn watch: resumed from t=536870915, now at t=536870917: fetched 12 nodes, 3456 bytes
When stderr is a terminal, the initial sync shows a progress counter.`,
	flags: func(fs *flag.FlagSet, o *opts) {
		fs.StringVar(&o.store, "store", "", "keep the replica in `DIR`: a restarted watch resumes where it stopped")
		fs.BoolVar(&o.fromStart, "from-start", false, "first print the transactions already in the --store replica")
		fs.StringVar(&o.progress, "progress", "auto", "`MODE` of the initial-sync progress on stderr: auto (when a terminal), always or never")
	},
	nargs: exactly(1),
	run:   runWatch,
}

// watcher prints a replica's transactions exactly once and in order.
//
// Listen only sees what the replica applies after registration, and Open
// may apply a head before Listen is called, so the watcher keeps a
// watermark (the last transaction printed) and catches up from the
// replica's transaction log when it registers. Events at or below the
// watermark are skipped; a replica that changed incarnation (the database
// was deleted and recreated) resets the watermark.
type watcher struct {
	out    io.Writer
	status *statusLine

	mu      gosync.Mutex
	printed int64 // last transaction printed (datom.Tx0 for none)
	inc     [16]byte
	haveInc bool
	err     error         // first write error
	failed  chan struct{} // closed with err
}

func (w *watcher) event(ev client.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.Resync {
		w.status.println("resync: the replica starts over from the server's current value")
		return
	}
	w.adopt(ev.DB)
	if ev.TxID > w.printed {
		w.print(ev.TxID, ev.TxData)
	}
}

// catchUp prints the transactions of db after the watermark. w.mu is held.
func (w *watcher) catchUp(ctx context.Context, db *core.DB) error {
	w.adopt(db)
	if db.BasisT() <= w.printed {
		return nil
	}
	return db.TxLog(ctx, w.printed, func(tx int64, ds []datom.Datom) error {
		w.print(tx, ds)
		return w.err
	})
}

func (w *watcher) adopt(db *core.DB) {
	if db == nil {
		return
	}
	inc := db.Incarnation()
	if w.haveInc && inc != w.inc {
		w.status.println("the database was recreated on the server: printing it from the start")
		w.printed = datom.Tx0
	}
	w.inc, w.haveInc = inc, true
}

// print writes one transaction line. w.mu is held.
func (w *watcher) print(tx int64, ds []datom.Datom) {
	if w.err != nil {
		return
	}
	data := make(edn.Vector, len(ds))
	for i, d := range ds {
		data[i] = edn.Vector{d.E, datom.EDNKeyword(d.A), datom.ToEDN(d.V), d.Added}
	}
	line := edn.AppendPrint(nil, edn.NewMap(
		edn.MapEntry{Key: edn.Keyword{Name: "tx"}, Val: tx},
		edn.MapEntry{Key: edn.Keyword{Name: "data"}, Val: data},
	))
	line = append(line, '\n')
	if _, err := w.out.Write(line); err != nil {
		w.err = err
		close(w.failed)
		return
	}
	w.printed = tx
}

func runWatch(ctx context.Context, e *cli, args []string) error {
	name := args[0]
	switch e.o.progress {
	case "auto", "always", "never":
	default:
		return usagef("--progress must be auto, always or never, not %q", e.o.progress)
	}
	status := &statusLine{w: e.stderr}
	connFailed := make(chan error, 1)
	e.onStatus = func(sc peer.StatusChange) {
		if sc.Status == peer.StatusFailed {
			select {
			case connFailed <- sc.Err:
			default:
			}
		}
		status.connection(sc)
	}

	// Connecting and opening are bounded by --timeout; following is not.
	cctx, cancel := context.WithTimeout(ctx, e.o.timeout)
	defer cancel()
	s, err := e.connect(cctx)
	if err != nil {
		return interrupted(ctx, err)
	}
	defer s.Close()
	if err := s.openStore(cctx); err != nil {
		return err
	}
	local, haveLocal, err := storedHead(cctx, s.st)
	if err != nil {
		return fmt.Errorf("reading store %s: %w", e.o.store, err)
	}
	w := &watcher{out: e.stdout, status: status, printed: datom.Tx0, failed: make(chan struct{})}
	if haveLocal && !e.o.fromStart {
		w.printed, w.inc, w.haveInc = local.BasisT, local.Incarnation, true
	}
	d, err := s.open(cctx, name)
	if err != nil {
		return interrupted(ctx, err)
	}
	cancel()

	w.mu.Lock()
	unlisten := d.Listen(w.event)
	defer unlisten()
	if db := d.DB(); db != nil {
		err = w.catchUp(ctx, db)
	}
	w.mu.Unlock()
	if err != nil {
		return interrupted(ctx, err)
	}

	// Sync with math.MaxInt64 only returns when the database is deleted.
	wctx, stop := context.WithCancel(ctx)
	deleted := make(chan error, 1)
	go func() {
		_, err := d.Sync(wctx, math.MaxInt64)
		deleted <- err
	}()
	defer func() {
		stop()
		<-deleted
	}()

	showProgress := e.o.progress == "always" || e.o.progress == "auto" && isTerminal(e.stderr)
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	synced := false
	for {
		select {
		case <-ctx.Done():
			status.clear()
			return nil
		case err := <-deleted:
			deleted <- err // for the deferred receive
			status.clear()
			return interrupted(ctx, err)
		case err := <-connFailed:
			status.clear()
			return err
		case <-w.failed:
			return fmt.Errorf("writing: %w", w.err)
		case <-tick.C:
			if synced {
				continue
			}
			st := d.Stats()
			db := d.DB()
			if st.Heads == 0 || db == nil {
				if showProgress {
					status.progress(fmt.Sprintf("syncing %s: %d nodes, %s (%s)", name, st.Nodes,
						byteSize(st.Bytes), time.Since(start).Round(100*time.Millisecond)))
				}
				continue
			}
			synced = true
			if haveLocal {
				status.println(fmt.Sprintf("resumed from t=%d, now at t=%d: fetched %d nodes, %d bytes",
					local.BasisT, db.BasisT(), st.Nodes, st.Bytes))
			} else {
				status.println(fmt.Sprintf("synced to t=%d: fetched %d nodes, %d bytes", db.BasisT(), st.Nodes, st.Bytes))
			}
		}
	}
}

// interrupted turns an error caused by the user's interrupt into a clean
// exit.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// storedHead returns the head of the replica a store already holds.
func storedHead(ctx context.Context, st store.Store) (core.Head, bool, error) {
	b, err := st.Head(ctx, core.DefaultBranch)
	if errors.Is(err, store.ErrNotFound) {
		return core.Head{}, false, nil
	}
	if err != nil {
		return core.Head{}, false, err
	}
	h, err := core.DecodeHead(b)
	if err != nil {
		return core.Head{}, false, nil // a reset replica: it syncs from nothing
	}
	return h, true, nil
}

// statusLine writes status lines and a redrawn progress line to stderr.
type statusLine struct {
	mu           gosync.Mutex
	w            io.Writer
	drawn        bool // a progress line is on screen
	connected    bool // the connection is up
	disconnected bool // the connection was up and was lost
}

func (s *statusLine) println(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	fmt.Fprintln(s.w, "cairn watch: "+msg)
}

// connection reports a lost connection and the reconnect (not every
// failed redial in between).
func (s *statusLine) connection(sc peer.StatusChange) {
	s.mu.Lock()
	var msg string
	switch sc.Status {
	case peer.StatusConnected:
		if s.disconnected {
			msg = "reconnected"
		}
		s.connected, s.disconnected = true, false
	case peer.StatusDisconnected:
		if s.connected {
			msg = "disconnected: " + oneLine(fmt.Sprint(sc.Err)) + "; reconnecting"
		}
		s.connected, s.disconnected = false, s.disconnected || s.connected
	}
	s.mu.Unlock()
	if msg != "" {
		s.println(msg)
	}
}

func (s *statusLine) progress(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprint(s.w, "\r\x1b[K"+msg)
	s.drawn = true
}

func (s *statusLine) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
}

func (s *statusLine) clearLocked() {
	if s.drawn {
		fmt.Fprint(s.w, "\r\x1b[K")
		s.drawn = false
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// byteSize formats n bytes for humans.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
