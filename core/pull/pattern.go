package pull

import (
	"fmt"
	"strings"
	"sync"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query/builtin"
)

// defaultLimit is DataScript's default :limit for cardinality-many and
// reverse attributes.
const defaultLimit = 1000

// maxPatternDepth bounds the nesting of a pattern (the EDN reader bounds
// text input; this bounds patterns built in Go).
const maxPatternDepth = 256

// Pattern is a parsed pull pattern. It is immutable and safe to share.
type Pattern struct {
	wildcard bool
	specs    []*spec
}

// spec is one attribute of a pattern.
type spec struct {
	attr    string // attribute text without colon, forward name ("friend" for :_friend)
	key     any    // result key: the keyword as written, or the :as value
	reverse bool
	isID    bool // :db/id
	limit   int  // -1: no limit
	hasDef  bool
	def     any
	xform   string
	sub     *Pattern // nested pattern (nil: none)
	recurse bool     // ... or a depth: the sub pattern is the enclosing one
	depth   int      // recursion depth limit; 0 = unlimited
}

// ParsePattern parses a pull pattern given as EDN text or a parsed EDN
// value (a vector). It returns an error wrapping ErrInvalidPattern that
// names the offending form.
func ParsePattern(pattern any) (p *Pattern, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%w: %v", ErrInvalidPattern, r)
		}
	}()
	switch t := pattern.(type) {
	case *Pattern:
		return t, nil
	case string:
		if p, ok := patternCache.get(t); ok {
			return p, nil
		}
		v, err := edn.ReadString(t)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidPattern, err)
		}
		p, err := parsePattern(v, 0)
		if err == nil {
			patternCache.put(t, p)
		}
		return p, err
	}
	return parsePattern(pattern, 0)
}

// patternCache keeps parsed pattern texts (patterns are not modified once
// parsed); it is emptied when it reaches its size, a simple bound.
var patternCache = &patCache{m: map[string]*Pattern{}}

const patternCacheSize = 1024

type patCache struct {
	mu sync.Mutex
	m  map[string]*Pattern
}

func (c *patCache) get(k string) (*Pattern, bool) {
	c.mu.Lock()
	p, ok := c.m[k]
	c.mu.Unlock()
	return p, ok
}

func (c *patCache) put(k string, p *Pattern) {
	c.mu.Lock()
	if len(c.m) >= patternCacheSize {
		clear(c.m)
	}
	c.m[k] = p
	c.mu.Unlock()
}

func bad(form any, why string) error {
	return fmt.Errorf("%w: %s in %s", ErrInvalidPattern, why, edn.Print(form))
}

func parsePattern(form any, depth int) (*Pattern, error) {
	if depth > maxPatternDepth {
		return nil, bad("…", "pattern nested too deep")
	}
	elems, ok := form.(edn.Vector)
	if !ok {
		if l, isAny := form.([]any); isAny {
			elems = l
		} else {
			return nil, bad(form, "expected a vector")
		}
	}
	p := &Pattern{}
	for _, el := range elems {
		switch t := el.(type) {
		case edn.Symbol:
			if t.NS == "" && t.Name == "*" {
				p.wildcard = true
				continue
			}
			return nil, bad(el, "unexpected symbol")
		case string:
			if t == "*" {
				p.wildcard = true
				continue
			}
			return nil, bad(el, "unexpected string")
		case *edn.Map:
			if t.Len() == 0 {
				return nil, bad(el, "empty map")
			}
			for _, e := range t.Entries {
				s, err := parseAttrSpec(e.Key)
				if err != nil {
					return nil, err
				}
				if err := parseSub(s, e.Val, depth); err != nil {
					return nil, err
				}
				p.specs = append(p.specs, s)
			}
		default:
			s, err := parseAttrSpec(el)
			if err != nil {
				return nil, err
			}
			p.specs = append(p.specs, s)
		}
	}
	return p, nil
}

func parseSub(s *spec, v any, depth int) error {
	switch t := v.(type) {
	case edn.Symbol:
		if t.NS == "" && t.Name == "..." {
			s.recurse = true
			return nil
		}
	case int64:
		if t >= 0 && t < 1<<31 {
			s.recurse, s.depth = true, int(t)
			return nil
		}
	case int:
		if t >= 0 {
			s.recurse, s.depth = true, t
			return nil
		}
	case edn.Vector, []any:
		sub, err := parsePattern(t, depth+1)
		if err != nil {
			return err
		}
		s.sub = sub
		return nil
	}
	return bad(v, "expected a pattern, ... or a recursion depth")
}

// attrFromKeyword fills the attribute fields of s from a keyword.
func attrFromKeyword(s *spec, k edn.Keyword) error {
	s.key = k
	if k.Name == "" {
		return bad(k, "empty attribute")
	}
	if k.NS == "db" && k.Name == "id" {
		s.isID = true
		s.attr = "db/id"
		return nil
	}
	if strings.HasPrefix(k.Name, "_") && len(k.Name) > 1 {
		s.reverse = true
		s.attr = datom.KeywordText(edn.Keyword{NS: k.NS, Name: k.Name[1:]})
		return nil
	}
	s.attr = datom.KeywordText(k)
	return nil
}

func parseAttrSpec(form any) (*spec, error) {
	s := &spec{limit: defaultLimit}
	switch t := form.(type) {
	case edn.Keyword:
		return s, attrFromKeyword(s, t)
	case string:
		// DataScript accepts attribute names as strings in JS; treat as keyword.
		if t == "" {
			return nil, bad(form, "empty attribute")
		}
		return s, attrFromKeyword(s, datom.EDNKeyword(strings.TrimPrefix(t, ":")))
	case edn.List:
		if len(t) == 0 {
			return nil, bad(form, "empty list")
		}
		if sym, ok := t[0].(edn.Symbol); ok && sym.NS == "" {
			switch sym.Name {
			case "limit", "default":
				if len(t) != 3 {
					return nil, bad(form, "expected ("+sym.Name+" attr value)")
				}
				k, ok := t[1].(edn.Keyword)
				if !ok {
					return nil, bad(form, "expected an attribute")
				}
				if err := attrFromKeyword(s, k); err != nil {
					return nil, err
				}
				return s, applyOpt(s, edn.Keyword{Name: sym.Name}, t[2], form)
			}
		}
		return parseAttrOpts(s, t, form)
	case edn.Vector:
		return parseAttrOpts(s, t, form)
	case []any:
		return parseAttrOpts(s, t, form)
	}
	return nil, bad(form, "expected an attribute")
}

func parseAttrOpts(s *spec, xs []any, form any) (*spec, error) {
	if len(xs) == 0 || len(xs)%2 != 1 {
		return nil, bad(form, "expected [attr option value ...]")
	}
	k, ok := xs[0].(edn.Keyword)
	if !ok {
		return nil, bad(form, "expected an attribute keyword first")
	}
	if err := attrFromKeyword(s, k); err != nil {
		return nil, err
	}
	for i := 1; i < len(xs); i += 2 {
		opt, ok := xs[i].(edn.Keyword)
		if !ok {
			return nil, bad(form, "expected an option keyword")
		}
		if err := applyOpt(s, opt, xs[i+1], form); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func applyOpt(s *spec, opt edn.Keyword, v any, form any) error {
	if opt.NS != "" {
		return bad(form, "unknown option "+opt.String())
	}
	switch opt.Name {
	case "as":
		s.key = v
	case "limit":
		switch n := v.(type) {
		case nil:
			s.limit = -1
		case int64:
			if n < 0 {
				return bad(form, ":limit must not be negative")
			}
			s.limit = int(min(n, 1<<31))
		case int:
			if n < 0 {
				return bad(form, ":limit must not be negative")
			}
			s.limit = n
		default:
			return bad(form, ":limit expects a number or nil")
		}
	case "default":
		s.hasDef, s.def = true, v
	case "xform":
		sym, ok := v.(edn.Symbol)
		if !ok {
			return bad(form, ":xform expects a symbol")
		}
		if _, ok := builtin.Lookup(sym.String()); !ok {
			return bad(form, "unknown :xform function "+sym.String())
		}
		s.xform = sym.String()
	default:
		return bad(form, "unknown option "+opt.String())
	}
	return nil
}
