//go:build js && wasm

package peer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"
)

// jsTransport is the GOOS=js transport: a thin syscall/js binding to the
// browser's WebSocket (binaryType "arraybuffer").
//
// The browser calls onmessage/onclose/onerror on the event loop; those
// callbacks never block. onmessage copies the frame into a Go []byte and
// hands it to a buffered channel; onclose records the close error and
// closes a channel. read takes from those channels.
//
// Backpressure. A browser WebSocket cannot be paused: it reads whatever
// the server sends, whether or not the page keeps up. Received frames
// therefore queue in this transport, up to recvQueueLen frames and
// recvBudget(readLimit) bytes (16 frames of the read limit, at least 64
// MiB). A page that falls that far behind is closed (code 1011, "receive
// buffer full", a local *CloseError) rather than buffered without bound;
// the Client then reconnects and resyncs, which the server answers with a
// diff instead of the backlog. In practice the sync protocol's
// acknowledged batch window keeps the queue short. On the send side,
// WebSocket.send never blocks either; write waits (polling, inside the
// write timeout) while more than sendHighWater bytes are still buffered in
// the browser, so a slow network stalls writers instead of growing the
// browser's buffer without bound.
//
// The read limit is enforced on arrival: a larger frame is not copied, and
// the connection is closed as ErrFrameTooLarge.
//
// Close codes. Browsers only let a page send 1000 or 3000–4999; any other
// code is sent as 1000 with the code prefixed to the reason ("1009: …"),
// while the local *CloseError keeps the real code.
type jsTransport struct {
	ws        js.Value
	readLimit int

	msgs     chan jsFrame
	buffered atomic.Int64 // bytes waiting in msgs
	budget   int64

	opened chan struct{} // closed by onopen
	closed chan struct{} // closed once err is set (onclose, or locally)
	err    *CloseError

	mu       sync.Mutex
	isClosed bool
	funcs    []js.Func
	released bool
}

type jsFrame struct {
	binary bool
	p      []byte
}

const (
	recvQueueLen  = 1024
	sendHighWater = 1 << 20
	closeWait     = 5 * time.Second
)

var errRecvOverflow = errors.New("peer: browser receive buffer full: the page is not reading fast enough")

func recvBudget(readLimit int) int64 { return max(16*int64(readLimit), 64<<20) }

var jsUint8Array = js.Global().Get("Uint8Array")

// dialBrowser opens a WebSocket and waits for it to open, fail or ctx to
// end.
func dialBrowser(ctx context.Context, url string, readLimit int) (_ transport, err error) {
	// Looked up per dial, so that a WebSocket installed after start-up
	// (a polyfill under node) is found.
	jsWebSocket := js.Global().Get("WebSocket")
	if jsWebSocket.Type() != js.TypeFunction {
		return nil, errors.New("no WebSocket in this JavaScript environment")
	}
	switch {
	case strings.HasPrefix(url, "http://"):
		url = "ws://" + url[len("http://"):]
	case strings.HasPrefix(url, "https://"):
		url = "wss://" + url[len("https://"):]
	}
	t := &jsTransport{
		readLimit: readLimit,
		msgs:      make(chan jsFrame, recvQueueLen),
		budget:    recvBudget(readLimit),
		opened:    make(chan struct{}),
		closed:    make(chan struct{}),
	}
	if err := jsCatch(func() { t.ws = jsWebSocket.New(url) }); err != nil {
		return nil, err
	}
	t.ws.Set("binaryType", "arraybuffer")
	t.handle("onopen", func(js.Value) { close(t.opened) })
	t.handle("onmessage", t.onMessage)
	// onerror carries no detail. Once open, onclose follows it with the
	// code. Before open, browsers follow it with onclose 1006 too, but
	// some implementations (node 20's) never do: fail the dial at once.
	t.handle("onerror", func(js.Value) {
		select {
		case <-t.opened:
		default:
			t.setClosed(remoteCloseJS(CloseAbnormal, "", false))
		}
	})
	t.handle("onclose", func(ev js.Value) {
		t.setClosed(remoteCloseJS(ev.Get("code").Int(), ev.Get("reason").String(), ev.Get("wasClean").Bool()))
		t.release()
	})
	select {
	case <-t.opened:
		return t, nil
	case <-t.closed:
		_ = t.closeNow()
		return nil, t.err
	case <-ctx.Done():
		_ = t.closeNow()
		return nil, ctx.Err()
	}
}

// handle installs fn as the socket's event handler name. fn runs on the
// browser's event loop and must not block.
func (t *jsTransport) handle(name string, fn func(ev js.Value)) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		var ev js.Value
		if len(args) > 0 {
			ev = args[0]
		}
		fn(ev)
		return nil
	})
	t.mu.Lock()
	t.funcs = append(t.funcs, f)
	t.mu.Unlock()
	t.ws.Set(name, f)
}

// onMessage copies a frame into Go memory and queues it without blocking.
func (t *jsTransport) onMessage(ev js.Value) {
	select {
	case <-t.closed:
		return
	default:
	}
	data := ev.Get("data")
	var fr jsFrame
	if data.Type() == js.TypeString {
		s := data.String()
		if len(s) > t.readLimit {
			t.fail(&CloseError{Code: CloseMessageTooBig, Reason: "frame exceeds read limit", Err: ErrFrameTooLarge})
			return
		}
		fr = jsFrame{binary: false, p: []byte(s)}
	} else {
		n := data.Get("byteLength").Int()
		if n > t.readLimit {
			t.fail(&CloseError{Code: CloseMessageTooBig, Reason: "frame exceeds read limit", Err: ErrFrameTooLarge})
			return
		}
		fr = jsFrame{binary: true, p: make([]byte, n)}
		js.CopyBytesToGo(fr.p, jsUint8Array.New(data))
	}
	if t.buffered.Add(int64(len(fr.p))) > t.budget {
		t.fail(&CloseError{Code: CloseInternalError, Reason: "receive buffer full", Err: errRecvOverflow})
		return
	}
	select {
	case t.msgs <- fr:
	default:
		t.fail(&CloseError{Code: CloseInternalError, Reason: "receive buffer full", Err: errRecvOverflow})
	}
}

// fail closes the socket because of a local decision; frames already
// queued are still delivered before ce.
func (t *jsTransport) fail(ce *CloseError) {
	if t.setClosed(ce) {
		t.sendClose(ce.Code, ce.Reason)
		t.release()
	}
}

// setClosed records the end of the connection; the first cause wins.
func (t *jsTransport) setClosed(ce *CloseError) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.isClosed {
		return false
	}
	t.isClosed = true
	t.err = ce
	close(t.closed)
	return true
}

// release detaches and releases every js.Func. Safe to call from inside a
// callback (js.Func.Release allows it) and more than once.
func (t *jsTransport) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released {
		return
	}
	t.released = true
	for _, name := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		t.ws.Set(name, js.Null())
	}
	for _, f := range t.funcs {
		f.Release()
	}
	t.funcs = nil
}

// sendClose starts the browser's close handshake (see the type comment
// for codes the browser refuses).
func (t *jsTransport) sendClose(code int, reason string) {
	if code != CloseNormal && (code < 3000 || code > 4999) {
		reason = strconv.Itoa(code) + ": " + reason
		code = CloseNormal
	}
	reason = truncReason(reason)
	_ = jsCatch(func() { t.ws.Call("close", code, reason) })
}

func (t *jsTransport) read(ctx context.Context) (bool, []byte, error) {
	take := func(fr jsFrame) (bool, []byte, error) {
		t.buffered.Add(-int64(len(fr.p)))
		return fr.binary, fr.p, nil
	}
	select {
	case fr := <-t.msgs:
		return take(fr)
	default:
	}
	select {
	case fr := <-t.msgs:
		return take(fr)
	case <-t.closed:
		// onmessage never runs after onclose, so what is queued now is
		// all there is; deliver it before the close.
		select {
		case fr := <-t.msgs:
			return take(fr)
		default:
		}
		return false, nil, t.err
	case <-ctx.Done():
		return false, nil, ctx.Err()
	}
}

func (t *jsTransport) write(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-t.closed:
		return t.err
	default:
	}
	// readyState 1 is OPEN; send on a CLOSING/CLOSED socket is silently
	// dropped by the browser, so report it.
	if t.ws.Get("readyState").Int() != 1 {
		return errors.New("websocket is not open")
	}
	err := jsCatch(func() {
		a := jsUint8Array.New(len(p))
		js.CopyBytesToJS(a, p)
		t.ws.Call("send", a)
	})
	if err != nil {
		return err
	}
	// Backpressure: wait while the browser holds too much unsent data.
	for delay := time.Millisecond; t.ws.Get("bufferedAmount").Int() > sendHighWater; delay = min(2*delay, 50*time.Millisecond) {
		tm := time.NewTimer(delay)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return ctx.Err()
		case <-t.closed:
			tm.Stop()
			return t.err
		}
	}
	return nil
}

// ping is not available to pages; only the server pings (browsers answer
// natively), and the server is never a browser.
func (t *jsTransport) ping(context.Context) error {
	return errors.New("peer: browsers cannot send WebSocket pings")
}

// close sends a close frame and waits, bounded, for the browser's onclose.
func (t *jsTransport) close(code int, reason string) error {
	if !t.setClosed(&CloseError{Code: code, Reason: truncReason(reason)}) {
		t.release()
		return nil
	}
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		close(done)
		return nil
	})
	defer f.Release()
	t.release()
	// A fresh one-shot handler: the regular ones are released (onclose
	// no longer has anything to record; err is set).
	_ = jsCatch(func() { t.ws.Set("onclose", f) })
	t.sendClose(code, reason)
	tm := time.NewTimer(closeWait)
	defer tm.Stop()
	select {
	case <-done:
	case <-tm.C:
	}
	_ = jsCatch(func() { t.ws.Set("onclose", js.Null()) })
	return nil
}

// closeNow ends the connection at once. A page cannot drop a socket without
// a close frame, so this starts the close handshake without waiting for it.
func (t *jsTransport) closeNow() error {
	t.setClosed(&CloseError{Code: CloseAbnormal, Reason: "closed"})
	t.release()
	_ = jsCatch(func() { t.ws.Call("close") })
	return nil
}

// remoteCloseJS is remoteClose for a browser close event; a connection that
// failed without a close frame (1006) gets a cause, the browser gives none.
func remoteCloseJS(code int, reason string, clean bool) *CloseError {
	e := remoteClose(code, reason)
	if code == CloseAbnormal && e.Err == nil && !clean {
		e.Err = errors.New("websocket connection failed")
	}
	return e
}

// jsCatch runs fn and turns a JavaScript exception into an error.
func jsCatch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = fmt.Errorf("websocket: %s", je.Value.Get("message").String())
				return
			}
			panic(r)
		}
	}()
	fn()
	return nil
}
