package wire

import "github.com/cairn-db/cairn/peer/mpack"

// msgpack codecs of the call arguments and results (package peer/mpack):
// the same bytes as vmihailenco/msgpack for the struct tags above, checked
// by msgcodec_test.go.

func (a CreateArgs) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(1, a.KeepHistory != nil, a.SchemaFlexibility != "", a.Schema != ""))
	b = mpack.AppendString(mpack.AppendString(b, "name"), a.Name)
	if a.KeepHistory != nil {
		b = mpack.AppendBool(mpack.AppendString(b, "keep-history"), *a.KeepHistory)
	}
	if a.SchemaFlexibility != "" {
		b = mpack.AppendString(mpack.AppendString(b, "schema-flexibility"), a.SchemaFlexibility)
	}
	if a.Schema != "" {
		b = mpack.AppendString(mpack.AppendString(b, "schema"), a.Schema)
	}
	return b
}

func (a *CreateArgs) DecodeMP(r *mpack.Reader) error {
	*a = CreateArgs{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "name":
			a.Name, err = r.String()
		case "keep-history":
			if r.IsNil() {
				a.KeepHistory = nil
				return r.Nil()
			}
			var v bool
			v, err = r.Bool()
			a.KeepHistory = &v
		case "schema-flexibility":
			a.SchemaFlexibility, err = r.String()
		case "schema":
			a.Schema, err = r.String()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (a NameArgs) AppendMP(b []byte) []byte {
	return mpack.AppendString(mpack.AppendString(mpack.AppendMapHeader(b, 1), "name"), a.Name)
}

func (a *NameArgs) DecodeMP(r *mpack.Reader) error {
	*a = NameArgs{}
	return r.Field("name", func(r *mpack.Reader) (err error) {
		a.Name, err = r.String()
		return err
	})
}

func (a TransactArgs) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(2, a.Key != ""))
	b = mpack.AppendString(mpack.AppendString(b, "db"), a.DB)
	b = mpack.AppendString(mpack.AppendString(b, "tx-data"), a.TxData)
	if a.Key != "" {
		b = mpack.AppendString(mpack.AppendString(b, "key"), a.Key)
	}
	return b
}

func (a *TransactArgs) DecodeMP(r *mpack.Reader) error {
	*a = TransactArgs{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "db":
			a.DB, err = r.String()
		case "tx-data":
			a.TxData, err = r.String()
		case "key":
			a.Key, err = r.String()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

// AppendMP writes the tempids with sorted keys (vmihailenco/msgpack writes
// them in the map's random order; both decode the same).
func (t TransactResult) AppendMP(b []byte) []byte {
	b = mpack.AppendInt64(mpack.AppendString(mpack.AppendMapHeader(b, 3), "tx"), t.TxID)
	b = mpack.AppendStringInt64Map(mpack.AppendString(b, "tempids"), t.Tempids)
	return mpack.AppendBool(mpack.AppendString(b, "replayed"), t.Replayed)
}

func (t *TransactResult) DecodeMP(r *mpack.Reader) error {
	*t = TransactResult{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "tx":
			t.TxID, err = r.Int64()
		case "tempids":
			t.Tempids, err = r.StringInt64Map()
		case "replayed":
			t.Replayed, err = r.Bool()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}
