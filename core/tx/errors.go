package tx

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinels classify every error Process returns; the error itself is
// an *Error naming the offending operation. Match with errors.Is.
var (
	// ErrInvalidTxData is returned when tx-data is malformed: an element
	// that is neither a map nor an operation vector, an unknown operation,
	// a wrong number of arguments, a bad entity id or attribute, a tempid
	// where none is allowed, a nil value, a direct assertion of a composite
	// tuple.
	ErrInvalidTxData = errors.New("tx: invalid transaction data")
	// ErrUnknownAttribute is returned under :schema-flexibility :write when
	// an attribute is not in the schema.
	ErrUnknownAttribute = errors.New("tx: unknown attribute")
	// ErrValueType is returned when a value cannot be stored (a map, a set,
	// a tagged literal) or does not match its attribute's value type.
	ErrValueType = errors.New("tx: wrong value type")
	// ErrLookupRef is returned when an entity reference (lookup ref, ident
	// keyword) resolves to nothing where an entity is required, or when a
	// lookup ref names an attribute that is not unique.
	ErrLookupRef = errors.New("tx: entity reference does not resolve")
	// ErrUniqueConflict is returned when an assertion would give a unique
	// attribute's value to a second entity.
	ErrUniqueConflict = errors.New("tx: unique constraint violated")
	// ErrUpsertConflict is returned when the unique identity values of one
	// entity map resolve to different entities, or to an entity other than
	// the map's explicit :db/id.
	ErrUpsertConflict = errors.New("tx: conflicting upserts")
	// ErrTempidConflict is returned when one tempid would resolve, through
	// upserts, to two different existing entities.
	ErrTempidConflict = errors.New("tx: tempid resolves to two entities")
	// ErrUnusedTempid is returned when a tempid is used only in value
	// position (as the value of a ref) and never names an entity that the
	// transaction asserts something about.
	ErrUnusedTempid = errors.New("tx: tempid used only as a value")
	// ErrCASMismatch is returned when :db/cas finds a value other than the
	// expected one.
	ErrCASMismatch = errors.New("tx: compare-and-swap failed")
	// ErrSchemaViolation is returned when a transaction that changes the
	// schema (Datahike mode) breaks the change rules or defines an
	// attribute badly; the schema package's error is wrapped as well.
	ErrSchemaViolation = errors.New("tx: schema violation")
	// ErrTxInstant is returned when an explicit :db/txInstant is not an
	// instant later than the previous transaction's.
	ErrTxInstant = errors.New("tx: :db/txInstant not after the previous transaction")
	// ErrSnapshot is returned when the snapshot fails to read; the
	// snapshot's error is wrapped as well.
	ErrSnapshot = errors.New("tx: snapshot read failed")
)

// Error is the error Process returns. Kind is one of the sentinels above;
// Op is the offending operation, entity map or datom printed as EDN
// (shortened); Err is an underlying cause (a schema or snapshot error), if
// any. errors.Is matches both Kind and Err.
type Error struct {
	Kind error
	Op   string
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	if e.Op != "" {
		b.WriteString(" in ")
		b.WriteString(e.Op)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and, when set, Err.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newErr(kind error, op any, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: show(op), Msg: fmt.Sprintf(format, args...)}
}

// retry is the internal signal that a tempid turned out to upsert to an
// existing entity after it had been given another id: processing restarts
// with the tempid bound (DataScript's retry-with-tempid).
type retry struct {
	tempid  any
	eid     int64
	tempids map[any]int64
}

func (*retry) Error() string { return "tx: internal retry" }
