package sync

// Message types on the wire (peer message Type strings).
const (
	TypeSubscribe   = "sync/subscribe"
	TypeUnsubscribe = "sync/unsubscribe"
	TypeNodes       = "sync/nodes"
	TypeAck         = "sync/ack"
	TypeHead        = "sync/head"
	TypeReset       = "sync/reset"
	TypeDeleted     = "sync/deleted"
	TypeError       = "sync/error"
	TypeOffer       = "sync/offer"
	TypeLack        = "sync/lack"
)

// Subscribe asks for a database's stream, telling the server what the
// client has. An empty Commit means nothing.
type Subscribe struct {
	DB          string `msgpack:"db"`
	Incarnation []byte `msgpack:"inc"`
	Commit      []byte `msgpack:"commit"`
	BasisT      int64  `msgpack:"t"`
	// StepAcks: the client acknowledges every StepAcks-th step it
	// processes (a step ends with a head) with an Ack of Steps, and the
	// server lets it fall only a bounded number of steps behind, then
	// coalesces what it missed into one diff. 0: the client sends no step
	// acks, and its lag is bounded by the connection's buffers only.
	StepAcks int `msgpack:"step_acks,omitempty"`
}

// Unsubscribe ends a subscription.
type Unsubscribe struct {
	DB string `msgpack:"db"`
}

// Nodes carries stored entries (index nodes, schema nodes, commits) exactly
// as stored under their keys, children before parents.
//
// The last Nodes message of a small step may carry the step's head: the
// client then applies the head right after storing the nodes, and does
// not acknowledge that message (one frame per live commit, no round trip).
type Nodes struct {
	DB     string   `msgpack:"db"`
	Seq    uint64   `msgpack:"seq"`
	Keys   [][]byte `msgpack:"keys"`
	Values [][]byte `msgpack:"values"`
	// Head, StepNodes and StepBytes are set on the last message of a step
	// that carries its head (see Head).
	Head      []byte `msgpack:"head,omitempty"`
	StepNodes int    `msgpack:"step_nodes,omitempty"`
	StepBytes int64  `msgpack:"step_bytes,omitempty"`
}

// Ack acknowledges a Nodes message once it is stored or, with Steps set,
// that many more steps processed (see Subscribe.StepAcks).
type Ack struct {
	DB    string `msgpack:"db"`
	Seq   uint64 `msgpack:"seq"`
	Steps int    `msgpack:"steps,omitempty"`
}

// Head names the commit every node sent so far completes.
type Head struct {
	DB   string `msgpack:"db"`
	Head []byte `msgpack:"head"`
	// Nodes and Bytes count what this sync step transferred, for progress
	// reports and resume accounting.
	Nodes int   `msgpack:"nodes"`
	Bytes int64 `msgpack:"bytes"`
}

// Reset tells the client to drop its head and sync from nothing.
type Reset struct {
	DB     string `msgpack:"db"`
	Reason string `msgpack:"reason"`
}

// Deleted tells subscribers that the database was deleted.
type Deleted struct {
	DB string `msgpack:"db"`
}

// Error reports a subscription that the server cannot serve (no such
// database, not authorized).
type Error struct {
	DB      string `msgpack:"db"`
	Code    string `msgpack:"code"`
	Message string `msgpack:"message"`
}

// Offer asks the client which of these keys it lacks: the top-down
// negotiation that replaces a diff when the server does not know the
// client's commit (DESIGN.md §4.2). Keys come level by level from the
// commit down; the client answers with a Lack of the same Seq.
type Offer struct {
	DB   string   `msgpack:"db"`
	Seq  uint64   `msgpack:"seq"`
	Keys [][]byte `msgpack:"keys"`
}

// Lack answers an Offer with the offered keys the client does not have. A
// key it has stands for its whole subtree.
type Lack struct {
	DB   string   `msgpack:"db"`
	Seq  uint64   `msgpack:"seq"`
	Keys [][]byte `msgpack:"keys"`
}
