//go:build !js

package peer

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	// headersSupported: the native client sends the token in a header.
	headersSupported = true
	// pingsVisible: the native client sees server pings, so it needs no
	// application-level heartbeat for its read deadline.
	pingsVisible = true
)

// NativeDialOptions holds the DialOptions fields of native builds (see
// DialOptions; GOOS=js builds have an empty NativeDialOptions).
type NativeDialOptions struct {
	// HTTPClient is used for the upgrade request; default
	// http.DefaultClient.
	HTTPClient *http.Client
}

func dialTransport(ctx context.Context, url string, o *DialOptions, alive *atomic.Int64) (transport, error) {
	h := http.Header{}
	if o.Token != "" && !o.TokenInMessage {
		h.Set("Authorization", "token "+o.Token)
	}
	mode := websocket.CompressionDisabled
	if o.Compression {
		mode = websocket.CompressionContextTakeover
	}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      o.HTTPClient,
		HTTPHeader:      h,
		CompressionMode: mode,
		OnPingReceived: func(context.Context, []byte) bool {
			alive.Store(time.Now().UnixNano())
			return true
		},
	})
	if err != nil {
		return nil, err
	}
	return newWSTransport(ws, int64(o.FrameLimit)), nil
}
