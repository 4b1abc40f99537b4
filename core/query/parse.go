package query

import (
	"fmt"
	"strings"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/query/builtin"
)

// Query is a parsed query. It is immutable once parsed and safe to share
// between goroutines; Parse caches them by text.
type Query struct {
	find     []findElem
	shape    shape
	keys     []any // :keys/:strs/:syms result keys, or nil
	with     []string
	in       []binding
	where    []clause
	env      *builtin.Env // objects boxed at parse time (sets, maps in constants)
	hasAgg   bool
	inferIn  bool // :in was absent (defaults to [$])
	maxDepth int
}

type shape uint8

const (
	shapeRel shape = iota
	shapeColl
	shapeTuple
	shapeScalar
)

type findKind uint8

const (
	findVar findKind = iota
	findAgg
	findPull
)

type findElem struct {
	kind    findKind
	v       string // the variable (aggregated or pulled)
	agg     string // aggregate name
	aggArgs []term // arguments before the variable ((min 2 ?x), (aggregate ?f ?x))
	src     string // pull source
	pattern *pull.Pattern
	patVar  string // pattern given as an input variable
}

type termKind uint8

const (
	tConst termKind = iota
	tVar
	tBlank
	tSrc
)

// term is one position of a pattern or an argument.
type term struct {
	kind termKind
	name string // variable or source name
	val  datom.Value
}

func (t term) String() string {
	switch t.kind {
	case tVar, tSrc:
		return t.name
	case tBlank:
		return "_"
	}
	return t.val.String()
}

// binding is a binding form (:in, or a function's output).
type binding struct {
	kind  bindKind
	v     string    // bScalar: the variable; bSource: the source name
	elems []binding // bTuple: the positions; bColl: one element
}

type bindKind uint8

const (
	bScalar bindKind = iota
	bBlank
	bTuple
	bColl
	bSource
	bRules
)

func (b binding) vars(out []string) []string {
	switch b.kind {
	case bScalar:
		return append(out, b.v)
	case bTuple, bColl:
		for _, e := range b.elems {
			out = e.vars(out)
		}
	}
	return out
}

// clause kinds
type clause interface{ form() string }

type patternClause struct {
	src   string // "" for the default source
	terms []term // e a v tx added, at least one
	text  string
}

type fnClause struct {
	fn   term // function name (tConst symbol) or a variable bound to a function
	args []term
	out  *binding // nil for a predicate
	text string
}

type notClause struct {
	src  string
	join []string // not-join variables; nil for not
	body []clause
	text string
}

type orClause struct {
	src      string
	join     []string // or-join variables (required first); for or, the branches' common vars
	required []string
	isJoin   bool
	branches [][]clause
	text     string
}

type ruleCall struct {
	src  string
	name string
	args []term
	text string
}

func (c *patternClause) form() string { return c.text }
func (c *fnClause) form() string      { return c.text }
func (c *notClause) form() string     { return c.text }
func (c *orClause) form() string      { return c.text }
func (c *ruleCall) form() string      { return c.text }

// rule is one body of a named rule.
type rule struct {
	name     string
	params   []string // head variables in order
	required int      // the first `required` params must be bound by the caller
	body     []clause
	text     string
}

type parser struct {
	env   *builtin.Env
	depth int
}

const maxClauseDepth = 200

// Parse parses a query given as EDN text or as a parsed EDN value (a
// vector [:find ...] or a map {:find [...] ...}). Text queries are cached
// (bounded LRU), so parsing the same text again is a map lookup.
func Parse(q any) (*Query, error) {
	if s, ok := q.(string); ok {
		if cached, ok := cache.get(s); ok {
			return cached, nil
		}
		parsed, err := parseText(s)
		if err != nil {
			return nil, err
		}
		cache.put(s, parsed)
		return parsed, nil
	}
	if pq, ok := q.(*Query); ok {
		return pq, nil
	}
	return parseValue(q)
}

func parseText(s string) (*Query, error) {
	v, err := edn.ReadString(s)
	if err != nil {
		return nil, &ParseError{Form: truncate(s), Msg: "cannot read query: " + err.Error()}
	}
	return parseValue(v)
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func printForm(v any) string { return truncate(edn.Print(v)) }

func parseValue(v any) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, &ParseError{Form: printForm(v), Msg: fmt.Sprintf("internal parser error: %v", r)}
		}
	}()
	p := &parser{env: &builtin.Env{}}
	parts, err := querySections(v)
	if err != nil {
		return nil, err
	}
	return p.query(parts, v)
}

type sections struct {
	find, with, in, where, keys []any
	keysKind                    string
	hasIn                       bool
}

func querySections(v any) (*sections, error) {
	s := &sections{}
	set := func(k edn.Keyword, vals []any) error {
		if k.NS != "" {
			return syntaxErr(k.String(), "unknown query section")
		}
		switch k.Name {
		case "find":
			s.find = vals
		case "with":
			s.with = vals
		case "in":
			s.in, s.hasIn = vals, true
		case "where":
			s.where = vals
		case "keys", "strs", "syms":
			if s.keysKind != "" {
				return syntaxErr(k.String(), "only one of :keys, :strs and :syms is allowed")
			}
			s.keys, s.keysKind = vals, k.Name
		case "timeout", "limit", "offset":
			// accepted and ignored (Datahike map-query extras)
		default:
			return syntaxErr(k.String(), "unknown query section")
		}
		return nil
	}
	switch t := v.(type) {
	case *edn.Map:
		for _, e := range t.Entries {
			k, ok := e.Key.(edn.Keyword)
			if !ok {
				return nil, syntaxErr(printForm(e.Key), "query map keys must be keywords")
			}
			vals, ok := edn.Elems(e.Val)
			if !ok {
				return nil, syntaxErr(printForm(e.Val), "expected a vector for %s", k)
			}
			if err := set(k, vals); err != nil {
				return nil, err
			}
		}
	default:
		elems, ok := edn.Elems(v)
		if !ok {
			return nil, syntaxErr(printForm(v), "a query is a vector or a map")
		}
		var cur *edn.Keyword
		var vals []any
		for _, e := range elems {
			if k, ok := e.(edn.Keyword); ok {
				if cur != nil {
					if err := set(*cur, vals); err != nil {
						return nil, err
					}
				}
				kk := k
				cur, vals = &kk, []any{}
				continue
			}
			if cur == nil {
				return nil, syntaxErr(printForm(v), "a query starts with a keyword such as :find")
			}
			vals = append(vals, e)
		}
		if cur != nil {
			if err := set(*cur, vals); err != nil {
				return nil, err
			}
		}
	}
	if len(s.find) == 0 {
		return nil, syntaxErr(printForm(v), ":find must name at least one element")
	}
	return s, nil
}

func isVarSym(x any) (string, bool) {
	s, ok := x.(edn.Symbol)
	if ok && s.NS == "" && len(s.Name) > 1 && s.Name[0] == '?' {
		return s.Name, true
	}
	return "", false
}

func isSrcSym(x any) (string, bool) {
	s, ok := x.(edn.Symbol)
	if ok && s.NS == "" && len(s.Name) >= 1 && s.Name[0] == '$' {
		return s.Name, true
	}
	return "", false
}

func isSym(x any, name string) bool {
	s, ok := x.(edn.Symbol)
	return ok && s.NS == "" && s.Name == name
}

func (p *parser) query(s *sections, form any) (*Query, error) {
	q := &Query{env: p.env}
	if err := p.findSpec(q, s.find); err != nil {
		return nil, err
	}
	for _, w := range s.with {
		name, ok := isVarSym(w)
		if !ok {
			return nil, syntaxErr(printForm(w), ":with expects variables")
		}
		q.with = append(q.with, name)
	}
	if s.hasIn {
		for _, in := range s.in {
			b, err := p.binding(in, true)
			if err != nil {
				return nil, err
			}
			q.in = append(q.in, b)
		}
	} else {
		q.in = []binding{{kind: bSource, v: "$"}}
		q.inferIn = true
	}
	cs, err := p.clauses(s.where)
	if err != nil {
		return nil, err
	}
	q.where = cs
	if s.keysKind != "" {
		if len(s.keys) != len(q.find) {
			return nil, syntaxErr(printForm(form), "count of :%s must match count of :find", s.keysKind)
		}
		for _, k := range s.keys {
			sym, ok := k.(edn.Symbol)
			if !ok {
				return nil, syntaxErr(printForm(k), ":%s expects symbols", s.keysKind)
			}
			switch s.keysKind {
			case "keys":
				q.keys = append(q.keys, edn.Keyword(sym))
			case "strs":
				q.keys = append(q.keys, sym.String())
			default:
				q.keys = append(q.keys, sym)
			}
		}
	}
	return q, p.validate(q, form)
}

// validate checks what DataScript checks before running: every :find and
// :with variable is bound somewhere, :find and :with do not overlap.
func (p *parser) validate(q *Query, form any) error {
	known := map[string]bool{}
	for _, b := range q.in {
		for _, v := range b.vars(nil) {
			known[v] = true
		}
	}
	for _, c := range q.where {
		for _, v := range clauseVars(c, nil) {
			known[v] = true
		}
	}
	var unknown []string
	findVars := map[string]bool{}
	for _, f := range q.find {
		findVars[f.v] = true
		if !known[f.v] {
			unknown = append(unknown, f.v)
		}
		for _, a := range f.aggArgs {
			if a.kind == tVar && !known[a.name] {
				unknown = append(unknown, a.name)
			}
		}
		if f.patVar != "" && !known[f.patVar] {
			unknown = append(unknown, f.patVar)
		}
	}
	for _, w := range q.with {
		if !known[w] {
			unknown = append(unknown, w)
		}
		if findVars[w] {
			return syntaxErr(printForm(form), ":find and :with should not use same variables: %s", w)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%w: Query for unknown vars: [%s]", ErrUnboundVariable, strings.Join(unknown, " "))
	}
	return nil
}

func (p *parser) findSpec(q *Query, find []any) error {
	elems := find
	switch {
	case len(find) == 2 && isSym(find[1], "."):
		q.shape = shapeScalar
		elems = find[:1]
	case len(find) == 1:
		if v, ok := find[0].(edn.Vector); ok {
			if len(v) == 2 && isSym(v[1], "...") {
				q.shape = shapeColl
				elems = v[:1]
			} else {
				if len(v) == 0 {
					return syntaxErr(printForm(find[0]), "empty find tuple")
				}
				q.shape = shapeTuple
				elems = v
			}
		}
	}
	for _, e := range elems {
		f, err := p.findElem(e)
		if err != nil {
			return err
		}
		if f.kind == findAgg {
			q.hasAgg = true
		}
		q.find = append(q.find, f)
	}
	return nil
}

func (p *parser) findElem(e any) (findElem, error) {
	if name, ok := isVarSym(e); ok {
		return findElem{kind: findVar, v: name}, nil
	}
	l, ok := e.(edn.List)
	if !ok || len(l) == 0 {
		return findElem{}, syntaxErr(printForm(e), "expected a variable, an aggregate or a pull expression in :find")
	}
	head, ok := l[0].(edn.Symbol)
	if !ok {
		return findElem{}, syntaxErr(printForm(e), "expected a function name")
	}
	if head.NS == "" && head.Name == "pull" {
		args := l[1:]
		f := findElem{kind: findPull, src: "$"}
		if len(args) == 3 {
			src, ok := isSrcSym(args[0])
			if !ok {
				return f, syntaxErr(printForm(e), "expected a source")
			}
			f.src, args = src, args[1:]
		}
		if len(args) != 2 {
			return f, syntaxErr(printForm(e), "expected (pull ?e pattern)")
		}
		v, ok := isVarSym(args[0])
		if !ok {
			return f, syntaxErr(printForm(e), "expected a variable to pull")
		}
		f.v = v
		if pv, ok := isVarSym(args[1]); ok {
			f.patVar = pv
			return f, nil
		}
		pat, err := pull.ParsePattern(args[1])
		if err != nil {
			return f, &ParseError{Form: printForm(e), Msg: err.Error()}
		}
		f.pattern = pat
		return f, nil
	}
	if len(l) < 2 {
		return findElem{}, syntaxErr(printForm(e), "an aggregate needs a variable")
	}
	v, ok := isVarSym(l[len(l)-1])
	if !ok {
		return findElem{}, syntaxErr(printForm(e), "the last argument of an aggregate must be a variable")
	}
	f := findElem{kind: findAgg, v: v, agg: head.String()}
	for _, a := range l[1 : len(l)-1] {
		t, err := p.term(a, false)
		if err != nil {
			return f, err
		}
		f.aggArgs = append(f.aggArgs, t)
	}
	if _, ok := aggregates[f.agg]; !ok && f.agg != "aggregate" {
		if _, ok := lookupAggregate(f.agg); !ok {
			return f, fmt.Errorf("%w: unknown aggregate %s in %s", ErrUnknownFunction, f.agg, printForm(e))
		}
	}
	return f, nil
}

// binding parses a binding form; top allows sources and rules ($, %).
func (p *parser) binding(x any, top bool) (binding, error) {
	if name, ok := isVarSym(x); ok {
		return binding{kind: bScalar, v: name}, nil
	}
	if isSym(x, "_") {
		return binding{kind: bBlank}, nil
	}
	if top {
		if src, ok := isSrcSym(x); ok {
			return binding{kind: bSource, v: src}, nil
		}
		if isSym(x, "%") {
			return binding{kind: bRules}, nil
		}
	}
	v, ok := x.(edn.Vector)
	if !ok || len(v) == 0 {
		return binding{}, syntaxErr(printForm(x), "invalid binding form")
	}
	if len(v) == 2 && isSym(v[1], "...") {
		el, err := p.binding(v[0], false)
		if err != nil {
			return binding{}, err
		}
		return binding{kind: bColl, elems: []binding{el}}, nil
	}
	if len(v) == 1 {
		if inner, ok := v[0].(edn.Vector); ok {
			// [[?a ?b]]: a relation, a collection of tuples.
			el, err := p.binding(inner, false)
			if err != nil {
				return binding{}, err
			}
			return binding{kind: bColl, elems: []binding{el}}, nil
		}
	}
	b := binding{kind: bTuple}
	for _, e := range v {
		el, err := p.binding(e, false)
		if err != nil {
			return binding{}, err
		}
		b.elems = append(b.elems, el)
	}
	return b, nil
}

// term parses a pattern position or function argument.
func (p *parser) term(x any, inPattern bool) (term, error) {
	if s, ok := x.(edn.Symbol); ok && s.NS == "" {
		switch {
		case len(s.Name) > 1 && s.Name[0] == '?':
			return term{kind: tVar, name: s.Name}, nil
		case s.Name == "_":
			return term{kind: tBlank}, nil
		case s.Name[0] == '$' || s.Name == "%":
			return term{kind: tSrc, name: s.Name}, nil
		}
	}
	v, err := p.env.FromEDN(x)
	if err != nil {
		return term{}, syntaxErr(printForm(x), "unsupported constant")
	}
	return term{kind: tConst, val: v}, nil
}

func (p *parser) clauses(forms []any) ([]clause, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxClauseDepth {
		return nil, syntaxErr("…", "clauses nested too deep")
	}
	out := make([]clause, 0, len(forms))
	for _, f := range forms {
		c, err := p.clause(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (p *parser) clause(f any) (clause, error) {
	switch t := f.(type) {
	case edn.Vector:
		if len(t) == 0 {
			return nil, syntaxErr(printForm(f), "empty clause")
		}
		if l, ok := t[0].(edn.List); ok {
			return p.fnClause(t, l)
		}
		return p.pattern(t)
	case edn.List:
		return p.listClause(t)
	}
	return nil, syntaxErr(printForm(f), "a clause is a vector or a list")
}

func (p *parser) pattern(v edn.Vector) (clause, error) {
	c := &patternClause{text: printForm(v)}
	elems := []any(v)
	if src, ok := isSrcSym(elems[0]); ok {
		c.src = src
		elems = elems[1:]
	}
	if len(elems) == 0 || len(elems) > 5 {
		return nil, syntaxErr(c.text, "a data pattern has one to five elements")
	}
	for _, e := range elems {
		t, err := p.term(e, true)
		if err != nil {
			return nil, err
		}
		if t.kind == tSrc {
			return nil, syntaxErr(c.text, "unexpected source in a pattern")
		}
		c.terms = append(c.terms, t)
	}
	return c, nil
}

func (p *parser) fnClause(v edn.Vector, call edn.List) (clause, error) {
	c := &fnClause{text: printForm(v)}
	if len(v) > 2 {
		return nil, syntaxErr(c.text, "a function clause is [(f args...)] or [(f args...) binding]")
	}
	if len(call) == 0 {
		return nil, syntaxErr(c.text, "empty function call")
	}
	switch h := call[0].(type) {
	case edn.Symbol:
		if name, ok := isVarSym(h); ok {
			c.fn = term{kind: tVar, name: name}
		} else {
			c.fn = term{kind: tConst, val: datom.Symbol(h.String())}
		}
	default:
		return nil, syntaxErr(c.text, "expected a function name")
	}
	for _, a := range call[1:] {
		t, err := p.term(a, false)
		if err != nil {
			return nil, err
		}
		if t.kind == tBlank {
			return nil, syntaxErr(c.text, "_ is not allowed as a function argument")
		}
		c.args = append(c.args, t)
	}
	if len(v) == 2 {
		b, err := p.binding(v[1], false)
		if err != nil {
			return nil, err
		}
		c.out = &b
	}
	return c, nil
}

func (p *parser) listClause(l edn.List) (clause, error) {
	text := printForm(l)
	if len(l) == 0 {
		return nil, syntaxErr(text, "empty clause")
	}
	elems := []any(l)
	src := ""
	if s, ok := isSrcSym(elems[0]); ok {
		src = s
		elems = elems[1:]
		if len(elems) == 0 {
			return nil, syntaxErr(text, "expected a clause after the source")
		}
	}
	head, ok := elems[0].(edn.Symbol)
	if !ok {
		return nil, syntaxErr(text, "expected not, not-join, or, or-join or a rule name")
	}
	name := head.String()
	switch name {
	case "not":
		if len(elems) < 2 {
			return nil, syntaxErr(text, "not needs at least one clause")
		}
		body, err := p.clauses(elems[1:])
		if err != nil {
			return nil, err
		}
		return &notClause{src: src, body: body, text: text}, nil
	case "not-join":
		if len(elems) < 3 {
			return nil, syntaxErr(text, "not-join needs variables and at least one clause")
		}
		vars, req, err := p.joinVars(elems[1], text)
		if err != nil {
			return nil, err
		}
		body, err := p.clauses(elems[2:])
		if err != nil {
			return nil, err
		}
		return &notClause{src: src, join: append(req, vars...), body: body, text: text}, nil
	case "or", "or-join":
		c := &orClause{src: src, text: text, isJoin: name == "or-join"}
		rest := elems[1:]
		if c.isJoin {
			if len(rest) < 1 {
				return nil, syntaxErr(text, "or-join needs variables")
			}
			vars, req, err := p.joinVars(rest[0], text)
			if err != nil {
				return nil, err
			}
			c.required = req
			c.join = append(append([]string{}, req...), vars...)
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return nil, syntaxErr(text, "%s needs at least one branch", name)
		}
		for _, b := range rest {
			var branch []clause
			if bl, ok := b.(edn.List); ok && len(bl) > 0 && isSym(bl[0], "and") {
				cs, err := p.clauses(bl[1:])
				if err != nil {
					return nil, err
				}
				branch = cs
			} else {
				cl, err := p.clause(b)
				if err != nil {
					return nil, err
				}
				branch = []clause{cl}
			}
			c.branches = append(c.branches, branch)
		}
		if !c.isJoin {
			first := uniq(clausesVars(c.branches[0]))
			for _, b := range c.branches[1:] {
				if !sameSet(first, uniq(clausesVars(b))) {
					return nil, syntaxErr(text, "All clauses in 'or' must use same set of free vars")
				}
			}
			c.join = first
		}
		return c, nil
	case "and":
		return nil, syntaxErr(text, "and is only allowed inside or")
	}
	if head.NS == "" && (strings.HasPrefix(head.Name, "?") || head.Name == "_") {
		return nil, syntaxErr(text, "expected a rule name")
	}
	c := &ruleCall{src: src, name: name, text: text}
	for _, a := range elems[1:] {
		t, err := p.term(a, true)
		if err != nil {
			return nil, err
		}
		if t.kind == tSrc {
			return nil, syntaxErr(text, "unexpected source in rule arguments")
		}
		c.args = append(c.args, t)
	}
	return c, nil
}

// joinVars parses [?a ?b] or [[?req] ?b]; it returns optional and required
// variables.
func (p *parser) joinVars(x any, text string) (vars, required []string, err error) {
	v, ok := x.(edn.Vector)
	if !ok {
		return nil, nil, syntaxErr(text, "expected a vector of join variables")
	}
	for i, e := range v {
		if inner, ok := e.(edn.Vector); ok && i == 0 {
			for _, r := range inner {
				name, ok := isVarSym(r)
				if !ok {
					return nil, nil, syntaxErr(text, "join variables must be variables")
				}
				required = append(required, name)
			}
			continue
		}
		name, ok := isVarSym(e)
		if !ok {
			return nil, nil, syntaxErr(text, "join variables must be variables")
		}
		vars = append(vars, name)
	}
	return vars, required, nil
}

// parseRules parses a rule set: a vector of [(name ?a [?b] ...) clause ...].
func parseRules(x any, env *builtin.Env) (map[string][]*rule, error) {
	if s, ok := x.(string); ok {
		v, err := edn.ReadString(s)
		if err != nil {
			return nil, &ParseError{Form: truncate(s), Msg: "cannot read rules: " + err.Error()}
		}
		x = v
	}
	p := &parser{env: env}
	list, ok := edn.Elems(x)
	if !ok {
		return nil, syntaxErr(printForm(x), "rules are a vector of rule definitions")
	}
	out := map[string][]*rule{}
	for _, rf := range list {
		rv, ok := edn.Elems(rf)
		if !ok || len(rv) < 2 {
			return nil, syntaxErr(printForm(rf), "a rule is [(name args...) clauses...]")
		}
		head, ok := rv[0].(edn.List)
		if !ok || len(head) == 0 {
			return nil, syntaxErr(printForm(rf), "a rule head is a list (name args...)")
		}
		nameSym, ok := head[0].(edn.Symbol)
		if !ok {
			return nil, syntaxErr(printForm(rf), "a rule name is a symbol")
		}
		r := &rule{name: nameSym.String(), text: printForm(rf)}
		for i, a := range head[1:] {
			if inner, ok := a.(edn.Vector); ok && i == 0 {
				for _, x := range inner {
					name, ok := isVarSym(x)
					if !ok {
						return nil, syntaxErr(r.text, "rule arguments must be variables")
					}
					r.params = append(r.params, name)
				}
				r.required = len(r.params)
				continue
			}
			name, ok := isVarSym(a)
			if !ok {
				return nil, syntaxErr(r.text, "rule arguments must be variables")
			}
			r.params = append(r.params, name)
		}
		body, err := p.clauses(rv[1:])
		if err != nil {
			return nil, err
		}
		r.body = body
		if prev := out[r.name]; len(prev) > 0 && len(prev[0].params) != len(r.params) {
			return nil, syntaxErr(r.text, "all bodies of rule %s must have the same arity", r.name)
		}
		out[r.name] = append(out[r.name], r)
	}
	return out, nil
}

// clauseVars appends the variables a clause mentions (for not-join and
// or-join only the join variables are visible outside).
func clauseVars(c clause, out []string) []string {
	switch t := c.(type) {
	case *patternClause:
		for _, x := range t.terms {
			if x.kind == tVar {
				out = append(out, x.name)
			}
		}
	case *fnClause:
		if t.fn.kind == tVar {
			out = append(out, t.fn.name)
		}
		for _, x := range t.args {
			if x.kind == tVar {
				out = append(out, x.name)
			}
		}
		if t.out != nil {
			out = t.out.vars(out)
		}
	case *notClause:
		if t.join != nil {
			return append(out, t.join...)
		}
		for _, b := range t.body {
			out = clauseVars(b, out)
		}
	case *orClause:
		return append(out, t.join...)
	case *ruleCall:
		for _, x := range t.args {
			if x.kind == tVar {
				out = append(out, x.name)
			}
		}
	}
	return out
}

func clausesVars(cs []clause) []string {
	var out []string
	for _, c := range cs {
		out = clauseVars(c, out)
	}
	return out
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}
