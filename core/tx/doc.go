// Package tx is Cairn's transaction processor: a pure function from a read
// snapshot of the database and tx-data to what the transaction does
// (Process → Result). It does not touch indices; the caller applies the
// Result.
//
// # Semantics
//
// DataScript 1.8.1 decides (the conformance corpus pins it down), with
// Datahike's additions in ModeDatahike:
//
//   - tx-data elements are processed in order, each to completion: entity
//     maps expand into :db/add operations in the map's key order (tuple
//     attributes last), nested maps under a ref attribute become entities
//     that refer back, reverse attributes (:_friend, :ns/_name) assert the
//     forward ref, and a collection under a cardinality-many or reverse
//     attribute is several values (a two-element vector starting with an
//     identity attribute is a lookup ref). Under a cardinality-one
//     attribute a vector is one tuple value.
//   - New entity ids are allocated from MaxEid+1 in the order processing
//     first needs them; in [:db/add e a v] with a ref a, a tempid in v is
//     allocated before one in e. An explicit id above MaxEid raises the
//     counter. Tempids are strings and negative integers; "datomic.tx",
//     "datascript.tx", ":db/current-tx" and :db/current-tx name the
//     transaction entity.
//   - Upserts: an entity map's :db.unique/identity values (including
//     composite identity tuples whose sources are all in the map) resolve
//     it to an existing entity; values resolving to two entities, or to
//     one other than an explicit :db/id, are ErrUpsertConflict. A tempid
//     that was given a new id and later upserts restarts the transaction
//     with the tempid bound (DataScript's retry); a tempid upserting to two
//     different entities is ErrTempidConflict.
//   - Uniqueness is checked on every assertion against the state so far
//     (so a value can move between entities within one transaction).
//     Re-asserting an existing datom is a no-op and not in TxData. A
//     cardinality-one assertion retracts the old value; the last of several
//     assertions in one transaction wins.
//   - :db/retract with a value, [:db/retract e a] and
//     :db.fn/retractAttribute (all values; components cascade),
//     :db/retractEntity / :db.fn/retractEntity (the entity's datoms, the
//     refs pointing at it, and its components recursively), :db/cas and
//     :db.fn/cas (nil expected value = absent; on cardinality many the
//     expected value must be one of the current ones and the new value is
//     added). Retractions of nothing, or through a lookup ref that resolves
//     to nothing, are no-ops.
//   - Composite tuples (:db/tupleAttrs) are maintained after each
//     top-level element; asserting one directly is an error unless it
//     matches the sources.
//   - A tempid used only as a ref value is ErrUnusedTempid.
//   - Value checking: in ModeDatahike, and in ModeDataScript under
//     :schema-flexibility :write, values must match the attribute's type
//     (a long widens to double, bigint and bigdec) and, under :write, an
//     attribute must be defined. ModeDataScript under :read checks nothing
//     but refs (as DataScript, whose schema only knows refs and tuples).
//
// Deviations from DataScript, on purpose: a keyword :db/id resolves
// through :db/ident (DataScript rejects it); :db.fn/call and installed
// transaction functions are not supported; Result.Tempids does not list
// explicit positive ids; a retry seeds all tempids but only a tempid that
// already upserted once counts as a conflict (DataScript also refuses a
// second tempid that needs a retry).
//
// # Datahike mode
//
// Every transaction gets [tx :db/txInstant t], t = max(now,
// LastTxInstant+1) in ms, unless it asserts its own, which must be later
// than the previous one (ErrTxInstant). Entities that gain or change
// schema attributes (:db/valueType, :db/cardinality, :db/unique, ...) next
// to a :db/ident define attributes; the new schema (Result.Schema) applies
// from the next transaction and is validated by the change rules of
// schema.Schema.Evolve (adding :db/unique first checks the values for
// duplicates with Snapshot.ByAttr). Renaming or removing an attribute is
// ErrSchemaViolation.
//
// # Applying a Result
//
// Remove Result.Retracts from EAVT, AEVT and AVET (they carry their
// original tx), then insert Result.Adds (tx = TxID). The temporal indices
// and the transaction log receive TxData: every assertion and retraction
// with tx = TxID; leave out datoms of :db/noHistory attributes from the
// temporal indices if history is kept. Keep Result.MaxEid, TxID (max-tx),
// TxInstant (last instant) and Result.Schema in the commit.
//
// # Performance
//
// The processor keeps an overlay of the transaction's own effects keyed by
// (entity, attribute) and, for unique and ref attributes, by (attribute,
// value), filled lazily from the snapshot. Each operation costs O(1) map
// operations and at most a few snapshot reads, so one transaction of n
// operations is O(n); entities above the snapshot's MaxEid are never read.
package tx
