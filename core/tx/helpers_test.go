package tx_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/core/tx"
)

// memDB is an in-memory tx.Snapshot: the current datoms in EAVT order.
type memDB struct {
	sch      *schema.Schema
	datoms   []datom.Datom
	maxEid   int64
	maxTx    int64
	lastInst int64
	mode     tx.Mode
	now      time.Time
}

func newDB(t testing.TB, schemaEDN string, flex schema.Flexibility, mode tx.Mode) *memDB {
	t.Helper()
	var m *edn.Map
	if schemaEDN != "" {
		v, err := edn.ReadString(schemaEDN)
		if err != nil {
			t.Fatalf("schema %s: %v", schemaEDN, err)
		}
		m = v.(*edn.Map)
	}
	sch, err := schema.FromEDN(m, flex)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return &memDB{sch: sch, maxTx: datom.Tx0, mode: mode, now: time.UnixMilli(1_700_000_000_000)}
}

// dsDB is a DataScript-mode, schema-on-read database, as the corpus runs.
func dsDB(t testing.TB, schemaEDN string) *memDB {
	return newDB(t, schemaEDN, schema.FlexRead, tx.ModeDataScript)
}

func (m *memDB) Schema() *schema.Schema { return m.sch }
func (m *memDB) MaxEid() int64          { return m.maxEid }
func (m *memDB) MaxTx() int64           { return m.maxTx }
func (m *memDB) LastTxInstant() int64   { return m.lastInst }

func (m *memDB) Datoms(e int64, a string) ([]datom.Datom, error) {
	var out []datom.Datom
	for _, d := range m.datoms {
		if d.E == e && (a == "" || d.A == a) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memDB) ByValue(a string, v datom.Value) ([]datom.Datom, error) {
	var out []datom.Datom
	for _, d := range m.datoms {
		if d.A == a && d.V.Equal(v) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(x, y datom.Datom) int { return datom.CmpAVET(&x, &y) })
	return out, nil
}

func (m *memDB) ByAttr(a string) ([]datom.Datom, error) {
	var out []datom.Datom
	for _, d := range m.datoms {
		if d.A == a {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(x, y datom.Datom) int { return datom.CmpAEVT(&x, &y) })
	return out, nil
}

// apply returns the database after res.
func (m *memDB) apply(res *tx.Result) *memDB {
	n := *m
	n.datoms = slices.DeleteFunc(slices.Clone(m.datoms), func(d datom.Datom) bool {
		return slices.ContainsFunc(res.Retracts, func(r datom.Datom) bool {
			return r.E == d.E && r.A == d.A && r.V.Equal(d.V) && r.Tx == d.Tx
		})
	})
	n.datoms = append(n.datoms, res.Adds...)
	slices.SortFunc(n.datoms, func(x, y datom.Datom) int { return datom.CmpEAVT(&x, &y) })
	n.maxEid, n.maxTx, n.lastInst, n.sch = res.MaxEid, res.TxID, res.TxInstant, res.Schema
	n.now = m.now.Add(time.Second)
	return &n
}

func (m *memDB) opts() tx.Options {
	now := m.now
	return tx.Options{Mode: m.mode, Now: func() time.Time { return now }}
}

// transact parses EDN tx-data and runs it.
func (m *memDB) transact(txEDN string) (*memDB, *tx.Result, error) {
	v, err := edn.ReadString(txEDN)
	if err != nil {
		return nil, nil, err
	}
	xs, ok := v.(edn.Vector)
	if !ok {
		return nil, nil, errors.New("tx-data is not a vector")
	}
	res, err := tx.Process(m, xs, m.opts())
	if err != nil {
		return nil, nil, err
	}
	return m.apply(res), res, nil
}

func (m *memDB) must(t testing.TB, txEDN string) (*memDB, *tx.Result) {
	t.Helper()
	db, res, err := m.transact(txEDN)
	if err != nil {
		t.Fatalf("transact %s: %v", txEDN, err)
	}
	return db, res
}

// datomsText prints [[e a v] ...] sorted by canonical text.
func (m *memDB) datomsText() string {
	rows := make([]string, 0, len(m.datoms))
	for _, d := range m.datoms {
		rows = append(rows, edn.Canonical(edn.Vector{d.E, datom.EDNKeyword(d.A), datom.ToEDN(d.V)}))
	}
	slices.Sort(rows)
	return "[" + strings.Join(rows, " ") + "]"
}

// report prints the corpus's transact expectation.
func report(db *memDB, res *tx.Result) string {
	tempids := edn.NewMap()
	for k, v := range res.Tempids {
		switch x := k.(type) {
		case string:
			if x == "db/current-tx" {
				continue
			}
		case int64:
			if x >= 0 {
				continue
			}
		default:
			continue
		}
		tempids.Set(k, v)
	}
	return "{:datoms " + db.datomsText() + " :tempids " + edn.Canonical(tempids) + "}"
}

func wantErr(t *testing.T, err, kind error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v, got no error", kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("want %v, got %v", kind, err)
	}
	var te *tx.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a *tx.Error", err)
	}
}

// txCase is one data-driven case: transact txs (which must succeed) on a
// fresh DataScript-mode database, then tx, and compare the report or the
// error kind.
type txCase struct {
	name   string
	schema string // "" = the people schema
	txs    []string
	tx     string
	want   string // report(), when err is nil
	err    error
}

const peopleSchema = `{:name {:db/unique :db.unique/identity} :login {:db/unique :db.unique/identity}
 :email {:db/unique :db.unique/value}
 :friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 :spouse {:db/valueType :db.type/ref} :tags {:db/cardinality :db.cardinality/many}
 :address {:db/valueType :db.type/ref :db/isComponent true}
 :phones {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many :db/isComponent true}
 :order/lines {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}}`

const ivanPetr = `[{:db/id -1 :name "Ivan" :age 30 :tags ["a" "b"]} {:db/id -2 :name "Petr" :age 25 :email "petr@x.org" :login "petr"}]`

func runCases(t *testing.T, cases []txCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sch := c.schema
			if sch == "" {
				sch = peopleSchema
			}
			db := dsDB(t, sch)
			for _, s := range c.txs {
				db, _ = db.must(t, s)
			}
			after, res, err := db.transact(c.tx)
			if c.err != nil {
				wantErr(t, err, c.err)
				return
			}
			if err != nil {
				t.Fatalf("transact %s: %v", c.tx, err)
			}
			if got := report(after, res); got != c.want {
				t.Fatalf("tx %s\n got  %s\n want %s", c.tx, got, c.want)
			}
		})
	}
}
