package core_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/mem"
)

var modelSeed = flag.Uint64("model-seed", 0, "seed for TestModelMemVsFile (0: time-based)")

const modelSchema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
 {:db/ident :tags :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 {:db/ident :part :db/valueType :db.type/ref :db/cardinality :db.cardinality/one :db/isComponent true}
 {:db/ident :label :db/valueType :db.type/string :db/cardinality :db.cardinality/one}]`

// randomTx returns random tx-data over a small name space so that upserts,
// retractions and conflicts happen often.
func randomTx(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("[")
	for i, n := 0, 1+rng.IntN(6); i < n; i++ {
		name := fmt.Sprintf("p%d", rng.IntN(40))
		other := fmt.Sprintf("p%d", rng.IntN(40))
		switch rng.IntN(8) {
		case 0, 1, 2:
			fmt.Fprintf(&b, `{:name %q :age %d :tags [:t%d :t%d]}`, name, rng.IntN(100), rng.IntN(5), rng.IntN(5))
		case 3:
			fmt.Fprintf(&b, `{:name %q :friend [{:name %q}]}`, name, other)
		case 4:
			fmt.Fprintf(&b, `{:name %q :part {:label "l%d"}}`, name, rng.IntN(1000))
		case 5:
			fmt.Fprintf(&b, `{:name %q} [:db/retract [:name %q] :tags :t%d]`, name, name, rng.IntN(5))
		case 6:
			fmt.Fprintf(&b, `{:name %q} [:db/retractEntity [:name %q]]`, other, other)
		case 7:
			fmt.Fprintf(&b, `{:name %q :age 1} [:db/cas [:name %q] :age 1 %d]`, name, name, rng.IntN(100))
		}
	}
	b.WriteString("]")
	return b.String()
}

// TestModelMemVsFile runs the same random transactions on store/mem and
// store/file and requires identical datoms and identical commit ids.
func TestModelMemVsFile(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -model-seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	ctx := context.Background()
	dir := t.TempDir()
	fst, err := file.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	stores := []store.Store{mem.New(), fst}
	cfg := core.Config{Schema: modelSchema, Incarnation: [16]byte{7}}
	var conns []*core.Conn
	for _, st := range stores {
		c, err := core.Create(ctx, st, cfg, &core.Options{Now: fixedClock(), NodeSize: 512})
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i := 0; i < 300; i++ {
		data := randomTx(rng)
		var errs [2]error
		for j, c := range conns {
			_, errs[j] = c.Transact(ctx, data)
		}
		if (errs[0] == nil) != (errs[1] == nil) {
			t.Fatalf("tx %d %s: mem err %v, file err %v", i, data, errs[0], errs[1])
		}
		if a, b := conns[0].DB().CommitID(), conns[1].DB().CommitID(); a != b {
			t.Fatalf("tx %d: commit ids differ between mem and file", i)
		}
	}
	want := all(t, conns[0].DB(), datom.EAVT)
	if got := all(t, conns[1].DB(), datom.EAVT); !slices.Equal(want, got) {
		t.Fatalf("datoms differ between mem and file")
	}
	if h1, h2 := all(t, conns[0].DB().History(), datom.AEVT), all(t, conns[1].DB().History(), datom.AEVT); !slices.Equal(h1, h2) {
		t.Fatalf("history differs between mem and file")
	}
	checkIndicesAgree(t, conns[1].DB())
	commit := conns[1].DB().CommitID()
	for _, c := range conns {
		c.Close()
	}
	fst.Close()
	// Reopen the file store: same commit, same datoms.
	fst, err = file.Open(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fst.Close()
	db, err := core.Load(ctx, fst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if db.CommitID() != commit {
		t.Fatalf("reopened file store at another commit")
	}
	if got := all(t, db, datom.EAVT); !slices.Equal(want, got) {
		t.Fatalf("datoms differ after reopen")
	}
	t.Logf("%d datoms, identical on mem and file", len(want))
}
