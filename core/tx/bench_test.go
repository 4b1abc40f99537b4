package tx_test

import (
	"strconv"
	"testing"

	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
)

// bulkTx builds n entity maps of 5 attributes: a unique identity name, age,
// an indexed city, score and a ref to the next entity's tempid.
func bulkTx(n int) []any {
	k := func(s string) edn.Keyword { return edn.Keyword{Name: s} }
	out := make([]any, n)
	for i := range n {
		out[i] = edn.NewMap(
			edn.MapEntry{Key: edn.Keyword{NS: "db", Name: "id"}, Val: "e" + strconv.Itoa(i)},
			edn.MapEntry{Key: k("name"), Val: "user-" + strconv.Itoa(i)},
			edn.MapEntry{Key: k("age"), Val: int64(20 + i%50)},
			edn.MapEntry{Key: k("city"), Val: "city-" + strconv.Itoa(i%100)},
			edn.MapEntry{Key: k("score"), Val: float64(i) / 3},
			edn.MapEntry{Key: k("friend"), Val: "e" + strconv.Itoa((i+1)%n)},
		)
	}
	return out
}

const bulkSchema = `{:name {:db/unique :db.unique/identity} :city {:db/index true}
 :friend {:db/valueType :db.type/ref}}`

// BenchmarkProcess20k transacts 20k entity maps × 5 attributes in one
// transaction (DataScript takes about 6 s for this).
func BenchmarkProcess20k(b *testing.B) {
	db := newDB(b, bulkSchema, schema.FlexRead, tx.ModeDataScript)
	data := bulkTx(20000)
	b.ReportAllocs()
	for b.Loop() {
		res, err := tx.Process(db, data, db.opts())
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Adds) != 100000 {
			b.Fatalf("adds = %d", len(res.Adds))
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "datoms/s")
}
