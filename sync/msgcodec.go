package sync

import "github.com/cairn-db/cairn/peer/mpack"

// msgpack codecs of the sync messages (messages.go), without reflection
// (package peer/mpack): each type writes exactly the bytes
// vmihailenco/msgpack writes for its struct tags (fields in declaration
// order, omitempty fields left out when zero, int compact, int64 and
// uint64 as 9 bytes), and reads what it reads; msgcodec_test.go checks
// both directions for every type. A new field needs a line in AppendMP
// (and in the field count when it is omitempty), a case in DecodeMP and a
// value in the test's samples.

func appendKey(b []byte, k string) []byte { return mpack.AppendString(b, k) }

func (s Subscribe) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(4, s.StepAcks != 0))
	b = mpack.AppendString(appendKey(b, "db"), s.DB)
	b = mpack.AppendBytes(appendKey(b, "inc"), s.Incarnation)
	b = mpack.AppendBytes(appendKey(b, "commit"), s.Commit)
	b = mpack.AppendInt64(appendKey(b, "t"), s.BasisT)
	if s.StepAcks != 0 {
		b = mpack.AppendInt(appendKey(b, "step_acks"), int64(s.StepAcks))
	}
	return b
}

func (s *Subscribe) DecodeMP(r *mpack.Reader) error {
	*s = Subscribe{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			s.DB, err = r.String()
		case "inc":
			s.Incarnation, err = r.Bytes()
		case "commit":
			s.Commit, err = r.Bytes()
		case "t":
			s.BasisT, err = r.Int64()
		case "step_acks":
			s.StepAcks, err = r.Int()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (u Unsubscribe) AppendMP(b []byte) []byte {
	return mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 1), "db"), u.DB)
}

func (u *Unsubscribe) DecodeMP(r *mpack.Reader) error {
	*u = Unsubscribe{}
	return r.Field("db", func(r *mpack.Reader) (err error) {
		u.DB, err = r.String()
		return err
	})
}

// AppendMP writes a Nodes message. Optional (omitempty) fields are counted
// in the Fields call and written after the required ones, in declaration
// order.
func (n Nodes) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(4,
		len(n.Head) != 0,
		n.StepNodes != 0,
		n.StepBytes != 0,
	))
	b = mpack.AppendString(appendKey(b, "db"), n.DB)
	b = mpack.AppendUint64(appendKey(b, "seq"), n.Seq)
	b = mpack.AppendBytesList(appendKey(b, "keys"), n.Keys)
	b = mpack.AppendBytesList(appendKey(b, "values"), n.Values)
	if len(n.Head) != 0 {
		b = mpack.AppendBytes(appendKey(b, "head"), n.Head)
	}
	if n.StepNodes != 0 {
		b = mpack.AppendInt(appendKey(b, "step_nodes"), int64(n.StepNodes))
	}
	if n.StepBytes != 0 {
		b = mpack.AppendInt64(appendKey(b, "step_bytes"), n.StepBytes)
	}
	return b
}

// DecodeMP reads a Nodes message without copying: keys, values and head
// are views of the body. Every live commit reaches every subscriber as one
// such message, and a received frame is its message's alone (the
// replica's store copies what it keeps).
func (n *Nodes) DecodeMP(r *mpack.Reader) error {
	*n = Nodes{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			n.DB, err = r.String()
		case "seq":
			n.Seq, err = r.Uint64()
		case "keys":
			n.Keys, err = r.BytesListView()
		case "values":
			n.Values, err = r.BytesListView()
		case "head":
			n.Head, err = r.BytesView()
		case "step_nodes":
			n.StepNodes, err = r.Int()
		case "step_bytes":
			n.StepBytes, err = r.Int64()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (a Ack) AppendMP(b []byte) []byte {
	b = mpack.AppendString(appendKey(mpack.AppendMapHeader(b, mpack.Fields(2, a.Steps != 0)), "db"), a.DB)
	b = mpack.AppendUint64(appendKey(b, "seq"), a.Seq)
	if a.Steps != 0 {
		b = mpack.AppendInt(appendKey(b, "steps"), int64(a.Steps))
	}
	return b
}

func (a *Ack) DecodeMP(r *mpack.Reader) error {
	*a = Ack{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			a.DB, err = r.String()
		case "seq":
			a.Seq, err = r.Uint64()
		case "steps":
			a.Steps, err = r.Int()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (h Head) AppendMP(b []byte) []byte {
	b = mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 4), "db"), h.DB)
	b = mpack.AppendBytes(appendKey(b, "head"), h.Head)
	b = mpack.AppendInt(appendKey(b, "nodes"), int64(h.Nodes))
	return mpack.AppendInt64(appendKey(b, "bytes"), h.Bytes)
}

func (h *Head) DecodeMP(r *mpack.Reader) error {
	*h = Head{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			h.DB, err = r.String()
		case "head":
			h.Head, err = r.Bytes()
		case "nodes":
			h.Nodes, err = r.Int()
		case "bytes":
			h.Bytes, err = r.Int64()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (x Reset) AppendMP(b []byte) []byte {
	b = mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 2), "db"), x.DB)
	return mpack.AppendString(appendKey(b, "reason"), x.Reason)
}

func (x *Reset) DecodeMP(r *mpack.Reader) error {
	*x = Reset{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			x.DB, err = r.String()
		case "reason":
			x.Reason, err = r.String()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (d Deleted) AppendMP(b []byte) []byte {
	return mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 1), "db"), d.DB)
}

func (d *Deleted) DecodeMP(r *mpack.Reader) error {
	*d = Deleted{}
	return r.Field("db", func(r *mpack.Reader) (err error) {
		d.DB, err = r.String()
		return err
	})
}

func (e Error) AppendMP(b []byte) []byte {
	b = mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 3), "db"), e.DB)
	b = mpack.AppendString(appendKey(b, "code"), e.Code)
	return mpack.AppendString(appendKey(b, "message"), e.Message)
}

func (e *Error) DecodeMP(r *mpack.Reader) error {
	*e = Error{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			e.DB, err = r.String()
		case "code":
			e.Code, err = r.String()
		case "message":
			e.Message, err = r.String()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

// appendKeyed writes the shape Offer and Lack share: db, seq, keys.
func appendKeyed(b []byte, db string, seq uint64, keys [][]byte) []byte {
	b = mpack.AppendString(appendKey(mpack.AppendMapHeader(b, 3), "db"), db)
	b = mpack.AppendUint64(appendKey(b, "seq"), seq)
	return mpack.AppendBytesList(appendKey(b, "keys"), keys)
}

func decodeKeyed(r *mpack.Reader, db *string, seq *uint64, keys *[][]byte) error {
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			*db, err = r.String()
		case "seq":
			*seq, err = r.Uint64()
		case "keys":
			*keys, err = r.BytesList()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (o Offer) AppendMP(b []byte) []byte { return appendKeyed(b, o.DB, o.Seq, o.Keys) }

func (o *Offer) DecodeMP(r *mpack.Reader) error {
	*o = Offer{}
	return decodeKeyed(r, &o.DB, &o.Seq, &o.Keys)
}

func (l Lack) AppendMP(b []byte) []byte { return appendKeyed(b, l.DB, l.Seq, l.Keys) }

func (l *Lack) DecodeMP(r *mpack.Reader) error {
	*l = Lack{}
	return decodeKeyed(r, &l.DB, &l.Seq, &l.Keys)
}
