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

func dialWS(ctx context.Context, url string, o *DialOptions, alive *atomic.Int64) (*websocket.Conn, error) {
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
	return ws, err
}
