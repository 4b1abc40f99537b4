package rpc

import "github.com/cairn-db/cairn/peer/mpack"

// msgpack codecs of the rpc layer's bodies (see package mpack): the same
// bytes as vmihailenco/msgpack for the struct tags they carry.

func (c callBody) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(3, c.TimeoutMicros != 0))
	b = mpack.AppendUint64(mpack.AppendString(b, "id"), c.ID)
	b = mpack.AppendString(mpack.AppendString(b, "fn"), c.Fn)
	b = c.Args.AppendMP(mpack.AppendString(b, "args"))
	if c.TimeoutMicros != 0 {
		b = mpack.AppendInt64(mpack.AppendString(b, "timeout_us"), c.TimeoutMicros)
	}
	return b
}

func (c *callBody) DecodeMP(r *mpack.Reader) error {
	*c = callBody{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "id":
			c.ID, err = r.Uint64()
		case "fn":
			c.Fn, err = r.String()
		case "args":
			err = c.Args.DecodeMP(r)
		case "timeout_us":
			c.TimeoutMicros, err = r.Int64()
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (x resultBody) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, mpack.Fields(1, len(x.Result) != 0, x.Error != nil))
	b = mpack.AppendUint64(mpack.AppendString(b, "id"), x.ID)
	if len(x.Result) != 0 {
		b = x.Result.AppendMP(mpack.AppendString(b, "result"))
	}
	if x.Error != nil {
		b = x.Error.AppendMP(mpack.AppendString(b, "error"))
	}
	return b
}

func (x *resultBody) DecodeMP(r *mpack.Reader) error {
	*x = resultBody{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
		case "id":
			x.ID, err = r.Uint64()
		case "result":
			err = x.Result.DecodeMP(r)
		case "error":
			if r.IsNil() {
				x.Error = nil
				return r.Nil()
			}
			x.Error = new(Error)
			err = x.Error.DecodeMP(r)
		default:
			err = mpack.ErrUnknownField
		}
		return err
	})
}

func (c cancelBody) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, 1)
	return mpack.AppendUint64(mpack.AppendString(b, "id"), c.ID)
}

func (c *cancelBody) DecodeMP(r *mpack.Reader) error {
	*c = cancelBody{}
	return r.Field("id", func(r *mpack.Reader) (err error) {
		c.ID, err = r.Uint64()
		return err
	})
}

// AppendMP implements mpack.Appender.
func (e Error) AppendMP(b []byte) []byte {
	b = mpack.AppendMapHeader(b, 2)
	b = mpack.AppendString(mpack.AppendString(b, "code"), e.Code)
	return mpack.AppendString(mpack.AppendString(b, "message"), e.Message)
}

// DecodeMP implements mpack.Decoder.
func (e *Error) DecodeMP(r *mpack.Reader) error {
	*e = Error{}
	return r.Struct(func(r *mpack.Reader, key string) (err error) {
		switch key {
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
