package core

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/core/schema"
	"github.com/cairn-db/cairn/store"
)

// view selects which datoms a DB shows.
type view struct {
	history bool  // include retractions and retracted assertions
	asOf    int64 // 0: latest; else only what was true at this tx
	since   int64 // 0: all; else only datoms added after this tx
}

// DB is an immutable database value: a set of index roots, the schema and
// the counters of one point in the database's history. A DB never changes
// under its reader; transactions produce new DB values.
//
// A DB is either the latest state (the default view) or a time-travel view
// of it made by History, AsOf and Since; every read method honours the view.
type DB struct {
	env *env

	commit      string // key of the commit this value was stored as; "" when not (yet) committed
	parent      string
	incarnation [16]byte

	trees       [numRoots]*index.Tree
	schema      *schema.Schema
	schemaKey   string
	maxEid      int64
	maxTx       int64
	lastInstant int64
	flags       byte

	view view

	// added holds the entries the commit named addedFor wrote over its
	// parent (set by the flush that made it, when small); see CommitNodes.
	added    []store.KV
	addedFor string
}

// maxAddedEntries bounds the entries a committed value remembers for
// CommitNodes: a live commit writes tens, a bulk load thousands.
const maxAddedEntries = 512

// CommitNodes returns the entries (index nodes, schema node, commit) that
// this value's commit wrote over its parent commit, children before
// parents and the commit last, when this process made the commit and it
// was small. They are exactly what a replica at the parent lacks, so a
// sync server can send them without diffing trees or reading the store.
// ok is false otherwise; the caller then diffs. The values must not be
// modified.
func (db *DB) CommitNodes() (parent string, nodes []store.KV, ok bool) {
	if db.commit == "" || db.addedFor != db.commit || db.parent == "" {
		return "", nil, false
	}
	return db.parent, db.added, true
}

// env is what every DB of one database shares: where nodes load from and
// the decoded-node cache.
type env struct {
	loader index.Loader
	cache  *index.Cache
	nodeSz int
}

func (e *env) treeOptions() index.Options {
	return index.Options{Loader: e.loader, Cache: e.cache, NodeSize: e.nodeSz}
}

func treeCmp(i int) func(a, b *datom.Datom) int {
	switch i {
	case rootEAVT:
		return datom.Comparator(datom.EAVT, false)
	case rootAEVT:
		return datom.Comparator(datom.AEVT, false)
	case rootAVET:
		return datom.Comparator(datom.AVET, false)
	case rootTEAVT:
		return datom.Comparator(datom.EAVT, true)
	case rootTAEVT:
		return datom.Comparator(datom.AEVT, true)
	case rootTAVET:
		return datom.Comparator(datom.AVET, true)
	default:
		return datom.Comparator(datom.TEAV, false)
	}
}

// CommitID returns the key of the commit this value was stored as, or ""
// for a value that was never committed on its own (an intermediate
// db-after inside a group commit).
func (db *DB) CommitID() string { return db.commit }

// BasisT returns the id of the last transaction in this value.
func (db *DB) BasisT() int64 { return db.maxTx }

// MaxEid returns the largest entity id allocated so far.
func (db *DB) MaxEid() int64 { return db.maxEid }

// Incarnation returns the id chosen when the database was created. A
// database deleted and created again has a new incarnation; basis-t values
// are comparable only within one incarnation.
func (db *DB) Incarnation() [16]byte { return db.incarnation }

// Schema returns the schema of this value.
func (db *DB) Schema() *schema.Schema { return db.schema }

// KeepHistory reports whether the database keeps temporal indices.
func (db *DB) KeepHistory() bool { return db.flags&flagKeepHistory != 0 }

// LastTxInstant returns the :db/txInstant (ms since epoch) of the last
// transaction, 0 when there is none.
func (db *DB) LastTxInstant() int64 { return db.lastInstant }

// IsHistory reports whether this is a history view (it yields retractions).
func (db *DB) IsHistory() bool { return db.view.history }

func (db *DB) withView(v view) *DB {
	c := *db
	c.view = v
	return &c
}

// History returns a view of every assertion and retraction ever made (of
// attributes without :db/noHistory). Datoms carry their tx and Added flag.
func (db *DB) History() *DB {
	v := db.view
	v.history = true
	return db.withView(v)
}

// AsOf returns the database as it was right after transaction t.
func (db *DB) AsOf(t int64) *DB {
	v := db.view
	if v.asOf == 0 || t < v.asOf {
		v.asOf = t
	}
	return db.withView(v)
}

// Since returns a view holding only the datoms added after transaction t.
func (db *DB) Since(t int64) *DB {
	v := db.view
	if t > v.since {
		v.since = t
	}
	return db.withView(v)
}

// Datoms iterates the datoms of an index whose leading components equal
// comps (EAVT: e a v tx; AEVT: a e v tx; AVET: a v e tx). Attributes are
// keyword values, entity ids longs.
func (db *DB) Datoms(ctx context.Context, order datom.Order, comps ...datom.Value) Iterator {
	b, err := makeBound(order, comps)
	if err != nil {
		return emptyIter{err: fmt.Errorf("%w: %d components for index %s", err, len(comps), order)}
	}
	if b.empty {
		return emptyIter{}
	}
	return db.iter(ctx, b, true)
}

// SeekDatoms iterates an index from the position given by comps to its end.
func (db *DB) SeekDatoms(ctx context.Context, order datom.Order, comps ...datom.Value) Iterator {
	b, err := makeBound(order, comps)
	if err != nil {
		return emptyIter{err: fmt.Errorf("%w: %d components for index %s", err, len(comps), order)}
	}
	return db.iter(ctx, b, false)
}

// IndexRange iterates the AVET datoms of attr whose value lies in
// [start, end]; a nil start or end leaves that side open.
func (db *DB) IndexRange(ctx context.Context, attr string, start, end datom.Value) Iterator {
	comps := []datom.Value{datom.Keyword(attr)}
	if !start.IsNil() {
		comps = append(comps, start)
	}
	b, _ := makeBound(datom.AVET, comps)
	b.n = 1 // stop at the end of the attribute, not of the start value
	it := db.iter(ctx, b, true)
	if end.IsNil() {
		return it
	}
	return &untilIter{it: it, stop: func(d *datom.Datom) bool { return datom.Compare(d.V, end) > 0 }}
}

type untilIter struct {
	it   Iterator
	stop func(*datom.Datom) bool
	done bool
}

func (u *untilIter) Next() bool {
	if u.done || !u.it.Next() || u.stop(u.it.Datom()) {
		u.done = true
		return false
	}
	return true
}
func (u *untilIter) Datom() *datom.Datom { return u.it.Datom() }
func (u *untilIter) Err() error          { return u.it.Err() }

func (db *DB) tree(order datom.Order, temporal bool) *index.Tree {
	i := int(order)
	if order == datom.TEAV {
		return db.trees[rootLog]
	}
	if temporal {
		i += rootTEAVT
	}
	return db.trees[i]
}

func (db *DB) scan(ctx context.Context, t *index.Tree, b bound, prefix bool) Iterator {
	it := t.Seek(ctx, &b.from)
	if !prefix {
		return it
	}
	return &prefixIter{it: it, b: b}
}

func (db *DB) iter(ctx context.Context, b bound, prefix bool) Iterator {
	v := db.view
	if b.order == datom.TEAV {
		it := db.scan(ctx, db.trees[rootLog], b, prefix)
		return db.filterTx(it, v)
	}
	cur := db.scan(ctx, db.tree(b.order, false), b, prefix)
	if !v.history && v.asOf == 0 {
		return db.filterTx(cur, v)
	}
	var hist Iterator = cur
	if db.KeepHistory() {
		temp := db.scan(ctx, db.tree(b.order, true), b, prefix)
		hist = &mergeIter{a: cur, b: temp, cmp: datom.Comparator(b.order, true)}
	}
	if v.history {
		return db.filterTx(hist, v)
	}
	// as-of without history: resolve each e,a,v to its state at asOf.
	res := &asOfIter{it: hist, same: datom.Comparator(b.order, false), t: v.asOf}
	v.asOf = 0 // already applied
	return db.filterTx(res, v)
}

// filterTx applies the as-of and since bounds on tx.
func (db *DB) filterTx(it Iterator, v view) Iterator {
	if v.asOf == 0 && v.since == 0 {
		return it
	}
	lo, hi := v.since, v.asOf
	if hi == 0 {
		hi = math.MaxInt64
	}
	return &filterIter{it: it, keep: func(d *datom.Datom) bool { return d.Tx > lo && d.Tx <= hi }}
}

// Count estimates how many datoms Datoms(ctx, order, comps...) yields. It
// is exact for the latest view when the prefix has a cheap upper bound and
// an estimate otherwise.
func (db *DB) Count(ctx context.Context, order datom.Order, comps ...datom.Value) int64 {
	b, err := makeBound(order, comps)
	if err != nil || b.empty {
		return 0
	}
	count := func(t *index.Tree) int64 {
		if b.n == 0 {
			return max(t.Count(), 0) // -1 when the root cannot be read
		}
		to, ok := b.upper()
		if !ok {
			return 1
		}
		n, err := t.CountRange(ctx, &b.from, &to)
		if err != nil {
			return 0
		}
		return n
	}
	if order == datom.TEAV {
		return count(db.trees[rootLog])
	}
	n := count(db.tree(order, false))
	if (db.view.history || db.view.asOf != 0) && db.KeepHistory() {
		n += count(db.tree(order, true))
	}
	return n
}

// Entid resolves an entity reference: an entity id, a keyword naming an
// entity through :db/ident, or a lookup ref [attr value]. It returns 0 when
// nothing matches.
func (db *DB) Entid(ctx context.Context, ref datom.Value) (int64, error) {
	switch ref.Kind() {
	case datom.KindLong:
		return ref.AsLong(), nil
	case datom.KindKeyword:
		return db.lookup(ctx, "db/ident", ref)
	case datom.KindTuple:
		t := ref.AsTuple()
		if len(t) != 2 || t[0].Kind() != datom.KindKeyword {
			return 0, fmt.Errorf("%w: lookup ref %s", ErrInvalidArgument, ref)
		}
		attr := t[0].Text()
		if a, ok := db.schema.Attr(attr); !ok || a.Unique == schema.UniqueNone {
			return 0, fmt.Errorf("%w: lookup ref attribute %s is not unique", ErrInvalidArgument, t[0])
		}
		return db.lookup(ctx, attr, t[1])
	}
	return 0, fmt.Errorf("%w: cannot resolve %s to an entity", ErrInvalidArgument, ref)
}

func (db *DB) lookup(ctx context.Context, attr string, v datom.Value) (int64, error) {
	it := db.Datoms(ctx, datom.AVET, datom.Keyword(attr), v)
	if it.Next() {
		return it.Datom().E, nil
	}
	return 0, it.Err()
}

// collect drains an iterator into a slice.
func collect(it Iterator) ([]datom.Datom, error) {
	var out []datom.Datom
	for it.Next() {
		out = append(out, *it.Datom())
	}
	return out, it.Err()
}

// txSnapshot adapts the latest view of a DB to tx.Snapshot.
type txSnapshot struct {
	db  *DB
	ctx context.Context
}

func (s txSnapshot) Schema() *schema.Schema { return s.db.schema }
func (s txSnapshot) MaxEid() int64          { return s.db.maxEid }
func (s txSnapshot) MaxTx() int64           { return s.db.maxTx }
func (s txSnapshot) LastTxInstant() int64   { return s.db.lastInstant }

func (s txSnapshot) Datoms(e int64, a string) ([]datom.Datom, error) {
	if a == "" {
		return collect(s.db.Datoms(s.ctx, datom.EAVT, datom.Long(e)))
	}
	return collect(s.db.Datoms(s.ctx, datom.EAVT, datom.Long(e), datom.Keyword(a)))
}

func (s txSnapshot) ByValue(a string, v datom.Value) ([]datom.Datom, error) {
	return collect(s.db.Datoms(s.ctx, datom.AVET, datom.Keyword(a), v))
}

func (s txSnapshot) ByAttr(a string) ([]datom.Datom, error) {
	return collect(s.db.Datoms(s.ctx, datom.AEVT, datom.Keyword(a)))
}

// TreeDepth returns the number of node levels of the current index of an
// order (the log for TEAV); 0 for an empty index.
func (db *DB) TreeDepth(order datom.Order) int { return db.tree(order, false).Depth() }

// TxAt returns the id of the last transaction whose :db/txInstant is at or
// before t, or 0 when there is none. Only databases in Datahike mode record
// transaction instants.
func (db *DB) TxAt(ctx context.Context, t time.Time) (int64, error) {
	from := datom.Datom{A: "db/txInstant", V: datom.Instant(t), E: math.MaxInt64, Tx: math.MaxInt64}
	it := db.trees[rootAVET].SeekReverse(ctx, &from)
	if it.Next() {
		if d := it.Datom(); d.A == "db/txInstant" {
			return d.E, nil
		}
	}
	return 0, it.Err()
}

// AsOfInstant returns the database as it was at instant t: as of the last
// transaction committed at or before t.
func (db *DB) AsOfInstant(ctx context.Context, t time.Time) (*DB, error) {
	tx, err := db.TxAt(ctx, t)
	if err != nil {
		return nil, err
	}
	if tx == 0 {
		tx = datom.Tx0 // before every transaction: an empty view
	}
	return db.AsOf(tx), nil
}

// SinceInstant returns a view of the datoms added after instant t.
func (db *DB) SinceInstant(ctx context.Context, t time.Time) (*DB, error) {
	tx, err := db.TxAt(ctx, t)
	if err != nil {
		return nil, err
	}
	if tx == 0 {
		tx = datom.Tx0
	}
	return db.Since(tx), nil
}
