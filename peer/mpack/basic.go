package mpack

// AppendBasic appends v when it is an Appender, a Raw, nil, a bool, an
// int, int64, uint or uint64, a string, a []byte, a []string or a struct{},
// written as vmihailenco/msgpack writes them; ok is false for any other
// type (and b is returned unchanged).
func AppendBasic(b []byte, v any) (_ []byte, ok bool) {
	switch v := v.(type) {
	case nil:
		return AppendNil(b), true
	case Appender:
		return v.AppendMP(b), true
	case bool:
		return AppendBool(b, v), true
	case int:
		return AppendInt(b, int64(v)), true
	case int64:
		return AppendInt64(b, v), true
	case uint:
		return AppendUint(b, uint64(v)), true
	case uint64:
		return AppendUint64(b, v), true
	case string:
		return AppendString(b, v), true
	case []byte:
		return AppendBytes(b, v), true
	case []string:
		return AppendStrings(b, v), true
	case struct{}:
		return AppendMapHeader(b, 0), true
	}
	return b, false
}

// DecodeBasic decodes body, which must hold exactly one value, into v when
// v is a Decoder or a pointer to a bool, int, int64, uint64, string,
// []byte or []string; handled is false for any other type (and nothing is
// read).
func DecodeBasic(body []byte, v any) (handled bool, err error) {
	r := NewReader(body)
	switch v := v.(type) {
	case Decoder:
		err = v.DecodeMP(r)
	case *bool:
		*v, err = r.Bool()
	case *int:
		*v, err = r.Int()
	case *int64:
		*v, err = r.Int64()
	case *uint64:
		*v, err = r.Uint64()
	case *string:
		*v, err = r.String()
	case *[]byte:
		*v, err = r.Bytes()
	case *[]string:
		*v, err = r.Strings()
	default:
		return false, nil
	}
	if err == nil {
		err = r.End()
	}
	return true, err
}
