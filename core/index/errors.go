package index

import "errors"

var (
	// ErrCorrupt is returned when encoded node bytes are malformed (bad
	// version, type, length, varint, datom or trailing bytes), or when a
	// decoded node is inconsistent with the tree that references it (unsorted
	// entries, wrong level, a subtree count or first datom that differs from
	// its parent's entry).
	ErrCorrupt = errors.New("index: corrupt node")

	// ErrHashMismatch is returned when the bytes a Loader returns do not hash
	// to the key they were requested under. Such errors also match ErrCorrupt.
	ErrHashMismatch = errors.New("index: node hash mismatch")

	// ErrNoLoader is returned when a tree must read a node that is neither in
	// memory nor in its Cache and its Options have no Loader.
	ErrNoLoader = errors.New("index: node not in memory and no loader")

	// ErrInvalidDatom is returned by With when an added datom cannot be
	// stored in a node that the decoder would accept again (an attribute
	// longer than 4096 bytes, a value beyond the datom package's decoding
	// limits, or a big number whose text the decoder rejects).
	ErrInvalidDatom = errors.New("index: datom cannot be stored")
)
