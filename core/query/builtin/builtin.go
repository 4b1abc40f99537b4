// Package builtin is the function set of Cairn's query language: the
// functions DataScript 1.8.1 lets a query call by name in predicates and
// function clauses ([(< ?a 30)], [(str ?k) ?s]) and that pull's :xform
// resolves. The query package handles the forms that need the database
// (get-else, get-some, missing?) and the binding forms (ground, tuple,
// untuple) itself.
//
// Functions work on datom values, so a predicate over a relation costs no
// conversion. Numbers follow DataScript's JavaScript semantics where the
// conformance corpus pins them: (/ 25 2) is 12.5, integer division that
// divides exactly stays an integer, and compare returns -1, 0 or 1.
// Arithmetic on two longs stays in longs and falls over to doubles on
// overflow, as JavaScript's doubles would round.
//
// Go programs add functions with Register; a registered name shadows a
// built-in one.
package builtin

import (
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/cairn-db/cairn/core/datom"
)

// ErrArgument is returned when a function gets the wrong number or kinds
// of arguments, or cannot compute a result (division by zero).
var ErrArgument = errors.New("builtin: invalid arguments")

// Func is a query function over datom values. env boxes and unboxes the
// values that are not datom values.
type Func func(env *Env, args []datom.Value) (datom.Value, error)

var (
	regMu      sync.RWMutex
	registered = map[string]Func{}
)

// Register makes fn callable from queries (and :xform) under name, e.g.
// "my.ns/score". Arguments arrive as EDN/Go values (int64, float64,
// string, bool, edn.Keyword, edn.Vector, ...), and the result is converted
// back the same way; returning an error fails the query. Registering nil
// removes a function.
func Register(name string, fn func(args ...any) (any, error)) {
	regMu.Lock()
	defer regMu.Unlock()
	if fn == nil {
		delete(registered, name)
		return
	}
	registered[name] = func(env *Env, args []datom.Value) (datom.Value, error) {
		xs := make([]any, len(args))
		for i, a := range args {
			xs[i] = env.ToEDN(a)
		}
		r, err := fn(xs...)
		if err != nil {
			return datom.Nil, fmt.Errorf("%s: %w", name, err)
		}
		return env.FromEDN(r)
	}
}

// Lookup returns the function named name: a registered one first, then a
// built-in.
func Lookup(name string) (Func, bool) {
	regMu.RLock()
	f, ok := registered[name]
	regMu.RUnlock()
	if ok {
		return f, true
	}
	f, ok = builtins[name]
	return f, ok
}

// Names returns the names of the built-in functions.
func Names() []string {
	out := make([]string, 0, len(builtins))
	for k := range maps.Keys(builtins) {
		out = append(out, k)
	}
	return out
}

func argErr(name string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrArgument, name, fmt.Sprintf(format, args...))
}

func arity(name string, args []datom.Value, lo, hi int) error {
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		return argErr(name, "wrong number of arguments (%d)", len(args))
	}
	return nil
}

// IsBuiltin reports whether name resolves to the built-in function (no
// registered function shadows it), so that the engine may rely on its
// semantics, e.g. turn a comparison into an index range.
func IsBuiltin(name string) bool {
	regMu.RLock()
	_, shadowed := registered[name]
	regMu.RUnlock()
	if shadowed {
		return false
	}
	_, ok := builtins[name]
	return ok
}
