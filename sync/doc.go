// Package sync implements Cairn's differential sync protocol: the server
// side that streams a database's new nodes, commit and head to subscribers,
// and the client side (Replica) that verifies and stores them and exposes a
// new database value only when it is complete.
//
// # Protocol (DESIGN.md §4)
//
//	client                                   server
//	  | -- subscribe{db, incarnation, commit, basis-t} --> |
//	  |                                       | diff(client commit, head)
//	  | <-- nodes{seq 1, keys, values} ------ |  children first, <= 1 MiB,
//	  | -- ack{seq 1} ----------------------> |  at most Window batches unacked
//	  | <-- nodes{seq 2, ..., commit last} -- |
//	  | <-- head{head record} --------------- |  right behind its nodes (the connection
//	  |                                       |  is ordered); client CASes its head, swaps db
//	  |            ... every later commit: nodes..., head ...   (live; a small
//	  |                                       |  step is one nodes message carrying its head)
//	  | -- ack{steps: 8} -------------------> |  every 8th step processed; the sender
//	  |                                       |  stays at most MaxLag (16) steps ahead
//	  | <-- offer{seq, keys} ---------------- |  commit unknown (pruned): top-down,
//	  | -- lack{seq, keys it lacks} --------> |  level by level, then nodes + head
//	  | <-- reset{reason} ------------------- |  incarnation differs / client ahead
//	  | <-- deleted{} ----------------------- |  database deleted
//
// Decisions:
//   - The server owns the truth; clients never publish into the server's
//     store. A subscriber's sender always diffs its last sent commit against
//     the newest head, so a slow subscriber is coalesced to one diff instead
//     of buffering every commit; its Listen still sees every transaction,
//     replayed from the content-addressed transaction log. A subscriber is
//     slow when it has not acknowledged MaxLag steps (it acknowledges every
//     Subscribe.StepAcks-th), not only when the connection's buffers are
//     full: those hold hundreds of small commits.
//   - Diffs are computed once per (from, to) pair and shared by subscribers
//     (a small LRU), so a commit with many subscribers costs one diff.
//   - The client checks that every node hashes to its key before storing
//     it; a forged or corrupt node never enters a replica. Each nodes
//     message is written as one atomic store batch; since nodes arrive
//     children-first, the replica store keeps the closure invariant (a
//     present node implies its whole subtree) at every moment, so a cut
//     connection leaves only a resumable prefix.
//   - A head is accepted only when its commit is stored, its incarnation
//     matches (or the replica is empty) and its basis-t is higher than the
//     replica's: never by wall-clock comparison.
//   - When the server does not know the client's commit (pruned) and the
//     client is behind, the two sides find what it lacks top-down (offer /
//     lack, one round per tree level): a key the client has stands for its
//     subtree, so the transfer stays proportional to the change. When the
//     client is at or beyond the server's basis-t (a server restored to an
//     older state) the server answers reset and the client syncs from
//     nothing (its stored nodes are kept: content-addressed nodes are never
//     wrong, only unreferenced).
//
// The package has no transport of its own: the server side sends messages
// through an Outbox, and the client side is fed the messages it receives.
// package server and package client wire it to rpc/peer. Nor does it know
// the engine: it is handed an Engine (load a commit, diff two commits, the
// head record's format) and sees database values as Value;
// internal/coresync makes both from package core.
package sync
