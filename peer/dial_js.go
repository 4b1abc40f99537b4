//go:build js && wasm

package peer

import (
	"context"
	"sync/atomic"
)

const (
	// headersSupported: browsers cannot set the Authorization header, so the
	// token goes in a first TypeAuth message.
	headersSupported = false
	// pingsVisible: browsers answer pings without telling the page, so the
	// client asks the server for peer/tick heartbeats instead.
	pingsVisible = false
)

// NativeDialOptions is empty in GOOS=js builds: the browser's WebSocket
// makes the upgrade request itself (see DialOptions).
type NativeDialOptions struct{}

// dialTransport opens a browser WebSocket. DialOptions.Compression is
// ignored: the browser negotiates permessage-deflate on its own. alive is
// unused: browsers never show pings to the page, the server's peer/tick
// heartbeats keep the read deadline fed instead.
func dialTransport(ctx context.Context, url string, o *DialOptions, _ *atomic.Int64) (transport, error) {
	return dialBrowser(ctx, url, o.FrameLimit)
}
