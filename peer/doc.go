// Package peer connects Cairn peers over WebSockets: one binary WebSocket
// message is one msgpack frame, every connection starts with a token check
// and a hello, and a connection is a stack of middleware layers that each
// handle their own message types and pass the rest on (the Kabel model).
//
// # Frame format
//
// Every WebSocket message is a binary frame holding exactly one msgpack
// value, a two-element array:
//
//	+------+----------------+------------------+---------------------------+
//	| 0x92 | 0xa0|len(type) | type (1..64 B)   | body (one msgpack value)  |
//	+------+----------------+------------------+---------------------------+
//	 fixarray  fixstr header   printable ASCII    owned by the layer named
//	 of 2                      e.g. "rpc/call"    by the type's prefix
//
//	whole frame ≤ FrameLimit (default 4 MiB), enforced as the WebSocket
//	read limit on both sides and checked before every Send.
//
// DecodeFrame checks a body structurally before anyone decodes it: every
// length prefix must fit in the bytes that remain, nesting is at most
// MaxDepth, and nothing may follow the value. A frame that fails closes the
// connection with 1007 and the reason; it never panics and never allocates
// by a length prefix. Text frames close with 1003, frames over the limit
// with 1009.
//
// Bodies are encoded without reflection: every message type of peer, rpc,
// sync and wire implements mpack.Appender and mpack.Decoder (package
// peer/mpack, the files msgcodec.go), writing the bytes
// vmihailenco/msgpack writes for their struct tags, which their tests
// check. Natively, NewMsg and Msg.Decode fall back to vmihailenco/msgpack
// for other types; the js/wasm build links no msgpack library.
//
// # Handshake
//
//	client                                      server
//	  | HTTP upgrade [Authorization: token S]      |  origin check (403)
//	  | ["peer/auth", {token}]  (browsers only)    |  token check: else close
//	  | ["peer/hello", {protocol, node_format}] -> |  1008 "unauthorized: …"
//	  | <- ["peer/hello", {protocol, node_format,  |
//	  |      principal, ping_ms}]                  |  versions differ: close
//	  |                                            |  4001 "upgrade required"
//
// Both sides compare versions; a mismatch is an *UpgradeError
// (ErrUpgradeRequired), a refused token ErrUnauthorized. Neither is retried
// by Client. A server without a token must be put in DevMode explicitly.
//
// # Middleware stack
//
//	      Send ↓                                   ↑ Recv (unhandled types)
//	+--------------------------------------------------------------------+
//	| top: RejectUnknown — answers leftovers with "peer/error"            |
//	+--------------------------------------------------------------------+
//	| sync  (sync/*)   — subscriptions, node batches           peer.Layer |
//	+--------------------------------------------------------------------+
//	| rpc   (rpc/*)    — calls, results, cancels            rpc.Endpoint |
//	+--------------------------------------------------------------------+
//	| serialization: base Conn (peer/*) — frames, handshake, pings,       |
//	|   read limit, one reader goroutine, serialized writes               |
//	+--------------------------------------------------------------------+
//	| WebSocket: coder/websocket natively; in GOOS=js builds a syscall/js |
//	|   binding to the browser's WebSocket (no net/http in the wasm)      |
//	+--------------------------------------------------------------------+
//
// A layer is a Conn wrapping a Conn (Middleware). NewLayer supplies the
// usual shape: one goroutine receives from below and offers each message to
// the layer's handler; what it declines is queued for the layer's Recv.
// Sends go straight down. Received messages that nobody takes apply
// backpressure down to the socket, so the top of every stack must keep
// receiving — RejectUnknown does, and tells the sender about types no layer
// handles instead of dropping them silently.
//
// # Liveness and reconnect
//
// The server pings every PingInterval and closes a peer whose pong does not
// come within PingTimeout (browsers answer pings natively but cannot send
// them). The client closes the connection when nothing — message or ping —
// arrived for ReadTimeout, 90 s by default because background tabs run
// timers about once a minute. Client redials with capped, jittered
// exponential backoff and runs OnConnect again for each new connection, which
// is where upper layers re-subscribe.
//
// What this package does not decide: what a principal may do (rpc's
// Authorize, the server functions), or what the node format is (the store's
// codec owns the number; both sides pass it in options).
package peer
