package builtin

import (
	"errors"
	"sync"
)

// RegexpEngine compiles the regular expressions of the built-ins re-find,
// re-matches, re-seq, re-pattern and clojure.string/split. Natively it is
// Go's regexp (RE2 syntax, regexp_go.go). The js/wasm build links no
// engine, so that package regexp and the Unicode tables it brings stay out
// of the wasm: the browser build registers the browser's RegExp
// (wasm/jsregexp) with SetRegexpEngine.
type RegexpEngine interface {
	Compile(src string) (CompiledRegexp, error)
}

// CompiledRegexp is a compiled expression. Every engine follows Go's
// rules for the results, so that the built-ins agree across builds.
type CompiledRegexp interface {
	// Find is the leftmost match and its groups ("" for a group that did
	// not take part), nil when there is none.
	Find(s string) []string
	// Matches is the match of the whole of s and its groups, nil when
	// there is none.
	Matches(s string) ([]string, error)
	// FindAll is every successive non-overlapping match with its groups
	// (an empty match right after a previous match is skipped).
	FindAll(s string) [][]string
	// Split cuts s around every match, as Go's regexp.Split(s, -1).
	Split(s string) []string
}

var regexpEngine struct {
	mu sync.RWMutex
	e  RegexpEngine
}

// SetRegexpEngine sets the engine of the regular-expression built-ins.
func SetRegexpEngine(e RegexpEngine) {
	regexpEngine.mu.Lock()
	regexpEngine.e = e
	regexpEngine.mu.Unlock()
}

var errNoRegexpEngine = errors.New("no regular expression engine in this build (a js/wasm program registers one with builtin.SetRegexpEngine)")

func compileRe(src string) (CompiledRegexp, error) {
	regexpEngine.mu.RLock()
	e := regexpEngine.e
	regexpEngine.mu.RUnlock()
	if e == nil {
		return nil, errNoRegexpEngine
	}
	return e.Compile(src)
}
