package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/store/file"
)

// TestResumeAfterPrune: the server no longer has the commit a returning
// peer holds (its record was pruned while the server was down). The peer,
// behind the server, is not reset: the two find what it lacks top-down
// over the real WebSocket, it fetches no more than the missed commits
// created, and its listener replays every missed transaction.
func TestResumeAfterPrune(t *testing.T) {
	ctx := ctxT(t, 120*time.Second)
	data := t.TempDir()
	srv := startServer(t, data, token, 0)
	a, da := createPeople(t, ctx, srv.URL(), "pruned", 5000, 5000)
	bdir := t.TempDir()
	bst := openFileStore(t, bdir)
	b := dial(t, ctx, srv.URL())
	db, err := b.Open(ctx, "pruned", bst)
	if err != nil {
		t.Fatal(err)
	}
	synced, err := db.Sync(ctx, da.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	before := synced.CommitID()
	b.Close()
	bst.Close()

	for i := 0; i < 30; i++ {
		if _, err := da.Transact(ctx, fmt.Sprintf(`[{:name "user%d" :score %d}]`, i*13, 7000+i)); err != nil {
			t.Fatal(err)
		}
	}
	after, afterT := da.DB().CommitID(), da.DB().BasisT()
	ro, err := file.OpenReadOnly(ctx, data+"/pruned", nil)
	if err != nil {
		t.Fatal(err)
	}
	created, err := core.Diff(ctx, ro, before, after)
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	srv.Stop()

	// Prune B's commit record from the server's store.
	fs := openFileStore(t, data+"/pruned")
	if err := fs.Delete(ctx, []string{before}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := fs.Has(ctx, before); ok {
		t.Fatal("the commit record is still there")
	}
	fs.Close()
	srv = startServer(t, data, token, 0)

	bst = openFileStore(t, bdir)
	defer bst.Close()
	b2 := dial(t, ctx, srv.URL())
	db2, err := b2.Open(ctx, "pruned", bst)
	if err != nil {
		t.Fatal(err)
	}
	var replayed, resyncs int
	db2.Listen(func(e client.Event) {
		if e.Resync {
			resyncs++
		} else {
			replayed++
		}
	})
	got, err := db2.Sync(ctx, afterT)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommitID() != after {
		t.Fatal("B ended on another commit than the server's")
	}
	res := db2.Stats()
	if resyncs != 0 || replayed != 30 {
		t.Fatalf("%d resyncs and %d replayed transactions; want 0 and 30", resyncs, replayed)
	}
	if res.Nodes > int64(len(created)) {
		t.Fatalf("fetched %d nodes; the 30 commits created %d", res.Nodes, len(created))
	}
	n, _ := got.Q(ctx, `[:find (count ?e) . :where [?e :score]]`)
	if n != int64(5000) {
		t.Fatalf("B holds %v entities with a score", n)
	}
	t.Logf("after the prune: fetched %d nodes (%d created by the missed commits), %d bytes", res.Nodes, len(created), res.Bytes)
}
