// Package index implements Cairn's indices: persistent, copy-on-write
// B+-trees of datoms whose nodes are immutable and stored under the SHA-256
// of their canonical encoding.
//
// A Tree is a value. With applies a batch of additions and removals and
// returns a new tree that shares every untouched node with the old one;
// Flush encodes the new (dirty) nodes and returns them, children before
// parents, for the caller to store. Open starts from a stored root key and
// reads nodes lazily through a Loader, verifying each node's bytes against
// its key and keeping decoded nodes in a byte-bounded Cache. Children, Walk
// and Diff let sync walk stored trees and find the nodes one tree has and
// another lacks.
//
// # Ordering
//
// A tree is ordered by a comparator (datom.Comparator): the current EAVT,
// AEVT and AVET indices compare e, a, v only, the temporal ones add tx and
// added, the log orders by tx first. Datoms that compare equal are one
// entry: adding an equal datom replaces it.
//
// # Node format
//
// Every node starts with a format-version byte and a type byte. Integers
// are varints (encoding/binary); "zz" marks a zig-zag varint. All varints
// are minimal, and the decoder rejects any other form.
//
//	leaf:    +----+----+-------+------------------------------+
//	         | 01 | 00 | n     | n datoms (delta sequence)    |
//	         +----+----+-------+------------------------------+
//
//	branch:  +----+----+-------+-------+----------------------------+------------------------+
//	         | 01 | 01 | level | n     | n × (key[32] | count)      | n first datoms (delta  |
//	         |    |    | >= 1  |       | child key, subtree datoms  | sequence): separators  |
//	         +----+----+-------+-------+----------------------------+------------------------+
//
//	datom in a delta sequence, against the previous datom (zero datom first):
//	         +-------+--------+--------------------+---------+--------+
//	         | flags | zz Δe  | len | attribute    | value   | zz Δtx |
//	         +-------+--------+--------------------+---------+--------+
//	flags: bit 0 same e (Δe omitted), bit 1 same attribute (omitted),
//	       bit 2 same tx (Δtx omitted), bit 3 added; other bits zero.
//	A field is omitted exactly when it equals the previous datom's, so a
//	delta is never zero and an attribute never repeats the previous one.
//	The value is datom.AppendValue's encoding.
//
// A branch entry's separator is the first datom of the child's subtree; a
// datom d belongs to the last child whose separator is <= d. Entry counts,
// lengths and levels are bounded and checked against the remaining bytes
// before anything is allocated; malformed bytes give ErrCorrupt, never a
// panic. A node read from a Loader must hash to its key (ErrHashMismatch),
// its entries must be strictly ordered under the tree's comparator, and its
// level, count and first datom must match its parent's entry (ErrCorrupt).
//
// # Invariants
//
//   - Immutability: a node never changes once built, whether dirty or clean;
//     any number of goroutines may read any Tree. Flush builds clean copies
//     of dirty branches instead of filling in keys in place.
//   - Content addressing: a node's key is the SHA-256 of its bytes, and the
//     encoding is canonical (no maps, minimal varints, no optional forms), so
//     equal contents give equal keys and equal root keys mean equal trees.
//   - Children first: Flush returns nodes after all their children, and
//     Diff returns keys in that order, so a store that writes them in order
//     never holds a node whose subtree is missing.
//   - Determinism: the same With calls from the same starting root give
//     byte-identical nodes, whether or not Flush is called in between. Nodes
//     split by encoded size: a node larger than Options.NodeSize is cut into
//     nodes of about 75% of it (bulk builds too, leaving room for inserts);
//     a changed node smaller than a quarter of it, or a branch with one
//     child, is merged with a neighbour; a root with one child is removed.
//     All leaves are at the same depth.
//
// # What it does not do
//
// The package does not store anything (Flush hands the nodes to the caller),
// know what a datom means, keep history across roots, or collect garbage.
// It does not pin flushed nodes: a flushed tree reads nodes the Cache has
// dropped through the Loader, so the nodes must be stored first. Iterators
// are not safe for concurrent use (the trees they read are). Decoding does
// not check values for the datom package's canonical form beyond what
// datom.DecodeValue checks; the hash check makes that irrelevant for nodes
// read by key.
package index
