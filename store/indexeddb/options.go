package indexeddb

// Options configures Open. A nil *Options means the defaults.
type Options struct {
	// HeadGuard, when not nil, is asked inside the head's readwrite
	// transaction whether a head that passed the compare-and-swap may be
	// replaced: old is the stored head, new the proposed one. Returning
	// false makes Write fail with ErrHeadRejected and store nothing. It is
	// not called when the head does not exist yet. It runs inside a
	// JavaScript callback, so it must be fast and must never block. old and
	// new are copies it may keep. A panic in the guard rejects the head.
	HeadGuard func(old, new []byte) bool
	// RelaxedDurability asks IndexedDB for durability "relaxed": complete
	// may fire before the data reaches the disk. Faster; a crash of the
	// browser may lose the last batches. The default is "strict".
	RelaxedDurability bool
}
