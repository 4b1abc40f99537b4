package store

// Stats counts the work a store has done since it was opened. Benchmarks use
// it to report fsyncs per transaction and bytes written per commit.
type Stats struct {
	// Fsyncs is the number of completed file and directory fsyncs.
	Fsyncs uint64
	// BatchesWritten is the number of Write and Delete calls that stored
	// something (a batch whose puts all existed already and that has no head
	// update writes nothing and is not counted).
	BatchesWritten uint64
	// BytesWritten is the number of bytes appended to the store's log or
	// data files, framing included.
	BytesWritten uint64
}

// StatsReporter is the optional capability of a store that counts its work.
// Find it with a type assertion:
//
//	if r, ok := s.(store.StatsReporter); ok { st := r.Stats() }
type StatsReporter interface {
	// Stats returns a snapshot of the store's counters.
	Stats() Stats
}
