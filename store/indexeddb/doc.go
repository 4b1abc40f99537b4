// Package indexeddb is a store.Store on the browser's IndexedDB, for the
// engine compiled with GOOS=js GOARCH=wasm. On every other platform the
// package holds only its options and errors.
//
// # Layout
//
// One IndexedDB database per store (its name is the caller's), version 1,
// with one object store named "kv" and out-of-line binary keys. A key's
// first byte says what it is; the rest is the Go key or head name, byte for
// byte (IndexedDB orders binary keys bytewise, like Go strings, so Iterate
// is a key range):
//
//	key (Uint8Array)                 value (Uint8Array)
//	+-----+-------------------+      +------------------------+
//	| 'n' | entry key bytes   |  ->  | immutable entry bytes  |
//	+-----+-------------------+      +------------------------+
//	| 'h' | head name bytes   |  ->  | head value bytes       |
//	+-----+-------------------+      +------------------------+
//
// Other first bytes are reserved. One object store (not one for entries and
// one for heads) keeps a batch's puts and its head in one transaction scope
// with nothing to coordinate; binary keys (not strings) because Go keys are
// arbitrary bytes and a JS string would mangle invalid UTF-8.
//
// # Transactions and durability
//
// A Write is one readwrite transaction, requested with durability "strict"
// (Options.RelaxedDurability turns that off), and it counts as written only
// when the transaction fires complete; a request's success means nothing
// until then. Puts use add, so an existing key keeps its first value (its
// ConstraintError is handled and does not abort the transaction). The head
// update is done inside the same transaction: the head is read, compared
// with Old and, when Options.HeadGuard is set, checked by the guard; on a
// mismatch the transaction is aborted, so no put of the batch is stored.
//
// Several tabs of one origin open the same database. Compare-and-swap alone
// does not keep the head from going back: a tab that is behind the others
// reads the current head, then stores over it an older commit it has just
// received, and its compare-and-swap succeeds. HeadGuard closes that hole:
// the engine passes a guard that accepts a new head only of the same
// incarnation and a higher basis-t, so the head never regresses whatever
// order tabs write in.
//
// Reads (Get, Has, Head) are one readonly transaction each and return at
// their request's success, one event-loop round trip before the
// transaction's complete. Iterate reads pages of entries (getAllKeys and
// getAll over a key range in one readonly transaction) and calls fn between
// transactions: an IndexedDB transaction cannot stay open while Go code
// blocks, and fn may call the store. A page is a consistent snapshot; the
// whole iteration is not.
//
// # Callbacks and blocking
//
// Every IndexedDB callback is a js.Func that only does non-blocking work
// (reads a result, issues the next request, sends on a buffered channel); the
// calling goroutine blocks on that channel, which under Go's wasm runtime
// yields to the browser's event loop. Every js.Func is released when its
// transaction has settled. Methods must therefore not be called from the
// goroutine of a JS callback (an exported wasm function must start a new
// goroutine first). When a context is cancelled the transaction is aborted;
// a Write whose transaction completed anyway reports success.
//
// The connection is closed when another connection asks for a version change
// (a newer version, or deleteDatabase); the store then fails every call with
// ErrVersionChange, which wraps store.ErrClosed.
//
// Delete removes entries in one readwrite transaction. The engine does not
// delete nodes in the browser in wave 1.
package indexeddb
