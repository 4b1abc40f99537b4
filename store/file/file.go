package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/vfs"
)

// DefaultSegmentSize is the segment size used when Options.SegmentSize is 0.
const DefaultSegmentSize = 64 << 20

const lockName = "LOCK"

// maxKeptBuffer is the largest encoding buffer kept between Writes.
const maxKeptBuffer = 4 << 20

// Options configures Open and OpenReadOnly. The zero value (or nil) means
// defaults. Open never modifies the caller's Options.
type Options struct {
	// FS is the file system; nil means vfs.OS.
	FS vfs.FS
	// SegmentSize is the size at which the writer starts a new segment
	// (a batch larger than this gets a segment of its own); 0 means
	// DefaultSegmentSize.
	SegmentSize int64
	// Logger receives recovery events (a torn tail cut, a checkpoint
	// ignored); nil discards them.
	Logger *slog.Logger
}

// Store is a log-structured, crash-safe store.Store in one directory.
//
// Design: every Write becomes one checksummed batch frame appended to the
// active segment with a single write call and made durable with a single
// fsync; only then is it applied to the in-memory index (key → segment,
// offset, length) and the head map, so readers in this process never see a
// batch that is not durable. Writers are serialized by a one-slot channel
// (so waiting honours the context); the engine batches transactions above
// this (group commit), so a simple queue suffices. Readers take a read lock
// on the index and read value bytes with ReadAt from the segment, verifying
// the record checksum on every Get.
//
// Rejected alternative: one file per key (Datahike's file store) needs one
// fsync per key plus one per directory; a B+-tree file (bbolt) rewrites
// pages for keys that are never updated. Immutable content-addressed entries
// suit an append-only log whose only index lives in memory.
type Store struct {
	dir      string
	fs       vfs.FS
	log      *slog.Logger
	segSize  int64
	readOnly bool

	// wsem serializes Write, Delete, Refresh and Close. The fields below it
	// are owned by its holder.
	wsem       chan struct{}
	lock       io.Closer // writer lock; nil in read-only mode
	active     vfs.File  // writer: the segment being appended to
	activeSeg  uint32
	activeSize int64
	seq        uint64 // sequence number of the last applied batch
	sticky     error  // first write failure; refuses later writes
	enc        batchEncoder
	recs       []record
	pos        position // read-only: where Refresh continues

	// mu guards the index, the open segments and closed. Readers hold it
	// for reading across their ReadAt so Close cannot close a file under
	// them.
	mu     sync.RWMutex
	closed bool
	keys   map[string]loc
	heads  map[string][]byte
	segs   map[uint32]vfs.File

	stats struct {
		fsyncs, batches, bytes atomic.Uint64
	}
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.StatsReporter = (*Store)(nil)
)

// position is a place in the log: a segment and an offset in it. Offset 0
// means the segment's header has not been read yet.
type position struct {
	seg uint32
	off int64
}

func newStore(dir string, opts *Options, readOnly bool) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.FS == nil {
		o.FS = vfs.OS
	}
	if o.SegmentSize < 0 {
		return nil, fmt.Errorf("store/file: Options.SegmentSize %d is negative", o.SegmentSize)
	}
	if o.SegmentSize == 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{
		dir:      filepath.Clean(dir),
		fs:       o.FS,
		log:      o.Logger.With("store", dir),
		segSize:  o.SegmentSize,
		readOnly: readOnly,
		wsem:     make(chan struct{}, 1),
		keys:     make(map[string]loc),
		heads:    make(map[string][]byte),
		segs:     make(map[uint32]vfs.File),
	}, nil
}

// Open opens the store in dir for writing, creating dir if needed. It takes
// the writer lock (another writer, in this process or another, makes Open
// fail with an error wrapping store.ErrLocked), replays the log after the
// checkpoint and cuts a torn or corrupt tail off the last segment.
func Open(ctx context.Context, dir string, opts *Options) (*Store, error) {
	s, err := newStore(dir, opts, false)
	if err != nil {
		return nil, err
	}
	if err := s.fs.MkdirAll(s.dir); err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	if err := s.fs.SyncDir(filepath.Dir(s.dir)); err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	lockPath := filepath.Join(s.dir, lockName)
	s.lock, err = s.fs.Lock(lockPath)
	if errors.Is(err, vfs.ErrLocked) {
		return nil, fmt.Errorf("store/file: %s: %w", lockPath, store.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	if err := s.openWriter(ctx); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens the store in dir for reading. It never writes, never
// takes the writer lock and treats an invalid tail as the end of the log,
// so it can follow a live writer (see Refresh).
func OpenReadOnly(ctx context.Context, dir string, opts *Options) (*Store, error) {
	s, err := newStore(dir, opts, true)
	if err != nil {
		return nil, err
	}
	if _, err := s.fs.ReadDir(s.dir); err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	segs, err := s.listSegments()
	if err != nil {
		return nil, err
	}
	start := s.loadCheckpoint(segs)
	switch {
	case start != 0:
	case len(segs) > 0:
		start = segs[0]
	default:
		start = 1 // wait for the writer to create it
	}
	s.pos = position{seg: start}
	if err := s.openSealed(segs, start); err != nil {
		s.closeFiles()
		return nil, err
	}
	if err := s.catchUp(ctx); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

// listSegments returns the numbers of the segment files, ascending, and
// checks that there is no gap.
func (s *Store) listSegments() ([]uint32, error) {
	names, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	var segs []uint32
	for _, name := range names {
		if n, ok := parseSegName(name); ok {
			segs = append(segs, n)
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i] < segs[j] })
	for i := 1; i < len(segs); i++ {
		if segs[i] != segs[i-1]+1 {
			return nil, fmt.Errorf("store/file: %s: segment %d is missing: %w", s.dir, segs[i-1]+1, store.ErrCorrupt)
		}
	}
	return segs, nil
}

// loadCheckpoint installs the checkpoint if it is usable with segs and
// returns the segment to replay from (0: no checkpoint, replay everything).
func (s *Store) loadCheckpoint(segs []uint32) uint32 {
	c, err := s.readCheckpoint()
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err == nil && (len(segs) == 0 || c.next < segs[0] || c.next > segs[len(segs)-1]) {
		err = fmt.Errorf("checkpoint names segment %d, which does not exist", c.next)
	}
	if err == nil {
		for _, l := range c.keys {
			if l.seg < segs[0] {
				err = fmt.Errorf("checkpoint names segment %d, which does not exist", l.seg)
				break
			}
		}
	}
	if err != nil {
		s.log.Warn("store/file: ignoring checkpoint, replaying the whole log", "err", err)
		return 0
	}
	s.keys, s.heads, s.seq = c.keys, c.heads, c.seq
	return c.next
}

// openSealed opens, for reading, the segments before start, which the
// checkpoint covers.
func (s *Store) openSealed(segs []uint32, start uint32) error {
	for _, n := range segs {
		if n >= start {
			break
		}
		f, err := s.fs.Open(s.segPath(n))
		if err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		s.segs[n] = f
	}
	return nil
}

// openWriter replays the log, cuts the torn tail and opens the active
// segment for appending.
func (s *Store) openWriter(ctx context.Context) error {
	tmp := filepath.Join(s.dir, checkpointTemp)
	if err := s.fs.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store/file: %w", err)
	}
	segs, err := s.listSegments()
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		return s.createSegment(1)
	}
	start := s.loadCheckpoint(segs)
	if start == 0 {
		start = segs[0]
	}
	if err := s.openSealed(segs, start); err != nil {
		return err
	}
	last := segs[len(segs)-1]
	for n := start; n <= last; n++ {
		path := s.segPath(n)
		var f vfs.File
		if n == last {
			f, err = s.fs.OpenAppend(path)
		} else {
			f, err = s.fs.Open(path)
		}
		if err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		s.segs[n] = f
		size, err := f.Size()
		if err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		end, reason, err := s.scan(ctx, f, n, 0, size)
		if err != nil {
			return err
		}
		if reason == "" {
			continue
		}
		if n != last {
			// Only the last segment can have a torn tail: the writer makes
			// a segment's last batch durable before it creates the next.
			return fmt.Errorf("store/file: %s at offset %d: %w: %s", path, end, store.ErrCorrupt, reason)
		}
		s.log.Warn("store/file: cutting invalid tail of the log",
			"segment", path, "offset", end, "bytes", size-end, "reason", reason)
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		if end < segHeaderSize {
			// Torn while the segment was being created: write the header
			// again.
			if err := f.Truncate(0); err != nil {
				return fmt.Errorf("store/file: %w", err)
			}
			if _, err := f.Write(appendSegHeader(nil, n)); err != nil {
				return fmt.Errorf("store/file: %w", err)
			}
			end = segHeaderSize
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		s.stats.fsyncs.Add(1)
	}
	s.active, s.activeSeg = s.segs[last], last
	s.activeSize, err = s.active.Size()
	if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	return nil
}

// createSegment creates segment n, makes it durable and makes it active.
func (s *Store) createSegment(n uint32) error {
	f, err := s.fs.Create(s.segPath(n))
	if err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	hdr := appendSegHeader(nil, n)
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return fmt.Errorf("store/file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store/file: %w", err)
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		f.Close()
		return fmt.Errorf("store/file: %w", err)
	}
	s.stats.fsyncs.Add(2)
	s.stats.bytes.Add(uint64(len(hdr)))
	s.mu.Lock()
	s.segs[n] = f
	s.mu.Unlock()
	s.active, s.activeSeg, s.activeSize = f, n, int64(len(hdr))
	return nil
}

// scan applies the valid batches of segment n from offset start to size
// and returns the offset after the last valid batch. reason is empty when
// the segment is valid up to size; otherwise it says why the data at end is
// not (end is 0 when the segment header itself is missing or invalid). err
// reports I/O errors and a cancelled context, never bad data.
func (s *Store) scan(ctx context.Context, f vfs.File, n uint32, start, size int64) (end int64, reason string, err error) {
	if start == 0 {
		var hdr [segHeaderSize]byte
		if size < segHeaderSize {
			return 0, "torn segment header", nil
		}
		if _, err := f.ReadAt(hdr[:], 0); err != nil {
			if errors.Is(err, io.EOF) { // shrunk under a reader
				return 0, "torn segment header", nil
			}
			return 0, "", fmt.Errorf("store/file: %w", err)
		}
		if err := checkSegHeader(hdr[:], n); err != nil {
			return 0, err.Error(), nil
		}
		start = segHeaderSize
	}
	var hdr [batchHeaderSize]byte
	var body []byte
	for off := start; ; {
		if off >= size {
			return off, "", nil
		}
		if err := ctx.Err(); err != nil {
			return off, "", err
		}
		if size-off < batchHeaderSize {
			return off, "torn batch header", nil
		}
		if _, err := f.ReadAt(hdr[:], off); err != nil {
			if errors.Is(err, io.EOF) { // shrunk under a reader
				return off, "torn batch header", nil
			}
			return off, "", fmt.Errorf("store/file: %w", err)
		}
		h := parseBatchHeader(hdr[:])
		switch {
		case h.length == 0 || h.count == 0 || h.length > MaxBatchLen:
			return off, "invalid batch header", nil
		case int64(h.length) > size-off-batchHeaderSize:
			return off, "torn batch", nil
		case s.seq != 0 && h.seq != s.seq+1:
			return off, fmt.Sprintf("batch sequence %d after %d", h.seq, s.seq), nil
		}
		if cap(body) < int(h.length) {
			body = make([]byte, h.length)
		}
		body = body[:h.length]
		if _, err := f.ReadAt(body, off+batchHeaderSize); err != nil {
			if errors.Is(err, io.EOF) { // shrunk under a reader
				return off, "torn batch", nil
			}
			return off, "", fmt.Errorf("store/file: %w", err)
		}
		if batchCRC(hdr[:], body) != h.crc {
			return off, "batch checksum mismatch", nil
		}
		recs, err := parseRecords(body, h.count, s.recs)
		if err != nil {
			return off, err.Error(), nil
		}
		s.recs = recs
		s.apply(n, off+batchHeaderSize, h.seq, recs)
		off += batchHeaderSize + int64(h.length)
	}
}

// apply installs a durable batch whose body starts at bodyOff in segment n.
func (s *Store) apply(n uint32, bodyOff int64, seq uint64, recs []record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		switch r.typ {
		case recPut:
			if _, ok := s.keys[string(r.key)]; !ok {
				s.keys[string(r.key)] = loc{seg: n, off: bodyOff + int64(r.off), vlen: uint32(len(r.value))}
			}
		case recDelete:
			delete(s.keys, string(r.key))
		case recHead:
			s.heads[string(r.key)] = bytes.Clone(r.value)
			if r.value == nil {
				s.heads[string(r.key)] = []byte{}
			}
		}
	}
	s.seq = seq
}

// acquire takes the writer slot, honouring ctx.
func (s *Store) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		<-s.wsem
		return err
	}
	return nil
}

func (s *Store) release() { <-s.wsem }

// Write appends b as one batch and fsyncs once. Puts of keys that already
// exist are dropped; a batch left with nothing to write returns nil without
// touching the disk. After a failed write or fsync every Write returns an
// error wrapping store.ErrBroken.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	if err := s.checkWritable(); err != nil {
		return err
	}
	if h := b.Head; h != nil {
		cur, ok := s.heads[h.Name]
		if len(h.Old) == 0 && ok || len(h.Old) != 0 && (!ok || !bytes.Equal(cur, h.Old)) {
			return store.ErrHeadConflict
		}
		if len(h.Name) > MaxKeyLen || len(h.New) > MaxValueLen {
			return ErrTooLarge
		}
	}
	s.enc.reset()
	size := batchHeaderSize
	var seen map[string]struct{}
	for _, kv := range b.Puts {
		if len(kv.Key) > MaxKeyLen || len(kv.Value) > MaxValueLen {
			return ErrTooLarge
		}
		if _, ok := s.keys[kv.Key]; ok {
			continue
		}
		if _, ok := seen[kv.Key]; ok {
			continue
		}
		if seen == nil {
			seen = make(map[string]struct{})
		}
		seen[kv.Key] = struct{}{}
		if size += recHeaderSize + len(kv.Key) + len(kv.Value); size > MaxBatchLen {
			return ErrTooLarge
		}
		s.enc.add(recPut, kv.Key, kv.Value)
	}
	if h := b.Head; h != nil {
		s.enc.add(recHead, h.Name, h.New)
	}
	return s.commit()
}

// Delete appends tombstones for the keys that exist, in one batch with one
// fsync. The space is not reclaimed: compaction is not implemented.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	if err := s.checkWritable(); err != nil {
		return err
	}
	s.enc.reset()
	size := batchHeaderSize
	seen := make(map[string]struct{})
	for _, k := range keys {
		if _, ok := s.keys[k]; !ok {
			continue
		}
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		if size += recHeaderSize + len(k); size > MaxBatchLen {
			return ErrTooLarge
		}
		s.enc.add(recDelete, k, nil)
	}
	return s.commit()
}

// checkWritable is called with the writer slot held.
func (s *Store) checkWritable() error {
	switch {
	case s.closed: // only changed with the writer slot held
		return store.ErrClosed
	case s.readOnly:
		return store.ErrReadOnly
	case s.sticky != nil:
		return s.sticky
	}
	return nil
}

// fail makes err sticky.
func (s *Store) fail(err error) error {
	s.sticky = fmt.Errorf("store/file: %w: %w", store.ErrBroken, err)
	s.log.Error("store/file: write failed; refusing further writes", "err", err)
	return s.sticky
}

// commit appends the encoded batch, fsyncs and applies it.
func (s *Store) commit() error {
	if s.enc.n == 0 {
		return nil
	}
	frame := s.enc.finish(s.seq + 1)
	if s.activeSize > segHeaderSize && s.activeSize+int64(len(frame)) > s.segSize {
		if err := s.rollover(); err != nil {
			return s.fail(err)
		}
	}
	if _, err := s.active.Write(frame); err != nil {
		return s.fail(err)
	}
	if err := s.active.Sync(); err != nil {
		return s.fail(err)
	}
	s.stats.fsyncs.Add(1)
	s.stats.batches.Add(1)
	s.stats.bytes.Add(uint64(len(frame)))
	recs, err := parseRecords(frame[batchHeaderSize:], s.enc.n, s.recs)
	if err != nil { // cannot happen: we just encoded it
		return s.fail(err)
	}
	s.recs = recs
	s.apply(s.activeSeg, s.activeSize+batchHeaderSize, s.seq+1, recs)
	s.activeSize += int64(len(frame))
	if cap(s.enc.buf) > maxKeptBuffer { // do not pin one huge batch's buffer
		s.enc.buf = nil
	}
	return nil
}

// rollover starts a new segment and checkpoints the index of the sealed
// ones. Every batch in the old segment is durable already.
func (s *Store) rollover() error {
	if err := s.createSegment(s.activeSeg + 1); err != nil {
		return err
	}
	// The index covers exactly the segments before the new one. Only the
	// writer changes it, and we are the writer: no lock needed to read it.
	c := checkpoint{next: s.activeSeg, seq: s.seq, keys: s.keys, heads: s.heads}
	if err := s.writeCheckpoint(c); err != nil {
		// The checkpoint only speeds up Open; the log is intact.
		s.log.Warn("store/file: writing checkpoint failed", "err", err)
	}
	return nil
}

// Refresh reads the batches a writer appended since the last Refresh (or
// OpenReadOnly) and makes them visible. An incomplete batch at the end of
// the log is left for a later Refresh. On a writable store it does nothing.
func (s *Store) Refresh(ctx context.Context) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	if s.closed {
		return store.ErrClosed
	}
	if !s.readOnly {
		return nil
	}
	return s.catchUp(ctx)
}

// catchUp follows the log from s.pos to its current valid end, moving to
// the next segment when one exists.
func (s *Store) catchUp(ctx context.Context) error {
	for {
		f, err := s.segment(s.pos.seg)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		size, err := f.Size()
		if err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		end, _, err := s.scan(ctx, f, s.pos.seg, s.pos.off, size)
		s.pos.off = end
		if err != nil {
			return err
		}
		if _, err := s.segment(s.pos.seg + 1); errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		// The next segment exists, so this one was complete before it was
		// created: read what was appended since we took its size, and
		// expect to reach its end.
		if size, err = f.Size(); err != nil {
			return fmt.Errorf("store/file: %w", err)
		}
		end, reason, err := s.scan(ctx, f, s.pos.seg, s.pos.off, size)
		s.pos.off = end
		if err != nil {
			return err
		}
		if reason != "" {
			return fmt.Errorf("store/file: %s at offset %d: %w: %s",
				s.segPath(s.pos.seg), end, store.ErrCorrupt, reason)
		}
		s.pos = position{seg: s.pos.seg + 1}
	}
}

// segment returns the open segment n, opening it read-only if needed.
func (s *Store) segment(n uint32) (vfs.File, error) {
	s.mu.RLock()
	f := s.segs[n]
	s.mu.RUnlock()
	if f != nil {
		return f, nil
	}
	f, err := s.fs.Open(s.segPath(n))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("store/file: %w", err)
	}
	s.mu.Lock()
	s.segs[n] = f
	s.mu.Unlock()
	return f, nil
}

// Get returns the value of key, read from its segment and checked against
// its record checksum (a mismatch is an error wrapping store.ErrCorrupt).
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	l, ok := s.keys[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return s.read(key, l)
}

// read reads the record at l; s.mu is held for reading.
func (s *Store) read(key string, l loc) ([]byte, error) {
	f := s.segs[l.seg]
	if f == nil {
		return nil, fmt.Errorf("store/file: %s is not open: %w", s.segPath(l.seg), store.ErrCorrupt)
	}
	buf := make([]byte, recHeaderSize+len(key)+int(l.vlen))
	if _, err := f.ReadAt(buf, l.off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("store/file: %s at offset %d: %w: record past the end", s.segPath(l.seg), l.off, store.ErrCorrupt)
		}
		return nil, fmt.Errorf("store/file: %w", err)
	}
	v, err := checkRecord(buf, key)
	if err != nil {
		return nil, fmt.Errorf("store/file: %s at offset %d: %w: %v", s.segPath(l.seg), l.off, store.ErrCorrupt, err)
	}
	return v, nil
}

func (s *Store) segPath(n uint32) string { return filepath.Join(s.dir, segName(n)) }

// Has reports whether key is present, from the index alone.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false, store.ErrClosed
	}
	_, ok := s.keys[key]
	return ok, nil
}

// Head returns the value of the named head.
func (s *Store) Head(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	v, ok := s.heads[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return bytes.Clone(v), nil
}

// Iterate calls fn for the entries whose key starts with prefix, in
// ascending key order. It works on the set of keys present when it starts;
// fn may call the store. Iterate sorts the matching keys first, so it costs
// O(n log n) in their number: it is meant for maintenance, not queries.
func (s *Store) Iterate(ctx context.Context, prefix string, fn func(key string, value []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	type entry struct {
		key string
		loc loc
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	var ents []entry
	for k, l := range s.keys {
		if strings.HasPrefix(k, prefix) {
			ents = append(ents, entry{k, l})
		}
	}
	s.mu.RUnlock()
	sort.Slice(ents, func(i, j int) bool { return ents[i].key < ents[j].key })
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.RLock()
		var v []byte
		err := store.ErrClosed
		if !s.closed {
			v, err = s.read(e.key, e.loc)
		}
		s.mu.RUnlock()
		if err != nil {
			return err
		}
		if err := fn(e.key, v); err != nil {
			return err
		}
	}
	return nil
}

// Stats returns the store's counters.
func (s *Store) Stats() store.Stats {
	return store.Stats{
		Fsyncs:         s.stats.fsyncs.Load(),
		BatchesWritten: s.stats.batches.Load(),
		BytesWritten:   s.stats.bytes.Load(),
	}
}

// Close waits for a Write in progress, closes the files and releases the
// writer lock. It is idempotent.
func (s *Store) Close() error {
	s.wsem <- struct{}{}
	defer s.release()
	if s.closed {
		return nil
	}
	return s.closeFiles()
}

// closeFiles closes everything; the caller holds the writer slot or owns s.
func (s *Store) closeFiles() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for _, f := range s.segs {
		errs = append(errs, f.Close())
	}
	s.segs, s.keys, s.heads = nil, nil, nil
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
		s.lock = nil
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store/file: close: %w", err)
	}
	return nil
}
