//go:build js

package peer

import (
	"context"
	"sync/atomic"

	"github.com/coder/websocket"
)

const (
	// headersSupported: browsers cannot set the Authorization header, so the
	// token goes in a first TypeAuth message.
	headersSupported = false
	// pingsVisible: browsers answer pings without telling the page, so the
	// client asks the server for peer/tick heartbeats instead.
	pingsVisible = false
)

func dialWS(ctx context.Context, url string, _ *DialOptions, _ *atomic.Int64) (*websocket.Conn, error) {
	ws, _, err := websocket.Dial(ctx, url, nil)
	return ws, err
}
