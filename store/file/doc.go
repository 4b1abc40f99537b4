// Package file is Cairn's embedded store: a crash-safe, log-structured
// store.Store in one directory, with one fsync per Write.
//
// # Layout
//
//	DIR/
//	  LOCK            writer lock (flock); empty
//	  00000001.seg    segments: append-only logs of batches
//	  00000002.seg    ...the highest-numbered one is active
//	  CHECKPOINT      key index as of the start of some segment (optional)
//	  CHECKPOINT.tmp  a checkpoint being written; removed by the next writer
//
// # Segment format
//
// All integers are little-endian; every checksum is CRC-32C (Castagnoli).
//
//	segment:
//	+----------------+-------------+-------------+-----+
//	| segment header | batch frame | batch frame | ... |
//	+----------------+-------------+-------------+-----+
//
//	segment header (16 bytes):
//	+------------+-------------+----------------+
//	| "CAIRNSEG" | version u32 | segment no u32 |
//	+------------+-------------+----------------+
//
//	batch frame (one per Write or Delete):
//	+-----------+------------+-----------+---------+----------+-----+----------+
//	| crc u32   | length u32 | count u32 | seq u64 | record 1 | ... | record n |
//	+-----------+------------+-----------+---------+----------+-----+----------+
//	  crc covers length, count, seq and the records (length bytes);
//	  count = n ≥ 1; seq is 1 more than the previous frame's, across segments.
//
//	record:
//	+---------+---------+------------+------------+-----+-------+
//	| crc u32 | type u8 | keylen u32 | vallen u32 | key | value |
//	+---------+---------+------------+------------+-----+-------+
//	  crc covers type..value, so Get verifies one value without its batch.
//	  type 1 put (key, value), 2 delete (key, no value), 3 head (name, value).
//
// A Write's frame holds its new puts, then its head record. Puts of keys
// that exist already are left out (an immutable key never changes), and a
// Write with nothing left writes nothing.
//
// # Commit
//
// Write encodes the whole frame, appends it with one write call, fsyncs the
// segment once and only then applies it to the in-memory index and head map:
// a batch is visible to this process's readers only once it is durable. If
// the write or the fsync fails, the store's error becomes sticky (wrapping
// store.ErrBroken): that Write and every later one fail, nothing is retried
// (after a failed fsync the kernel may have dropped the dirty pages, and a
// retry could report success for data that is gone). Reopening recovers.
//
// A new segment is started, before appending, when the frame would take the
// active segment past Options.SegmentSize: create it, write its header,
// fsync it, fsync the directory. Every frame of the old segment is durable
// before that, so only the last segment can ever have a torn tail.
//
// # Checkpoint
//
// After each rollover the writer saves the index (every key's segment,
// offset and length, and every head) as of the start of the new segment:
// CHECKPOINT.tmp is written and fsynced, renamed over CHECKPOINT, and the
// directory fsynced. Open loads it and replays only the segments from that
// one on. The checkpoint is an optimisation: when it is missing, fails its
// checksum or names a segment that does not exist, Open logs that and
// replays every segment. It never covers the active segment, so the tail
// that may be torn is always checked frame by frame.
//
//	CHECKPOINT:
//	"CAIRNCKP" | version u32 | next segment u32 | seq u64 | heads u32 | keys u64
//	heads × (namelen u32 | name | vallen u32 | value)
//	keys  × (keylen u32 | key | segment u32 | record offset u64 | vallen u32)
//	crc u32 (of everything before it)
//
// # Recovery rules
//
// Replay reads frames in order and stops at the first frame that is short,
// has a bad length, count, sequence number or checksum, or holds a record
// that does not decode. Everything from there on is the invalid tail.
//
//   - In the last segment, a writer (Open) truncates the invalid tail and
//     fsyncs, logging the offset and the number of bytes cut; a torn
//     segment header is rewritten. A batch is thereby kept whole or dropped
//     whole, and the store holds a prefix of the acknowledged batches.
//   - OpenReadOnly never writes: it treats the invalid tail as the end of
//     the log, and Refresh reads on from there when a live writer appends.
//   - An invalid frame in any other segment is not a crash artefact but
//     damage: Open fails with store.ErrCorrupt instead of dropping the
//     batches after it. So does a missing segment number.
//   - Get re-checks the record checksum and returns store.ErrCorrupt on a
//     mismatch (damage inside a segment the checkpoint covers is only found
//     this way).
//
// # Concurrency
//
// One writer process, enforced by an exclusive flock on LOCK: a second Open
// of the directory, in this process or another, fails with store.ErrLocked.
// Readers in other processes use OpenReadOnly, which takes no lock, and
// call Refresh to follow the writer. In-process, Write, Delete and Refresh
// are serialized; Get, Has, Head and Iterate run concurrently with them
// under a read lock and pread values from the segments.
//
// # Not done here
//
// Delete appends tombstones; space is never reclaimed (no compaction: the
// engine deletes rarely, and compaction would need a second, rewritten
// segment format). There is no value cache beyond the OS page cache, and
// the index is kept entirely in memory (about 100 bytes per key). One file
// handle stays open per segment. A reader in another process may see a
// batch whose Write then failed at fsync; the writer's Write still reports
// the failure.
package file
