package schema

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidSchema is returned when an attribute definition is malformed
	// or inconsistent: an unknown value type, a component that is not a ref,
	// a composite tuple whose source attributes are cardinality-many, a
	// redefinition of a system attribute, and so on.
	ErrInvalidSchema = errors.New("schema: invalid attribute definition")
	// ErrForbiddenChange is returned when a schema change breaks the change
	// rules: a value type changes, cardinality goes from many to one, a
	// uniqueness constraint changes or is removed, :db/isComponent or the
	// tuple definition changes, or an attribute is renamed or removed.
	ErrForbiddenChange = errors.New("schema: forbidden schema change")
	// ErrUniqueViolation is returned when :db/unique is added to an
	// attribute whose current values are not unique.
	ErrUniqueViolation = errors.New("schema: existing values are not unique")
	// ErrCorrupt is returned by Decode when the bytes are not a valid
	// schema encoding.
	ErrCorrupt = errors.New("schema: corrupt encoding")
)

func invalid(ident, format string, args ...any) error {
	return fmt.Errorf("%w: :%s: %s", ErrInvalidSchema, ident, fmt.Sprintf(format, args...))
}

func forbidden(ident, format string, args ...any) error {
	return fmt.Errorf("%w: :%s: %s", ErrForbiddenChange, ident, fmt.Sprintf(format, args...))
}

func corrupt(msg string) error { return fmt.Errorf("%w: %s", ErrCorrupt, msg) }
