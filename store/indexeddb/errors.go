package indexeddb

import (
	"errors"
	"fmt"

	"github.com/cairn-db/cairn/store"
)

var (
	// ErrUnavailable is returned by Open and DeleteDatabase when the global
	// indexedDB is missing (plain node, a worker without it) or unusable.
	ErrUnavailable = errors.New("store/indexeddb: IndexedDB is not available (no global indexedDB)")
	// ErrHeadRejected is returned by Write when Options.HeadGuard refused
	// the new head. It wraps store.ErrHeadConflict.
	ErrHeadRejected = fmt.Errorf("store/indexeddb: head rejected by the head guard: %w", store.ErrHeadConflict)
	// ErrVersionChange is returned by every method after the connection was
	// closed because another connection asked for a version change (or the
	// browser closed it). It wraps store.ErrClosed.
	ErrVersionChange = fmt.Errorf("store/indexeddb: connection closed by a version change or by the browser: %w", store.ErrClosed)
)

// DOMError is an IndexedDB failure: the DOMException's name (for example
// "QuotaExceededError", "AbortError", "InvalidStateError") and message, and
// the operation that failed.
type DOMError struct {
	Op      string
	Name    string
	Message string
}

func (e *DOMError) Error() string {
	return fmt.Sprintf("store/indexeddb: %s: %s: %s", e.Op, e.Name, e.Message)
}
