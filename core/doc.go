// Package core is Cairn's engine facade: databases as values over
// persistent, content-addressed B+-tree indices, and connections that
// transact into them with group commit.
//
// # Model
//
// A database value (DB) is a commit: the roots of seven indices — EAVT,
// AEVT and AVET over the current datoms, the same three orders over
// retracted history (with keep-history), and the transaction log ordered by
// tx — plus the schema node and counters (max-eid, max-tx, last
// :db/txInstant), the database's incarnation id and a parent commit. The
// commit is stored under the SHA-256 of its bytes; the branch head ("db") is
// the only mutable key and is written last, by compare-and-swap, in the same
// store batch as the nodes and the commit. A crash at any point leaves only
// unreachable orphans.
//
// # Decisions
//
//   - Ids follow Datahike: user entities from 1, transactions from
//     datom.Tx0+1 (536870913).
//   - Two modes, one engine: ModeDatahike (default) transacts the schema as
//     entities and writes :db/txInstant on every transaction entity;
//     ModeDataScript keeps a schema map in the schema node and writes no
//     transaction-entity datoms (the conformance runner uses it).
//   - Group commit: the writer goroutine drains the queue, applies each
//     transaction to its own in-memory DB value, and writes the last one
//     durably once. Each report has its own db-before and db-after; only the
//     last db-after of a group has a commit id of its own.
//   - Temporal indices hold, for every retracted datom, the original
//     assertion and the retraction (tx, added=false). History merges them
//     with the current indices; AsOf resolves each e,a,v to its last
//     operation at or before t; Since keeps datoms added after t.
//   - :db/noHistory attributes leave nothing in the temporal indices.
//   - A failed durable write is sticky: the connection refuses further
//     transactions rather than retrying.
//
// Not here: query (core/query), pull (core/pull), sync (sync/).
package core
