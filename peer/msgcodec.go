package peer

import "github.com/cairn-db/cairn/peer/mpack"

// msgpack codecs of the base layer's bodies (see package mpack): the same
// bytes as vmihailenco/msgpack for the struct tags they carry.

func (h hello) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(2, h.Principal != "", h.Ticks, h.PingMillis != 0))
	b = mpack.AppendInt(mpack.AppendString(b, "protocol"), int64(h.Protocol))
	b = mpack.AppendInt(mpack.AppendString(b, "node_format"), int64(h.NodeFormat))
	if h.Principal != "" {
		b = mpack.AppendString(mpack.AppendString(b, "principal"), h.Principal)
	}
	if h.Ticks {
		b = mpack.AppendBool(mpack.AppendString(b, "ticks"), h.Ticks)
	}
	if h.PingMillis != 0 {
		b = mpack.AppendInt64(mpack.AppendString(b, "ping_ms"), h.PingMillis)
	}
	return b
}

func (h *hello) DecodeMP(r *mpack.Reader) error {
	*h = hello{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "protocol":
			h.Protocol, err = r.Int()
		case "node_format":
			h.NodeFormat, err = r.Int()
		case "principal":
			h.Principal, err = r.String()
		case "ticks":
			h.Ticks, err = r.Bool()
		case "ping_ms":
			h.PingMillis, err = r.Int64()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (a authBody) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, 1)
	return mpack.AppendString(mpack.AppendString(b, "token"), a.Token)
}

func (a *authBody) DecodeMP(r *mpack.Reader) error {
	*a = authBody{}
	return r.Field("token", func(r *mpack.Reader) (err error) {
		a.Token, err = r.String()
		return err
	})
}

// AppendMP implements mpack.Appender.
func (e RemoteError) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(2, e.Type != ""))
	b = mpack.AppendString(mpack.AppendString(b, "code"), e.Code)
	b = mpack.AppendString(mpack.AppendString(b, "message"), e.Message)
	if e.Type != "" {
		b = mpack.AppendString(mpack.AppendString(b, "type"), e.Type)
	}
	return b
}

// DecodeMP implements mpack.Decoder.
func (e *RemoteError) DecodeMP(r *mpack.Reader) error {
	*e = RemoteError{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "code":
			e.Code, err = r.String()
		case "message":
			e.Message, err = r.String()
		case "type":
			e.Type, err = r.String()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}
