package core_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/cairn-db/cairn/core"
)

// CommitNodes of a fresh commit covers everything reachable from it that
// its parent does not reach (what Diff returns), hash-checked, commit last;
// a bulk commit keeps none.
func TestCommitNodes(t *testing.T) {
	ctx := context.Background()
	conn, st := people5000(t)
	if _, _, ok := conn.DB().CommitNodes(); ok {
		t.Fatal("a bulk commit of thousands of nodes kept them")
	}
	for i, tx := range []string{
		`[[:db/add 10 :age 7] [:db/add 4000 :nickname "z"]]`,
		`[[:db/retract 10 :age 7]]`,
		`[{:db/id -1 :name "new" :age 3}]`,
	} {
		before := conn.DB().CommitID()
		mustTransact(t, conn, tx)
		db := conn.DB()
		parent, nodes, ok := db.CommitNodes()
		if !ok || parent != before {
			t.Fatalf("tx %d: CommitNodes ok=%v parent=%x, want parent %x", i, ok, parent, before)
		}
		if last := nodes[len(nodes)-1].Key; last != db.CommitID() {
			t.Fatalf("tx %d: last entry is not the commit", i)
		}
		have := map[string]bool{}
		for _, kv := range nodes {
			if sum := sha256.Sum256(kv.Value); string(sum[:]) != kv.Key {
				t.Fatalf("tx %d: an entry does not hash to its key", i)
			}
			have[kv.Key] = true
		}
		diff, err := core.Diff(ctx, st, before, db.CommitID())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range diff {
			if !have[k] {
				t.Fatalf("tx %d: Diff names a node CommitNodes lacks", i)
			}
		}
	}
}
