package e2e

import (
	"context"
	"errors"
	"fmt"
	"github.com/cairn-db/cairn/internal/serverproc"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/cairn-db/cairn/client"
	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/peer"
	"github.com/cairn-db/cairn/store/file"
)

const token = "e2e-secret-token"

const peopleSchema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :city :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/index true}
 {:db/ident :score :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}]`

// fastPeer keeps reconnects quick in tests.
func fastPeer() peer.ClientOptions {
	return peer.ClientOptions{BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond}
}

func dial(t *testing.T, ctx context.Context, url string) *client.Client {
	t.Helper()
	c, err := client.Dial(ctx, url, &client.Options{Token: token, Peer: fastPeer()})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func openFileStore(t *testing.T, dir string) *file.Store {
	t.Helper()
	st, err := file.Open(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var rpcCalls = regexp.MustCompile(`(?m)^cairn_rpc_calls_total (\d+)$`)

func metric(t *testing.T, srv *serverproc.Proc, re *regexp.Regexp) int {
	t.Helper()
	resp, err := http.Get("http://" + srv.Addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := re.FindSubmatch(b)
	if m == nil {
		t.Fatalf("metric %s missing:\n%s", re, b)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func TestPeersSyncEndToEnd(t *testing.T) {
	ctx := ctxT(t, 60*time.Second)
	srv := startServer(t, t.TempDir(), token, 0)
	resp, err := http.Get("http://" + srv.Addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	a := dial(t, ctx, srv.URL())
	if err := a.CreateDatabase(ctx, "people", client.CreateOptions{Schema: peopleSchema}); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateDatabase(ctx, "people", client.CreateOptions{}); !errors.Is(err, client.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	da, err := a.Open(ctx, "people", nil)
	if err != nil {
		t.Fatal(err)
	}

	// B follows into a file store and listens.
	bdir := t.TempDir()
	bst := openFileStore(t, bdir)
	defer bst.Close()
	b := dial(t, ctx, srv.URL())
	db, err := b.Open(ctx, "people", bst)
	if err != nil {
		t.Fatal(err)
	}
	var mu gosync.Mutex
	var seen []int64
	db.Listen(func(e client.Event) {
		mu.Lock()
		seen = append(seen, e.TxID)
		mu.Unlock()
	})
	if _, err := db.Ready(ctx); err != nil {
		t.Fatal(err)
	}

	var want []int64
	for i := 0; i < 10; i++ {
		res, err := da.Transact(ctx, fmt.Sprintf(`[{:db/id "p" :name "person%d" :age %d}]`, i, 20+i))
		if err != nil {
			t.Fatal(err)
		}
		// Read-your-writes: A's local db already holds the transaction.
		if res.DB.BasisT() < res.TxID {
			t.Fatalf("transact returned before the local replica had tx %d", res.TxID)
		}
		got, err := res.DB.Q(ctx, `[:find ?a . :in $ ?n :where [?e :name ?n] [?e :age ?a]]`, fmt.Sprintf("person%d", i))
		if err != nil || got != int64(20+i) {
			t.Fatalf("A's local query after transact: %v %v", got, err)
		}
		want = append(want, res.TxID)
	}
	last := want[len(want)-1]
	if _, err := db.Sync(ctx, last); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	gotSeen := slices.Clone(seen)
	mu.Unlock()
	// B saw the schema transaction before it started listening? No: it
	// listened before Ready, so it saw every transaction in order.
	if !slices.IsSorted(gotSeen) || !containsAll(gotSeen, want) {
		t.Fatalf("B's listener saw %v, want every one of %v in order", gotSeen, want)
	}
	// B queries locally: no RPC reaches the server.
	calls := metric(t, srv, rpcCalls)
	for i := 0; i < 20; i++ {
		n, err := db.DB().Q(ctx, `[:find (count ?e) . :where [?e :name]]`)
		if err != nil || n != int64(10) {
			t.Fatalf("B's local count: %v %v", n, err)
		}
	}
	if after := metric(t, srv, rpcCalls); after != calls {
		t.Fatalf("local queries made %d RPC calls", after-calls)
	}
	if db.DB().CommitID() != da.DB().CommitID() {
		t.Fatalf("A and B on different commits")
	}
	names, err := b.ListDatabases(ctx)
	if err != nil || !slices.Equal(names, []string{"people"}) {
		t.Fatalf("list: %v %v", names, err)
	}

	// Delete: subscribers learn it.
	if err := a.DeleteDatabase(ctx, "people"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Sync(ctx, last+1000); !errors.Is(err, client.ErrDeleted) {
		t.Fatalf("after delete: %v", err)
	}
	if ok, err := a.DatabaseExists(ctx, "people"); ok || err != nil {
		t.Fatalf("exists after delete: %v %v", ok, err)
	}
}

func containsAll(have, want []int64) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func bulk(from, n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`, i, i, i%90, i%10, i*7%1000, from+(i+1-from)%n)
	}
	return b.String() + "]"
}

// TestResumeFetchesOnlyTheDelta: B syncs a database of 100k+ datoms,
// disconnects, A commits 100 small transactions, and B, reconnecting from
// its store, fetches no more nodes than those commits created.
// createPeople creates database name on the server at url and loads n
// people, per in each transaction, through a new client with an in-memory
// replica.
func createPeople(t *testing.T, ctx context.Context, url, name string, n, per int) (*client.Client, *client.Database) {
	t.Helper()
	a := dial(t, ctx, url)
	if err := a.CreateDatabase(ctx, name, client.CreateOptions{Schema: peopleSchema}); err != nil {
		t.Fatal(err)
	}
	da, err := a.Open(ctx, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += per {
		if _, err := da.Transact(ctx, bulk(i, min(per, n-i))); err != nil {
			t.Fatal(err)
		}
	}
	return a, da
}

func TestResumeFetchesOnlyTheDelta(t *testing.T) {
	ctx := ctxT(t, 120*time.Second)
	data := t.TempDir()
	srv := startServer(t, data, token, 0)
	_, da := createPeople(t, ctx, srv.URL(), "big", 20000, 5000)
	bdir := t.TempDir()
	bst := openFileStore(t, bdir)
	b := dial(t, ctx, srv.URL())
	db, err := b.Open(ctx, "big", bst)
	if err != nil {
		t.Fatal(err)
	}
	synced, err := db.Sync(ctx, da.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := synced.Q(ctx, `[:find (count ?e) . :where [?e :score]]`)
	if n != int64(20000) {
		t.Fatalf("B holds %v entities", n)
	}
	full := db.Stats()
	before := synced.CommitID()
	b.Close()
	bst.Close()

	for i := 0; i < 100; i++ {
		if _, err := da.Transact(ctx, fmt.Sprintf(`[{:name "user%d" :score %d}]`, i*97, 5000+i)); err != nil {
			t.Fatal(err)
		}
	}
	after := da.DB().CommitID()
	// The nodes those 100 commits created, from the server's own store
	// (a read-only open beside the live writer).
	ro, err := file.OpenReadOnly(ctx, data+"/big", nil)
	if err != nil {
		t.Fatal(err)
	}
	created, err := core.Diff(ctx, ro, before, after)
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}

	bst = openFileStore(t, bdir)
	defer bst.Close()
	b2 := dial(t, ctx, srv.URL())
	db2, err := b2.Open(ctx, "big", bst)
	if err != nil {
		t.Fatal(err)
	}
	if db2.DB() == nil || db2.DB().CommitID() != before {
		t.Fatalf("reopened replica is not at its stored commit")
	}
	var replayed int
	db2.Listen(func(client.Event) { replayed++ })
	got, err := db2.Sync(ctx, da.DB().BasisT())
	if err != nil {
		t.Fatal(err)
	}
	if got.CommitID() != after {
		t.Fatalf("B ended on another commit than the server's")
	}
	res := db2.Stats()
	if res.Nodes > int64(len(created)) {
		t.Fatalf("resume fetched %d nodes; the 100 commits created %d", res.Nodes, len(created))
	}
	if replayed != 100 {
		t.Fatalf("listener replayed %d transactions, want 100", replayed)
	}
	t.Logf("full sync: %d nodes, %d bytes; resume after 100 commits: %d nodes (%d created), %d bytes = %.2f%% of full",
		full.Nodes, full.Bytes, res.Nodes, len(created), res.Bytes, 100*float64(res.Bytes)/float64(full.Bytes))
}
