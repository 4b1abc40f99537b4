package query

import (
	"errors"
	"fmt"
)

var (
	// ErrSyntax is returned when a query, rule set or binding form is
	// malformed; the *ParseError that wraps it names the form.
	ErrSyntax = errors.New("query: syntax error")
	// ErrUnboundVariable is returned when a clause needs a variable that
	// nothing binds: a predicate or function argument, the join variables
	// of not-join and or-join, a rule's required arguments, a :find
	// variable that no clause mentions ("insufficient bindings").
	ErrUnboundVariable = errors.New("query: insufficient bindings")
	// ErrUnknownFunction is returned when a predicate, function clause,
	// aggregate or rule call names nothing the engine knows.
	ErrUnknownFunction = errors.New("query: unknown function")
	// ErrInvalidInput is returned when the inputs do not fit :in (count,
	// shape, a source that is not a database or collection of tuples), or
	// an entity reference resolves to nothing.
	ErrInvalidInput = errors.New("query: invalid input")
	// ErrFunction is returned when a function called by the query fails
	// (wrong arguments, division by zero, an error from a registered
	// function).
	ErrFunction = errors.New("query: function call failed")
	// ErrTimeout is returned when a query runs past Options.Timeout. The
	// error also wraps context.DeadlineExceeded.
	ErrTimeout = errors.New("query: timed out")
)

// ParseError is a syntax error that names the offending form.
type ParseError struct {
	Form string // the form, printed as EDN
	Msg  string
}

func (e *ParseError) Error() string {
	return "query: " + e.Msg + " in " + e.Form
}

// Unwrap makes errors.Is(err, ErrSyntax) true.
func (e *ParseError) Unwrap() error { return ErrSyntax }

func syntaxErr(form string, format string, args ...any) error {
	return &ParseError{Form: form, Msg: fmt.Sprintf(format, args...)}
}
