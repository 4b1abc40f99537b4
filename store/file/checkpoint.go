package file

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
)

const (
	checkpointName  = "CHECKPOINT"
	checkpointTemp  = "CHECKPOINT.tmp"
	checkpointMagic = "CAIRNCKP"
	checkpointVer   = 1
	// checkpointFixed is the size of the fixed part: magic, version,
	// next segment, seq, head count, key count.
	checkpointFixed = 8 + 4 + 4 + 8 + 4 + 8
)

// checkpoint is the state of the store at the start of segment next: every
// batch up to seq applied.
type checkpoint struct {
	next  uint32
	seq   uint64
	keys  map[string]loc
	heads map[string][]byte
}

// writeCheckpoint writes c atomically: temp file, fsync, rename, directory
// fsync. A crash leaves the old checkpoint, the new one, or a stray temp
// file that the next writer open removes.
func (s *Store) writeCheckpoint(c checkpoint) (err error) {
	tmp := filepath.Join(s.dir, checkpointTemp)
	f, err := s.fs.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			s.fs.Remove(tmp)
		}
	}()
	h := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(f, 64<<10)
	w := io.MultiWriter(bw, h)
	var scratch [32]byte
	b := append(scratch[:0], checkpointMagic...)
	b = le.AppendUint32(b, checkpointVer)
	b = le.AppendUint32(b, c.next)
	b = le.AppendUint64(b, c.seq)
	b = le.AppendUint32(b, uint32(len(c.heads)))
	b = le.AppendUint64(b, uint64(len(c.keys)))
	w.Write(b)
	for name, v := range c.heads {
		w.Write(le.AppendUint32(scratch[:0], uint32(len(name))))
		io.WriteString(w, name)
		w.Write(le.AppendUint32(scratch[:0], uint32(len(v))))
		w.Write(v)
	}
	for k, l := range c.keys {
		w.Write(le.AppendUint32(scratch[:0], uint32(len(k))))
		io.WriteString(w, k)
		b := le.AppendUint32(scratch[:0], l.seg)
		b = le.AppendUint64(b, uint64(l.off))
		b = le.AppendUint32(b, l.vlen)
		w.Write(b)
	}
	bw.Write(le.AppendUint32(scratch[:0], h.Sum32()))
	if err := bw.Flush(); err != nil { // bufio keeps the first write error
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	s.stats.fsyncs.Add(1)
	if err := f.Close(); err != nil {
		return err
	}
	if err := s.fs.Rename(tmp, filepath.Join(s.dir, checkpointName)); err != nil {
		return err
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		return err
	}
	s.stats.fsyncs.Add(1)
	return nil
}

// maxCheckpointSize bounds what readCheckpoint loads into memory.
const maxCheckpointSize = 16 << 30

// readCheckpoint loads the checkpoint. Any problem is an error; the caller
// falls back to a full replay.
func (s *Store) readCheckpoint() (checkpoint, error) {
	f, err := s.fs.Open(filepath.Join(s.dir, checkpointName))
	if err != nil {
		return checkpoint{}, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return checkpoint{}, err
	}
	if size < checkpointFixed+4 || size > maxCheckpointSize {
		return checkpoint{}, fmt.Errorf("checkpoint size %d out of range", size)
	}
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return checkpoint{}, err
	}
	return decodeCheckpoint(buf)
}

func decodeCheckpoint(buf []byte) (checkpoint, error) {
	var c checkpoint
	if len(buf) < checkpointFixed+4 {
		return c, errors.New("short checkpoint")
	}
	body := buf[:len(buf)-4]
	if crc32.Checksum(body, castagnoli) != le.Uint32(buf[len(buf)-4:]) {
		return c, errors.New("checkpoint checksum mismatch")
	}
	if string(body[:8]) != checkpointMagic || le.Uint32(body[8:]) != checkpointVer {
		return c, errors.New("bad checkpoint magic or version")
	}
	c.next = le.Uint32(body[12:])
	c.seq = le.Uint64(body[16:])
	nheads := uint64(le.Uint32(body[24:]))
	nkeys := le.Uint64(body[28:])
	p := body[checkpointFixed:]
	// Every head takes at least 8 bytes and every key 20: bound the counts
	// before allocating.
	if nheads > uint64(len(p))/8 || nkeys > uint64(len(p))/20 {
		return c, errors.New("checkpoint counts out of range")
	}
	next := func(n int) ([]byte, bool) {
		if n < 0 || n > len(p) {
			return nil, false
		}
		b := p[:n]
		p = p[n:]
		return b, true
	}
	lenPrefixed := func(max uint32) ([]byte, bool) {
		b, ok := next(4)
		if !ok || le.Uint32(b) > max {
			return nil, false
		}
		return next(int(le.Uint32(b)))
	}
	c.heads = make(map[string][]byte, nheads)
	for range nheads {
		name, ok := lenPrefixed(MaxKeyLen)
		if !ok {
			return c, errors.New("truncated checkpoint head")
		}
		v, ok := lenPrefixed(MaxValueLen)
		if !ok {
			return c, errors.New("truncated checkpoint head")
		}
		c.heads[string(name)] = append([]byte{}, v...)
	}
	c.keys = make(map[string]loc, nkeys)
	for range nkeys {
		k, ok := lenPrefixed(MaxKeyLen)
		if !ok {
			return c, errors.New("truncated checkpoint key")
		}
		b, ok := next(16)
		if !ok {
			return c, errors.New("truncated checkpoint key")
		}
		l := loc{seg: le.Uint32(b), off: int64(le.Uint64(b[4:])), vlen: le.Uint32(b[12:])}
		if l.seg >= c.next || l.off < segHeaderSize || l.vlen > MaxValueLen {
			return c, errors.New("checkpoint location out of range")
		}
		c.keys[string(k)] = l
	}
	if len(p) != 0 {
		return c, errors.New("trailing bytes in checkpoint")
	}
	return c, nil
}
