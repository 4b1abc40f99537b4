package tx_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/tx"
)

func TestCAS(t *testing.T) {
	rest := `[1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]`
	runCases(t, []txCase{
		{name: "match", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :age 30 31]]`,
			want: `{:datoms [[1 :age 31] ` + rest + `] :tempids {}}`},
		{name: "legacy spelling", txs: []string{ivanPetr}, tx: `[[:db.fn/cas [:name "Ivan"] :age 30 31]]`,
			want: `{:datoms [[1 :age 31] ` + rest + `] :tempids {}}`},
		{name: "mismatch", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :age 29 31]]`, err: tx.ErrCASMismatch},
		{name: "nil means absent", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :nick nil "V"]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :nick "V"] [1 :tags "a"] [1 :tags "b"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "nil but present", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :age nil 1]]`, err: tx.ErrCASMismatch},
		{name: "many: membership then add", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :tags "a" "z"]]`,
			want: `{:datoms [[1 :age 30] [1 :name "Ivan"] [1 :tags "a"] [1 :tags "b"] [1 :tags "z"] [2 :age 25] [2 :email "petr@x.org"] [2 :login "petr"] [2 :name "Petr"]] :tempids {}}`},
		{name: "many: not a member", txs: []string{ivanPetr}, tx: `[[:db/cas 1 :tags "q" "z"]]`, err: tx.ErrCASMismatch},
		{name: "sees earlier ops", txs: []string{ivanPetr}, tx: `[[:db/add 1 :age 40] [:db/cas 1 :age 40 41]]`,
			want: `{:datoms [[1 :age 41] ` + rest + `] :tempids {}}`},
		{name: "tempid entity", txs: []string{ivanPetr}, tx: `[[:db/cas "t" :age nil 1]]`, err: tx.ErrInvalidTxData},
	})
}
