package peer

import (
	"context"
	"errors"
	"fmt"
	"github.com/cairn-db/cairn/logging"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Status is the state of a reconnecting Client.
type Status int32

// Client states, in the order a connection goes through them.
const (
	StatusIdle         Status = iota // Run has not started
	StatusConnecting                 // dialing, or waiting to redial
	StatusConnected                  // hello exchanged; OnConnect is running
	StatusDisconnected               // the connection ended; a redial follows
	StatusFailed                     // a permanent error (unauthorized, upgrade required); Run returned it
	StatusStopped                    // ctx ended; Run returned
)

func (s Status) String() string {
	switch s {
	case StatusIdle:
		return "idle"
	case StatusConnecting:
		return "connecting"
	case StatusConnected:
		return "connected"
	case StatusDisconnected:
		return "disconnected"
	case StatusFailed:
		return "failed"
	case StatusStopped:
		return "stopped"
	}
	return fmt.Sprintf("Status(%d)", int32(s))
}

// StatusChange is reported to ClientOptions.OnStatus.
type StatusChange struct {
	Status Status
	// Err is why a connection ended or a dial failed (Disconnected, Failed).
	Err error
	// Attempt counts consecutive failed dials before this change (0 on the
	// first dial and after a stable connection).
	Attempt int
}

// ClientOptions configures a reconnecting Client. The zero value of each
// field means its default; the struct is copied, never written.
type ClientOptions struct {
	// Dial configures each connection.
	Dial DialOptions

	// OnConnect runs for each new connection and owns it until it returns;
	// then the connection is closed and the Client redials. It is where
	// upper layers are stacked and state is re-established after a
	// reconnect (rpc.New, sync subscriptions), typically ending in
	// RejectUnknown(ctx, top). ctx ends when the connection does or Run's
	// ctx ends. A returned error is logged. Default: RejectUnknown(ctx, c).
	OnConnect func(ctx context.Context, c Conn) error
	// OnStatus, if set, is called synchronously on every status change. It
	// must not block.
	OnStatus func(StatusChange)

	// BackoffBase is the wait before the first redial; default 500ms.
	BackoffBase time.Duration
	// BackoffMax caps the wait; default 30s. A connection that stayed up at
	// least this long resets the backoff to BackoffBase.
	BackoffMax time.Duration
	// BackoffJitter in [0, 1] is the fraction of each wait that is random
	// (wait = d × (1 − jitter × rand)); default 0.5, negative means none.
	BackoffJitter float64

	// Logger; default Dial.Logger, then logging.Default() (slog.Default()
	// natively).
	Logger logging.Logger
}

// Client keeps one connection to a server alive: it dials, runs OnConnect,
// and after the connection ends redials with capped, jittered exponential
// backoff. Unauthorized and upgrade-required errors are permanent: Run
// returns them instead of retrying.
type Client struct {
	url    string
	opts   ClientOptions
	log    logging.Logger
	status atomic.Int32

	mu      sync.Mutex
	running bool
}

// NewClient validates opts and returns a Client for url. Nothing happens
// until Run.
func NewClient(url string, opts *ClientOptions) (*Client, error) {
	var o ClientOptions
	if opts != nil {
		o = *opts
	}
	if _, err := o.Dial.withDefaults(); err != nil {
		return nil, err
	}
	if o.BackoffBase < 0 || o.BackoffMax < 0 || o.BackoffJitter > 1 {
		return nil, errors.New("peer: ClientOptions: backoff must not be negative and jitter at most 1")
	}
	o.BackoffBase = cmp0(o.BackoffBase, 500*time.Millisecond)
	o.BackoffMax = cmp0(o.BackoffMax, 30*time.Second)
	if o.BackoffMax < o.BackoffBase {
		o.BackoffMax = o.BackoffBase
	}
	switch {
	case o.BackoffJitter == 0:
		o.BackoffJitter = 0.5
	case o.BackoffJitter < 0:
		o.BackoffJitter = 0
	}
	if o.Logger == nil {
		o.Logger = o.Dial.Logger
	}
	if o.Logger == nil {
		o.Logger = logging.Default()
	}
	if o.Dial.Logger == nil {
		o.Dial.Logger = o.Logger
	}
	return &Client{url: url, opts: o, log: o.Logger}, nil
}

// Status returns the current status.
func (c *Client) Status() Status { return Status(c.status.Load()) }

func (c *Client) set(s Status, err error, attempt int) {
	c.status.Store(int32(s))
	if c.opts.OnStatus != nil {
		c.opts.OnStatus(StatusChange{Status: s, Err: err, Attempt: attempt})
	}
}

// Run connects and reconnects until ctx ends (returning ctx's error) or a
// permanent error occurs (returning it). Only one Run may be active.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("peer: Client.Run is already running")
	}
	c.running = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}()

	attempt := 0
	for {
		c.set(StatusConnecting, nil, attempt)
		conn, err := Dial(ctx, c.url, &c.opts.Dial)
		if err != nil {
			if ctx.Err() != nil {
				c.set(StatusStopped, nil, attempt)
				return ctx.Err()
			}
			if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrUpgradeRequired) {
				c.set(StatusFailed, err, attempt)
				return err
			}
			c.log.Debug("peer: dial failed", "url", c.url, "attempt", attempt, "err", err)
			c.set(StatusDisconnected, err, attempt)
			if !c.sleep(ctx, attempt) {
				c.set(StatusStopped, nil, attempt)
				return ctx.Err()
			}
			attempt++
			continue
		}

		start := time.Now()
		c.set(StatusConnected, nil, attempt)
		c.serve(ctx, conn)
		_ = conn.Close("client disconnecting")
		if ctx.Err() != nil {
			c.set(StatusStopped, nil, 0)
			return ctx.Err()
		}
		if time.Since(start) >= c.opts.BackoffMax {
			attempt = 0
		}
		c.set(StatusDisconnected, conn.Err(), attempt)
		if !c.sleep(ctx, attempt) {
			c.set(StatusStopped, nil, attempt)
			return ctx.Err()
		}
		attempt++
	}
}

// serve runs OnConnect for one connection with a ctx that ends with it.
func (c *Client) serve(ctx context.Context, conn Conn) {
	cctx, cancel := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-conn.Done():
			cancel()
		case <-cctx.Done():
		}
	}()
	defer func() {
		cancel()
		<-watched
	}()
	var err error
	if c.opts.OnConnect != nil {
		err = c.opts.OnConnect(cctx, conn)
	} else {
		err = RejectUnknown(cctx, conn)
	}
	if err != nil && cctx.Err() == nil {
		c.log.Info("peer: OnConnect returned", "url", c.url, "err", err)
	}
}

// sleep waits the backoff for attempt; false if ctx ended first.
func (c *Client) sleep(ctx context.Context, attempt int) bool {
	t := time.NewTimer(Backoff(attempt, c.opts.BackoffBase, c.opts.BackoffMax, c.opts.BackoffJitter))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Backoff returns the wait before redial attempt n (0-based): base × 2ⁿ
// capped at max, minus a random fraction of up to jitter of it.
func Backoff(n int, base, max time.Duration, jitter float64) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	if jitter > 0 {
		d -= time.Duration(jitter * rand.Float64() * float64(d))
	}
	return d
}
