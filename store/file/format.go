package file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// The on-disk format is described in doc.go.

const (
	segMagic        = "CAIRNSEG"
	segVersion      = 1
	segHeaderSize   = 16 // magic[8] version[4] segment number[4]
	batchHeaderSize = 20 // crc[4] length[4] count[4] seq[8]
	recHeaderSize   = 13 // crc[4] type[1] key length[4] value length[4]

	recPut    = 1
	recDelete = 2
	recHead   = 3

	// MaxKeyLen is the longest key or head name a store accepts.
	MaxKeyLen = 1 << 16
	// MaxValueLen is the longest value or head value a store accepts.
	MaxValueLen = 256 << 20
	// MaxBatchLen bounds the encoded size of one batch.
	MaxBatchLen = 1 << 30

	segSuffix = ".seg"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var le = binary.LittleEndian

// segName returns the file name of segment n.
func segName(n uint32) string { return fmt.Sprintf("%08d%s", n, segSuffix) }

// parseSegName returns the number of a segment file name.
func parseSegName(name string) (uint32, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint32(n), true
}

func appendSegHeader(buf []byte, n uint32) []byte {
	buf = append(buf, segMagic...)
	buf = le.AppendUint32(buf, segVersion)
	return le.AppendUint32(buf, n)
}

func checkSegHeader(h []byte, n uint32) error {
	switch {
	case len(h) < segHeaderSize:
		return errors.New("short segment header")
	case string(h[:8]) != segMagic:
		return errors.New("bad segment magic")
	case le.Uint32(h[8:]) != segVersion:
		return fmt.Errorf("unknown segment version %d", le.Uint32(h[8:]))
	case le.Uint32(h[12:]) != n:
		return fmt.Errorf("segment header names segment %d", le.Uint32(h[12:]))
	}
	return nil
}

// batchEncoder builds one batch frame: a header followed by its records.
type batchEncoder struct {
	buf  []byte
	n    uint32
	recs []int // offset of each record in buf
}

func (e *batchEncoder) reset() {
	e.buf = append(e.buf[:0], make([]byte, batchHeaderSize)...)
	e.n = 0
	e.recs = e.recs[:0]
}

func (e *batchEncoder) add(typ byte, key string, value []byte) {
	start := len(e.buf)
	e.recs = append(e.recs, start)
	e.buf = append(e.buf, 0, 0, 0, 0, typ)
	e.buf = le.AppendUint32(e.buf, uint32(len(key)))
	e.buf = le.AppendUint32(e.buf, uint32(len(value)))
	e.buf = append(e.buf, key...)
	e.buf = append(e.buf, value...)
	le.PutUint32(e.buf[start:], crc32.Checksum(e.buf[start+4:], castagnoli))
	e.n++
}

// finish fills in the header and returns the frame.
func (e *batchEncoder) finish(seq uint64) []byte {
	le.PutUint32(e.buf[4:], uint32(len(e.buf)-batchHeaderSize))
	le.PutUint32(e.buf[8:], e.n)
	le.PutUint64(e.buf[12:], seq)
	le.PutUint32(e.buf[0:], crc32.Checksum(e.buf[4:], castagnoli))
	return e.buf
}

// batchHeader is a decoded batch header.
type batchHeader struct {
	crc    uint32
	length uint32
	count  uint32
	seq    uint64
}

func parseBatchHeader(h []byte) batchHeader {
	return batchHeader{
		crc:    le.Uint32(h[0:]),
		length: le.Uint32(h[4:]),
		count:  le.Uint32(h[8:]),
		seq:    le.Uint64(h[12:]),
	}
}

// batchCRC is the checksum of a batch: header fields after the CRC, then the
// body.
func batchCRC(header, body []byte) uint32 {
	c := crc32.Update(0, castagnoli, header[4:batchHeaderSize])
	return crc32.Update(c, castagnoli, body)
}

// record is one decoded record. key and value alias the batch body.
type record struct {
	typ   byte
	key   []byte
	value []byte
	off   int // offset of the record in the body
}

// parseRecords decodes count records that must fill body exactly.
func parseRecords(body []byte, count uint32, recs []record) ([]record, error) {
	recs = recs[:0]
	off := 0
	for i := uint32(0); i < count; i++ {
		b := body[off:]
		if len(b) < recHeaderSize {
			return nil, errors.New("truncated record header")
		}
		typ := b[4]
		klen, vlen := le.Uint32(b[5:]), le.Uint32(b[9:])
		if klen > MaxKeyLen || vlen > MaxValueLen || uint64(klen)+uint64(vlen) > uint64(len(b)-recHeaderSize) {
			return nil, errors.New("record length out of range")
		}
		n := recHeaderSize + int(klen) + int(vlen)
		if crc32.Checksum(b[4:n], castagnoli) != le.Uint32(b) {
			return nil, errors.New("record checksum mismatch")
		}
		switch typ {
		case recPut, recHead:
		case recDelete:
			if vlen != 0 {
				return nil, errors.New("delete record with a value")
			}
		default:
			return nil, fmt.Errorf("unknown record type %d", typ)
		}
		k := b[recHeaderSize : recHeaderSize+int(klen)]
		recs = append(recs, record{typ: typ, key: k, value: b[recHeaderSize+int(klen) : n], off: off})
		off += n
	}
	if off != len(body) {
		return nil, errors.New("batch length does not match its records")
	}
	return recs, nil
}

// loc is where a put record lives.
type loc struct {
	seg  uint32
	vlen uint32
	off  int64 // offset of the record header in the segment
}

// checkRecord verifies a put record read back for key and returns its value.
func checkRecord(buf []byte, key string) ([]byte, error) {
	if len(buf) < recHeaderSize {
		return nil, errors.New("short record")
	}
	klen, vlen := le.Uint32(buf[5:]), le.Uint32(buf[9:])
	switch {
	case buf[4] != recPut:
		return nil, errors.New("not a put record")
	case int(klen) != len(key) || recHeaderSize+int(klen)+int(vlen) != len(buf):
		return nil, errors.New("record lengths do not match the index")
	case crc32.Checksum(buf[4:], castagnoli) != le.Uint32(buf):
		return nil, errors.New("record checksum mismatch")
	case string(buf[recHeaderSize:recHeaderSize+int(klen)]) != key:
		return nil, errors.New("record key does not match the index")
	}
	return buf[recHeaderSize+int(klen):], nil
}
