package peer

import "context"

// cmp0 returns def when v is the zero value.
func cmp0[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// readHandshake reads one handshake frame.
func readHandshake(ctx context.Context, t transport) (Msg, error) {
	binary, p, err := t.read(ctx)
	if err != nil {
		return Msg{}, err
	}
	if !binary {
		return Msg{}, &CloseError{Code: CloseInvalidPayload, Reason: "binary frames only", Err: ErrProtocol}
	}
	m, err := DecodeFrame(p)
	if err != nil {
		return Msg{}, &CloseError{Code: CloseInvalidPayload, Reason: err.Error(), Err: err}
	}
	return m, nil
}

func mustMsg(typ string, body any) Msg {
	m, err := NewMsg(typ, body)
	if err != nil {
		panic(err) // only for fixed internal bodies
	}
	return m
}
