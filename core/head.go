package core

import (
	"context"

	"github.com/cairn-db/cairn/core/datom"
)

// Head describes a branch head: the commit it names and what a replica
// needs to order heads without reading the commit.
type Head struct {
	Commit      string
	Incarnation [16]byte
	BasisT      int64
}

// DecodeHead decodes a branch head record as stored under a head name.
func DecodeHead(b []byte) (Head, error) {
	h, err := decodeHead(b)
	if err != nil {
		return Head{}, err
	}
	return Head{Commit: h.commit, Incarnation: h.incarnation, BasisT: h.basisT}, nil
}

// EncodeHead encodes a head record.
func EncodeHead(h Head) []byte {
	r := headRecord{commit: h.Commit, incarnation: h.Incarnation, basisT: h.BasisT}
	return r.encode()
}

// Head returns the head record naming db's commit. It is only meaningful
// for committed values (CommitID() != "").
func (db *DB) Head() Head {
	return Head{Commit: db.commit, Incarnation: db.incarnation, BasisT: db.maxTx}
}

// TxLog calls fn for every transaction after basis-t `after` up to and
// including the db's basis-t, in order, with the datoms it asserted and
// retracted, read from the content-addressed transaction log. Replicas use
// it to replay the transactions between two heads.
func (db *DB) TxLog(ctx context.Context, after int64, fn func(tx int64, datoms []datom.Datom) error) error {
	it := db.trees[rootLog].Seek(ctx, &datom.Datom{Tx: after + 1, E: -1 << 63})
	var cur int64
	var batch []datom.Datom
	for it.Next() {
		d := *it.Datom()
		if d.Tx > db.maxTx {
			break
		}
		if d.Tx != cur && len(batch) > 0 {
			if err := fn(cur, batch); err != nil {
				return err
			}
			batch = nil
		}
		cur = d.Tx
		batch = append(batch, d)
	}
	if err := it.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return fn(cur, batch)
	}
	return nil
}
