package server

import (
	"fmt"
	"io"
	"sort"
	gosync "sync"
	"sync/atomic"
)

// Metrics are the server's counters, exposed at /metrics in Prometheus'
// text format (written by hand: a handful of series do not need a client
// library).
type Metrics struct {
	Peers         atomic.Int64 // connected peers
	Subscriptions atomic.Int64 // active database subscriptions
	Commits       atomic.Int64 // committed transactions
	RPCCalls      atomic.Int64 // RPC calls served
	NodesSynced   atomic.Int64 // nodes sent to subscribers
	BytesSynced   atomic.Int64 // node bytes sent to subscribers

	mu  gosync.Mutex
	lag map[string]int64 // subscriber id -> transactions behind
}

// SetLag records how many transactions a subscriber is behind its
// database's head (0 when caught up).
func (m *Metrics) SetLag(sub string, behind int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lag == nil {
		m.lag = map[string]int64{}
	}
	m.lag[sub] = behind
}

// DropLag forgets a subscriber.
func (m *Metrics) DropLag(sub string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.lag, sub)
}

// WritePrometheus writes every metric in the text exposition format.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	var maxLag, sumLag int64
	m.mu.Lock()
	keys := make([]string, 0, len(m.lag))
	for k, v := range m.lag {
		keys = append(keys, k)
		sumLag += v
		maxLag = max(maxLag, v)
	}
	m.mu.Unlock()
	sort.Strings(keys)
	series := []struct {
		name, kind, help string
		v                int64
	}{
		{"cairn_peers", "gauge", "Connected peers.", m.Peers.Load()},
		{"cairn_subscriptions", "gauge", "Active database subscriptions.", m.Subscriptions.Load()},
		{"cairn_commits_total", "counter", "Transactions committed.", m.Commits.Load()},
		{"cairn_rpc_calls_total", "counter", "RPC calls served.", m.RPCCalls.Load()},
		{"cairn_sync_nodes_total", "counter", "Nodes sent to subscribers.", m.NodesSynced.Load()},
		{"cairn_sync_bytes_total", "counter", "Node bytes sent to subscribers.", m.BytesSynced.Load()},
		{"cairn_sync_lag_max_transactions", "gauge", "Largest number of transactions a subscriber is behind.", maxLag},
		{"cairn_sync_lag_sum_transactions", "gauge", "Sum over subscribers of transactions behind.", sumLag},
	}
	for _, s := range series {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", s.name, s.help, s.name, s.kind, s.name, s.v); err != nil {
			return err
		}
	}
	return nil
}
