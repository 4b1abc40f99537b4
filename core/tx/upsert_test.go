package tx_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/tx"
)

func TestUpsert(t *testing.T) {
	base := `[1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]`
	runCases(t, []txCase{
		{name: "map without id", txs: []string{ivanPetr}, tx: `[{:name "Ivan" :age 31}]`,
			want: `{:datoms [[1 :age 31] ` + base + `] :tempids {}}`},
		{name: "tempid reports existing id", txs: []string{ivanPetr}, tx: `[{:db/id -5 :name "Ivan" :age 32}]`,
			want: `{:datoms [[1 :age 32] ` + base + `] :tempids {-5 1}}`},
		{name: "vector form", txs: []string{ivanPetr}, tx: `[[:db/add "i" :name "Ivan"] [:db/add "i" :age 33]]`,
			want: `{:datoms [[1 :age 33] ` + base + `] :tempids {"i" 1}}`},
		{name: "second map upserts into the first", tx: `[{:name "New" :age 1} {:name "New" :age 2}]`,
			want: `{:datoms [[1 :age 2] [1 :name "New"]] :tempids {}}`},
		{name: "two identities, two entities", txs: []string{ivanPetr}, tx: `[{:name "Ivan" :login "petr"}]`, err: tx.ErrUpsertConflict},
		{name: "identity against explicit id", txs: []string{ivanPetr}, tx: `[{:db/id 2 :name "Ivan"}]`, err: tx.ErrUpsertConflict},
		{name: "lookup ref id", txs: []string{ivanPetr}, tx: `[{:db/id [:login "petr"] :age 26}]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 26] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "unique value does not upsert", txs: []string{ivanPetr}, tx: `[{:name "Other" :email "petr@x.org"}]`, err: tx.ErrUniqueConflict},
		{name: "unique value moves within a tx", txs: []string{ivanPetr},
			tx:   `[[:db/retract 2 :email "petr@x.org"] [:db/add 1 :email "petr@x.org"]]`,
			want: `{:datoms [[1 :age 30] [1 :email "petr@x.org"] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "identity value on another entity", txs: []string{ivanPetr}, tx: `[[:db/add 1 :name "Petr"]]`, err: tx.ErrUniqueConflict},
	})
}
