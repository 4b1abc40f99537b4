package pull

import "errors"

var (
	// ErrInvalidPattern is returned when a pull pattern is malformed (the
	// error names the form), or names an unknown :xform function.
	ErrInvalidPattern = errors.New("pull: invalid pattern")
	// ErrInvalidEntity is returned when an entity reference is neither an
	// id, a lookup ref nor an ident, or a lookup ref names an attribute
	// that is not :db/unique.
	ErrInvalidEntity = errors.New("pull: invalid entity reference")
)
