// Package client is the Go peer library: it connects to a Cairn sync
// server, manages databases there, and keeps a local replica of each
// database it opens — in memory or in a directory, so a restarted process
// resumes from its basis-t — that it queries with no round trip.
//
//	c, _ := client.Dial(ctx, "ws://127.0.0.1:4444/ws", &client.Options{Token: token})
//	db, _ := c.Open(ctx, "people", nil)            // nil: an in-memory replica
//	res, _ := db.Transact(ctx, `[{:name "Ivan"}]`)  // returns once the replica has it
//	v, _ := db.DB().Q(ctx, `[:find ?n :where [?e :name ?n]]`)
//
// Decisions:
//   - The connection is kept alive by a reconnecting peer client (capped,
//     jittered backoff); every reconnect stacks rpc and sync again and
//     resubscribes each open database from what its replica has.
//   - Transact is a remote call with an idempotency key: after a
//     disconnect it is retried with the same key until ctx ends, so it is
//     applied once; if ctx ends first the outcome is unknown
//     (ErrOutcomeUnknown). It returns only when the local replica has
//     applied a head at or after the transaction (read-your-writes).
//   - Listen delivers every synced transaction in order, replayed from the
//     transaction log even when the replica jumped several commits.
package client
