//go:build js

package peer

import "fmt"

// The js/wasm build links no msgpack library: every body is an mpack
// Appender/Decoder or a basic value (see Marshal and Msg.Decode).

func marshalOther(v any) ([]byte, error) {
	return nil, fmt.Errorf("peer: %T has no msgpack encoding in this build (implement mpack.Appender)", v)
}

func unmarshalOther(_ []byte, v any) error {
	return fmt.Errorf("peer: %T has no msgpack decoding in this build (implement mpack.Decoder)", v)
}
