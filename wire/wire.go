// Package wire names the RPC functions a Cairn server serves, their
// argument and result types, and the error codes that carry typed errors
// across the connection. The server and the Go client both use it; the
// browser client speaks the same names.
package wire

import (
	"strings"

	"github.com/cairn-db/cairn/core/tx"
)

// The RPC function names.
const (
	FnCreateDatabase = "create-database"
	FnDeleteDatabase = "delete-database"
	FnDatabaseExists = "database-exists"
	FnListDatabases  = "list-databases"
	FnTransact       = "transact"
)

// Wire arguments of the RPC functions.
type (
	// CreateArgs are create-database's arguments.
	CreateArgs struct {
		Name string `msgpack:"name"`
		// KeepHistory defaults to true.
		KeepHistory *bool `msgpack:"keep-history,omitempty"`
		// SchemaFlexibility is "write" (default) or "read".
		SchemaFlexibility string `msgpack:"schema-flexibility,omitempty"`
		// Schema is the initial schema as EDN tx-data (attribute entities).
		Schema string `msgpack:"schema,omitempty"`
	}
	// NameArgs name a database.
	NameArgs struct {
		Name string `msgpack:"name"`
	}
	// TransactArgs are transact's arguments.
	TransactArgs struct {
		DB string `msgpack:"db"`
		// TxData is EDN text.
		TxData string `msgpack:"tx-data"`
		// Key makes the call idempotent (retries apply once).
		Key string `msgpack:"key,omitempty"`
	}
)

// Error codes the server returns beyond rpc's own.
const (
	CodeNotFound   = "not-found"
	CodeExists     = "exists"
	CodeBadName    = "bad-name"
	CodeBadArgs    = "bad-arguments"
	CodeTxPrefix   = "tx/" // followed by the transaction error kind
	CodeShutdown   = "shutting-down"
	CodeConflict   = "conflict"
	CodeStoreError = "store-error"
)

// TransactResult is what a transact call returns.
type TransactResult struct {
	TxID    int64            `msgpack:"tx"`
	Tempids map[string]int64 `msgpack:"tempids"`
	// Replayed is set when the idempotency key was seen before: the
	// transaction was applied by an earlier call and is not applied again
	// (its tempids are not kept, so Tempids is empty).
	Replayed bool `msgpack:"replayed"`
}

// TxKinds maps transaction errors to wire codes (CodeTxPrefix + kind).
var TxKinds = []struct {
	Err  error
	Kind string
}{
	{tx.ErrUniqueConflict, "unique-conflict"},
	{tx.ErrUpsertConflict, "upsert-conflict"},
	{tx.ErrSchemaViolation, "schema-violation"},
	{tx.ErrUnknownAttribute, "unknown-attribute"},
	{tx.ErrValueType, "value-type"},
	{tx.ErrLookupRef, "lookup-ref"},
	{tx.ErrCASMismatch, "cas-mismatch"},
	{tx.ErrTempidConflict, "tempid-conflict"},
	{tx.ErrUnusedTempid, "unused-tempid"},
	{tx.ErrTxInstant, "tx-instant"},
	{tx.ErrInvalidTxData, "invalid-tx-data"},
}

// TxErrorKind returns the wire kind of a transaction error code, "" if the
// code is not one.
func TxErrorKind(code string) string {
	k, ok := strings.CutPrefix(code, CodeTxPrefix)
	if !ok {
		return ""
	}
	return k
}

// TxError returns the tx sentinel for a wire kind (nil if unknown).
func TxError(kind string) error {
	for _, k := range TxKinds {
		if k.Kind == kind {
			return k.Err
		}
	}
	return nil
}
