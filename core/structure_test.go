package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store/mem"
)

// load20k returns tx-data for n entities with name (unique), age, city
// (indexed), score and a friend ref: 5 datoms each.
func load20k(n int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{:db/id "e%d" :name "user%d" :age %d :city "city%d" :score %d :friend "e%d"}`,
			i, i, i%90, i%10, i*7%1000, (i+1)%n)
	}
	b.WriteString("]")
	return b.String()
}

const benchSchema = `{:name {:db/unique :db.unique/identity} :city {:db/index true} :friend {:db/valueType :db.type/ref}}`

// TestStructure checks, by counting store operations rather than time, that
// nodes are written and read only along the paths a change or a lookup
// touches.
func TestStructure(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Store: mem.New()}
	conn, err := core.Create(ctx, st, core.Config{Mode: core.ModeDataScript, SchemaFlexibility: schema.FlexRead, Schema: benchSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustTransact(t, conn, load20k(20000))
	db := conn.DB()
	if n := len(all(t, db, datom.EAVT)); n != 100000 {
		t.Fatalf("loaded %d datoms, want 100000", n)
	}

	// A one-datom transaction writes the root-to-leaf path of each touched
	// index (EAVT, AEVT, AVET and the log) plus the commit.
	st.reset()
	rep := mustTransact(t, conn, `[[:db/add 17 :nickname "x"]]`)
	after := rep.DBAfter
	depths := 0
	for _, o := range []datom.Order{datom.EAVT, datom.AEVT, datom.AVET, datom.TEAV} {
		depths += after.TreeDepth(o)
	}
	st.mu.Lock()
	puts := len(st.lastPut)
	st.mu.Unlock()
	if st.writes.Load() != 1 {
		t.Fatalf("%d store writes for one transaction", st.writes.Load())
	}
	if puts != depths+1 {
		t.Fatalf("one-datom transaction wrote %d entries, want %d (path nodes) + 1 (commit)", puts, depths)
	}
	t.Logf("one-datom tx wrote %d nodes + commit (tree depths sum %d)", puts-1, depths)
	conn.Close()

	// Opening reads the head, the commit and the schema node, nothing else.
	st.reset()
	conn2, err := core.Connect(ctx, st, &core.Options{Cache: index.NewCache(64 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	if h, g := st.heads.Load(), st.gets.Load(); h != 1 || g < 1 || g > 2 { // the schema node may come from the decoded-schema cache
		t.Fatalf("open read %d heads and %d entries, want 1 head + commit + schema", h, g)
	}
	// A point lookup reads no more nodes than the tree's depth.
	st.reset()
	db2 := conn2.DB()
	got := all(t, db2, datom.EAVT, datom.Long(12345), kw("name"))
	if len(got) != 1 || got[0] != `[12345 :name "user12344"]` {
		t.Fatalf("point lookup: %v", got)
	}
	if g, d := st.gets.Load(), int64(db2.TreeDepth(datom.EAVT)); g > d {
		t.Fatalf("point lookup read %d nodes, tree depth is %d", g, d)
	}
	// An AVET lookup too, and nothing loads a whole index.
	st.reset()
	if e, err := db2.Entid(ctx, datom.Tuple([]datom.Value{kw("name"), datom.String("user777")})); err != nil || e != 778 {
		t.Fatalf("lookup ref: %d %v", e, err)
	}
	if g, d := st.gets.Load(), int64(db2.TreeDepth(datom.AVET)); g > d {
		t.Fatalf("AVET lookup read %d nodes, depth %d", g, d)
	}
}
