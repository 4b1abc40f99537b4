package tx

import (
	"errors"
	"maps"
	"time"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/schema"
)

// Snapshot is the read view of the database before the transaction.
//
// Process assumes, and never asks about, the following: an entity id e
// with MaxEid() < e < datom.Tx0, or a transaction id above MaxTx(), has no
// datoms.
type Snapshot interface {
	Schema() *schema.Schema
	// Datoms returns the current datoms of entity e (EAVT order); only
	// attribute a when a != "".
	Datoms(e int64, a string) ([]datom.Datom, error)
	// ByValue returns the current datoms with attribute a and value v
	// (AVET order).
	ByValue(a string, v datom.Value) ([]datom.Datom, error)
	// ByAttr returns all current datoms of attribute a (AEVT order). Only
	// used when a schema change adds :db/unique.
	ByAttr(a string) ([]datom.Datom, error)
	// MaxEid is the largest user entity id so far (0 in an empty db).
	MaxEid() int64
	// MaxTx is the last transaction id (datom.Tx0 in an empty db).
	MaxTx() int64
	// LastTxInstant is the ms of the previous :db/txInstant (0 if none).
	LastTxInstant() int64
}

// Mode selects Datahike or DataScript behaviour.
type Mode uint8

const (
	// ModeDatahike (the default) asserts a :db/txInstant datom on every
	// transaction entity and reads the schema from transacted datoms.
	ModeDatahike Mode = iota
	// ModeDataScript writes no transaction-entity datoms unless the user
	// writes tx metadata; the schema is fixed at creation.
	ModeDataScript
)

// Options configures Process. The zero value is Datahike mode with the
// system clock.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Mode is ModeDatahike (default) or ModeDataScript.
	Mode Mode
}

// Result is what a transaction does. Process never applies it; the caller
// does (see the package doc).
type Result struct {
	// TxID is the transaction's id: MaxTx()+1.
	TxID int64
	// TxInstant is the transaction's time in ms: max(now, LastTxInstant+1)
	// or the explicit :db/txInstant the transaction asserts on itself.
	TxInstant int64
	// TxData is every datom asserted or retracted, in processing order,
	// with Tx = TxID (Added=false for retractions). Re-assertions of
	// existing datoms are not in it.
	TxData []datom.Datom
	// Adds are the datoms to insert into the current indices (Tx = TxID).
	Adds []datom.Datom
	// Retracts are the current datoms, with their original Tx, to remove
	// from the current indices. Remove them before inserting Adds: a datom
	// retracted and re-asserted in one transaction is in both.
	Retracts []datom.Datom
	// Tempids maps each tempid (string, or negative int64, as given) to
	// its entity id, plus the key "db/current-tx" to TxID.
	Tempids map[any]int64
	// MaxEid is the largest user entity id after the transaction.
	MaxEid int64
	// Schema is the schema after the transaction: the snapshot's pointer
	// when unchanged.
	Schema *schema.Schema
}

// Process runs tx-data against a snapshot and returns what the
// transaction does, or an error (an *Error) that names the offending
// operation; a failed transaction has no effect. txData holds the elements
// of a transaction as the edn package reads them: entity maps (*edn.Map),
// operation vectors (edn.Vector, edn.List or []any) and nils (skipped).
func Process(snap Snapshot, txData []any, opts Options) (*Result, error) {
	if snap == nil || snap.Schema() == nil {
		return nil, &Error{Kind: ErrInvalidTxData, Msg: "nil snapshot or schema"}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var seed map[any]int64
	upserted := map[any]int64{}
	for {
		p := newProc(snap, opts, seed, txData)
		res, err := p.run(txData)
		var r *retry
		if !errors.As(err, &r) {
			return res, err
		}
		if prev, ok := upserted[r.tempid]; ok {
			return nil, newErr(ErrTempidConflict, nil, "tempid %s resolves both to %d and %d",
				show(r.tempid), prev, r.eid)
		}
		upserted[r.tempid] = r.eid
		seed = maps.Clone(r.tempids)
		seed[r.tempid] = r.eid
	}
}
