//go:build !js

package peer

import (
	"bytes"

	"github.com/vmihailenco/msgpack/v5"
)

// Natively, bodies that are neither mpack Appenders/Decoders nor basic
// values (ad-hoc test bodies, maps, []any, …) go through
// vmihailenco/msgpack. The js/wasm build has no such fallback
// (msgpack_js.go), which keeps the library out of web/cairn.wasm.

func marshalOther(v any) ([]byte, error) {
	return msgpack.Marshal(v)
}

func unmarshalOther(body []byte, v any) error {
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(body))
	return dec.Decode(v)
}
