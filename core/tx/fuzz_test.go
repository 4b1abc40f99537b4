package tx_test

import (
	"testing"

	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
)

// FuzzProcess runs random EDN tx-data against a small database in both
// modes. It must never panic; errors are fine.
func FuzzProcess(f *testing.F) {
	seeds := []string{
		ivanPetr, personSchema,
		`[{:db/id -1 :name "P" :friend [{:db/id -2 :name "C1"} {:name "C2"}]} {:db/id -3 :name "Q"}]`,
		`[[:db/retractEntity 1] [:db.fn/retractAttribute 2 :tags] [:db/cas 1 :age 30 31]]`,
		`[{:db/id 1 :_friend [2 [:name "Ivan"]] :address {:city "X"}}]`,
		`[[:db/add "t" :friend "t"] {:db/id "datomic.tx" :src 1} [:db/add :db/current-tx :x 2]]`,
		`[{:a "x" :b 1} {:a+b ["x" 1]} [:db/add 1 :a+b ["x" 1]]]`,
		`[{:db/ident :q :db/valueType :db.type/tuple :db/tupleAttrs [:a :q] :db/cardinality :db.cardinality/one}]`,
		`[[:db/add [:name "Ivan"] :phones {:number 1}] [:db/retract [:name nil] :x]]`,
		`[{:db/id 9007199254740993 :x 1} [:db/add -1 :x 1.5] [:db/add -1 :y #inst "2020-01-01"]]`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	sch := peopleSchema[:len(peopleSchema)-1] + ` :a+b {:db/valueType :db.type/tuple :db/tupleAttrs [:a :b] :db/unique :db.unique/identity}}`
	f.Fuzz(func(t *testing.T, src string) {
		v, err := edn.ReadString(src)
		if err != nil {
			return
		}
		xs, ok := v.(edn.Vector)
		if !ok {
			return
		}
		ds := dsDB(t, sch)
		ds, _ = ds.must(t, ivanPetr)
		ds, _ = ds.must(t, `[[:db/add 1 :friend 2] {:db/id 1 :address {:city "M"}} {:a "x" :b 1}]`)
		if res, err := tx.Process(ds, xs, ds.opts()); err == nil {
			ds.apply(res)
		}
		dh := newDB(t, "", schema.FlexWrite, tx.ModeDatahike)
		dh, _ = dh.must(t, personSchema)
		dh, _ = dh.must(t, `[{:name "Ivan" :age 30 :friend {:name "Petr"}}]`)
		if res, err := tx.Process(dh, xs, dh.opts()); err == nil {
			dh.apply(res)
		}
	})
}
