package edn

import (
	"errors"
	"fmt"
)

var (
	// ErrSyntax is returned (inside a *SyntaxError) when the input is not
	// well-formed EDN and no more specific sentinel applies.
	ErrSyntax = errors.New("edn: syntax error")
	// ErrUnexpectedEOF is returned (inside a *SyntaxError) when the input
	// ends inside a form, or when Read is given input that holds no form.
	ErrUnexpectedEOF = errors.New("edn: unexpected end of input")
	// ErrTrailing is returned (inside a *SyntaxError) by Read when another
	// form follows the first one.
	ErrTrailing = errors.New("edn: trailing data after form")
	// ErrDuplicate is returned (inside a *SyntaxError) when a map literal
	// repeats a key or a set literal repeats an element.
	ErrDuplicate = errors.New("edn: duplicate map key or set element")
	// ErrTooDeep is returned when collections, tagged literals or discards
	// nest deeper than ReadOptions.MaxDepth (inside a *SyntaxError), or when
	// Write meets a value nested deeper than the printer's limit (which is
	// what a cyclic value looks like).
	ErrTooDeep = errors.New("edn: nesting too deep")
	// ErrTooLarge is returned when the input exceeds ReadOptions.MaxSize (as
	// a plain wrapped error), or (inside a *SyntaxError) when a form holds
	// more than ReadOptions.MaxElements values or a number literal is longer
	// than the reader accepts.
	ErrTooLarge = errors.New("edn: input too large")
	// ErrInvalidOption is returned when a ReadOptions field is out of range.
	ErrInvalidOption = errors.New("edn: invalid read option")
	// ErrUnsupported is returned by Write when the value holds a Go type that
	// has no EDN form.
	ErrUnsupported = errors.New("edn: unsupported Go type")
)

// SyntaxError reports malformed or over-limit input and where it was found.
// Err is one of the sentinels of this package (ErrSyntax when nothing more
// specific applies) and is what errors.Is matches.
type SyntaxError struct {
	Offset int    // byte offset of the offending input, from the start of the stream
	Line   int    // 1-based line of Offset
	Col    int    // 1-based column of Offset, counted in runes
	Msg    string // what is wrong, for humans
	Err    error  // the sentinel that classifies the error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("edn: line %d, col %d (offset %d): %s", e.Line, e.Col, e.Offset, e.Msg)
}

// Unwrap returns the classifying sentinel.
func (e *SyntaxError) Unwrap() error { return e.Err }
