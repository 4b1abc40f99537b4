package tx_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
)

// dhDB is a Datahike-mode database with :schema-flexibility :write.
func dhDB(t *testing.T) *memDB { return newDB(t, "", schema.FlexWrite, tx.ModeDatahike) }

const personSchema = `[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
 {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 {:db/ident :nick :db/valueType :db.type/string :db/cardinality :db.cardinality/one}]`

func TestSchemaAsData(t *testing.T) {
	db := dhDB(t)
	// Using an attribute before it is defined fails under :write.
	_, _, err := db.transact(`[{:name "Ivan"}]`)
	wantErr(t, err, tx.ErrUnknownAttribute)

	db, res := db.must(t, personSchema)
	name, ok := res.Schema.Attr("name")
	if !ok || name.Unique != schema.UniqueIdentity || name.ValueType != schema.TypeString || name.Eid != 1 {
		t.Fatalf("name = %+v", name)
	}
	if res.MaxEid != 4 || res.Schema.Len() != 4 {
		t.Fatalf("max eid %d, %d attrs", res.MaxEid, res.Schema.Len())
	}
	// Schema entities are user entities; the schema applies from the next tx.
	db, res = db.must(t, `[{:db/id "i" :name "Ivan" :age 30} {:db/id "p" :name "Petr" :friend "i"}]`)
	if res.Tempids["i"] != 5 || res.Tempids["p"] != 6 {
		t.Fatalf("tempids %v", res.Tempids)
	}
	// Re-transacting the same schema is a no-op (it upserts through :db/ident).
	db, res = db.must(t, personSchema)
	if res.Schema != db.sch || len(res.TxData) != 1 {
		t.Fatalf("re-transacted schema changed something: %v", res.TxData)
	}

	// Allowed changes.
	db, res = db.must(t, `[{:db/ident :age :db/index true :db/doc "years"} {:db/ident :nick :db/cardinality :db.cardinality/many}]`)
	if a, _ := res.Schema.Attr("age"); !a.Index || a.Doc != "years" {
		t.Fatalf("age = %+v", a)
	}
	if !res.Schema.IsMany("nick") {
		t.Fatal("nick not many")
	}
	// Adding :db/unique checks existing values.
	db, _ = db.must(t, `[[:db/add [:name "Ivan"] :age 30] [:db/add [:name "Petr"] :age 30]]`)
	_, _, err = db.transact(`[{:db/ident :age :db/unique :db.unique/value}]`)
	wantErr(t, err, tx.ErrSchemaViolation)
	if !errors.Is(err, schema.ErrForbiddenChange) {
		t.Fatalf("want a forbidden change, got %v", err)
	}
	db, res = db.must(t, `[[:db/add [:name "Petr"] :age 31] {:db/ident :age :db/unique :db.unique/value}]`)
	if !res.Schema.IsUnique("age") {
		t.Fatal("age not unique")
	}

	for _, c := range []struct{ name, tx string }{
		{"value type", `[{:db/ident :age :db/valueType :db.type/string}]`},
		{"many to one", `[{:db/ident :nick :db/cardinality :db.cardinality/one}]`},
		{"unique removed", `[[:db/retract :name :db/unique :db.unique/identity]]`},
		{"rename", `[[:db/add :nick :db/ident :nickname]]`},
		{"remove", `[[:db/retractEntity :nick]]`},
		{"component on non-ref", `[{:db/ident :x :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/isComponent true}]`},
		{"missing cardinality", `[{:db/ident :y :db/valueType :db.type/long}]`},
		{"bad type", `[{:db/ident :y :db/valueType :db.type/nope :db/cardinality :db.cardinality/one}]`},
		{"system attribute", `[{:db/ident :db/doc :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := db.transact(c.tx)
			wantErr(t, err, tx.ErrSchemaViolation)
		})
	}

	// Value types are checked.
	_, _, err = db.transact(`[{:name "Oleg" :age "old"}]`)
	wantErr(t, err, tx.ErrValueType)
	_, _, err = db.transact(`[{:name "Oleg" :friend "x"}]`)
	wantErr(t, err, tx.ErrUnusedTempid)
	_, _, err = db.transact(`[{:name "Oleg" :friend [:name "Nobody"]}]`)
	wantErr(t, err, tx.ErrLookupRef)
	// A documented ident is not an attribute.
	_, res = db.must(t, `[{:db/ident :color/red :db/doc "red"}]`)
	if _, ok := res.Schema.Attr("color/red"); ok {
		t.Fatal("enum became an attribute")
	}
}

func TestTxInstant(t *testing.T) {
	db := dhDB(t)
	db, res := db.must(t, `[]`)
	if len(res.TxData) != 1 || res.TxData[0].A != "db/txInstant" || res.TxData[0].E != res.TxID ||
		res.TxData[0].V.AsLong() != res.TxInstant || res.TxInstant != db.now.Add(-time.Second).UnixMilli() {
		t.Fatalf("tx data %v instant %d", res.TxData, res.TxInstant)
	}
	// The clock going backwards still gives increasing instants.
	db.now = time.UnixMilli(1000)
	db, res2 := db.must(t, `[]`)
	if res2.TxInstant != res.TxInstant+1 {
		t.Fatalf("instant %d after %d", res2.TxInstant, res.TxInstant)
	}
	// An explicit instant must be later than the previous one.
	_, _, err := db.transact(`[{:db/id "datomic.tx" :db/txInstant #inst "2000-01-01"}]`)
	wantErr(t, err, tx.ErrTxInstant)
	_, res3 := db.must(t, `[{:db/id "datomic.tx" :db/txInstant #inst "2100-01-01"}]`)
	if res3.TxInstant != time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() || len(res3.TxData) != 1 {
		t.Fatalf("explicit instant %d, %v", res3.TxInstant, res3.TxData)
	}
	// DataScript mode writes no tx datoms.
	ds := dsDB(t, "")
	_, res4 := ds.must(t, `[{:x 1}]`)
	if len(res4.TxData) != 1 || res4.TxData[0].A != "x" || res4.TxInstant == 0 {
		t.Fatalf("DataScript mode tx data %v", res4.TxData)
	}
	_ = datom.Tx0
}

func TestReadFlexibility(t *testing.T) {
	db := newDB(t, `{:age {:db/valueType :db.type/long}}`, schema.FlexRead, tx.ModeDatahike)
	db, _ = db.must(t, `[{:anything "goes" :n 1.5}]`)
	_, _, err := db.transact(`[{:age "x"}]`)
	wantErr(t, err, tx.ErrValueType)
	// Widening: a long is a valid double.
	db = newDB(t, `{:score {:db/valueType :db.type/double}}`, schema.FlexWrite, tx.ModeDataScript)
	db, _ = db.must(t, `[{:score 3}]`)
	if got := db.datoms[0].V; got.Kind() != datom.KindDouble {
		t.Fatalf("score stored as %v", got.Kind())
	}
}
