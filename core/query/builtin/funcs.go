package builtin

import (
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf16"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

// Regexp is a compiled regular expression made by re-pattern, compiled by
// the registered RegexpEngine: natively Go's regexp (RE2 syntax), in the
// browser build the browser's RegExp (JavaScript syntax, as DataScript's
// in the browser; wasm/jsregexp). The common subset behaves the same, and
// so do the built-ins' results (the engines follow Go's rules for
// submatches, empty matches and splitting).
type Regexp struct {
	re  CompiledRegexp
	src string
}

// maxRange bounds the size of a (range ...) result.
const maxRange = 1 << 22

var builtins map[string]Func

// builtinTable lists the built-ins: a table rather than a map literal,
// whose every entry compiles to code in init (the table's static entries
// are data).
var builtinTable = [...]struct {
	name string
	fn   Func
}{
	{"=", fnEq},
	{"==", fnEq},
	{"not=", func(env *Env, a []datom.Value) (datom.Value, error) {
		v, err := fnEq(env, a)
		return datom.Bool(err == nil && !v.AsBool()), err
	}},
	{"!=", nil}, // set below
	{"<", cmpChain("<", func(c int) bool { return c < 0 })},
	{">", cmpChain(">", func(c int) bool { return c > 0 })},
	{"<=", cmpChain("<=", func(c int) bool { return c <= 0 })},
	{">=", cmpChain(">=", func(c int) bool { return c >= 0 })},
	{"+", fold("+", datom.Long(0), add)},
	{"*", fold("*", datom.Long(1), mul)},
	{"-", fnSub},
	{"/", fnDiv},
	{"quot", binary("quot", quot)},
	{"rem", binary("rem", rem)},
	{"mod", binary("mod", mod)},
	{"inc", unaryNum("inc", func(v datom.Value) (datom.Value, error) { return add(v, datom.Long(1)) })},
	{"dec", unaryNum("dec", func(v datom.Value) (datom.Value, error) { return sub(v, datom.Long(1)) })},
	{"max", extreme("max", 1)},
	{"min", extreme("min", -1)},
	{"zero?", numPred("zero?", func(f float64) bool { return f == 0 })},
	{"pos?", numPred("pos?", func(f float64) bool { return f > 0 })},
	{"neg?", numPred("neg?", func(f float64) bool { return f < 0 })},
	{"even?", intPred("even?", func(n int64) bool { return n%2 == 0 })},
	{"odd?", intPred("odd?", func(n int64) bool { return n%2 != 0 })},
	{"compare", fnCompare},
	{"rand", fnRand},
	{"rand-int", fnRandInt},
	{"true?", pred1("true?", func(v datom.Value) bool { return v.Kind() == datom.KindBool && v.AsBool() })},
	{"false?", pred1("false?", func(v datom.Value) bool { return v.Kind() == datom.KindBool && !v.AsBool() })},
	{"nil?", pred1("nil?", func(v datom.Value) bool { return v.IsNil() })},
	{"some?", pred1("some?", func(v datom.Value) bool { return !v.IsNil() })},
	{"not", pred1("not", func(v datom.Value) bool { return !Truthy(v) })},
	{"and", fnAnd},
	{"or", fnOr},
	{"complement", func(env *Env, a []datom.Value) (datom.Value, error) {
		if err := arity("complement", a, 1, 1); err != nil {
			return datom.Nil, err
		}
		f, ok := env.Unbox(a[0])
		fn, isFn := f.(Func)
		if !ok || !isFn {
			return datom.Nil, argErr("complement", "not a function")
		}
		return env.Box(Func(func(env *Env, a []datom.Value) (datom.Value, error) {
			v, err := fn(env, a)
			return datom.Bool(!Truthy(v)), err
		})), nil
	}},
	{"identical?", fnEq},
	{"identity", func(env *Env, a []datom.Value) (datom.Value, error) {
		if err := arity("identity", a, 1, 1); err != nil {
			return datom.Nil, err
		}
		return a[0], nil
	}},
	{"keyword", fnKeyword},
	{"meta", func(*Env, []datom.Value) (datom.Value, error) { return datom.Nil, nil }},
	{"name", fnName},
	{"namespace", fnNamespace},
	{"type", fnType},
	{"vector", func(_ *Env, a []datom.Value) (datom.Value, error) {
		return datom.Tuple(append([]datom.Value(nil), a...)), nil
	}},
	{"list", func(_ *Env, a []datom.Value) (datom.Value, error) {
		return datom.Tuple(append([]datom.Value(nil), a...)), nil
	}},
	{"tuple", func(_ *Env, a []datom.Value) (datom.Value, error) {
		return datom.Tuple(append([]datom.Value(nil), a...)), nil
	}},
	{"untuple", fnUntuple},
	{"set", fnSet},
	{"hash-set", fnHashSet},
	{"hash-map", fnHashMap},
	{"array-map", fnHashMap},
	{"count", fnCount},
	{"range", fnRange},
	{"not-empty", fnNotEmpty},
	{"empty?", fnEmpty},
	{"contains?", fnContains},
	{"str", fnStr},
	{"subs", fnSubs},
	{"get", fnGet},
	{"pr-str", joinPrint(" ", false, (*Env).PrStr)},
	{"prn-str", joinPrint(" ", true, (*Env).PrStr)},
	{"print-str", joinPrint(" ", false, (*Env).Str)},
	{"println-str", joinPrint(" ", true, (*Env).Str)},
	{"re-pattern", fnRePattern},
	{"re-find", fnReFind},
	{"re-matches", fnReMatches},
	{"re-seq", fnReSeq},
	{"-differ?", fnDiffer},
	{"clojure.string/blank?", fnBlank},
	{"clojure.string/includes?", strPred2("includes?", strings.Contains)},
	{"clojure.string/starts-with?", strPred2("starts-with?", strings.HasPrefix)},
	{"clojure.string/ends-with?", strPred2("ends-with?", strings.HasSuffix)},
	{"clojure.string/lower-case", strFn1("lower-case", strings.ToLower)},
	{"clojure.string/upper-case", strFn1("upper-case", strings.ToUpper)},
	{"clojure.string/trim", strFn1("trim", strings.TrimSpace)},
	{"clojure.string/triml", strFn1("triml", func(s string) string { return strings.TrimLeft(s, " \t\n\r\f\v") })},
	{"clojure.string/trimr", strFn1("trimr", func(s string) string { return strings.TrimRight(s, " \t\n\r\f\v") })},
	{"clojure.string/join", fnJoin},
	{"clojure.string/split", fnSplit},
	{"clojure.string/capitalize", strFn1("capitalize", func(s string) string {
		if s == "" {
			return s
		}
		r := []rune(strings.ToLower(s))
		return strings.ToUpper(string(r[0])) + string(r[1:])
	})},
}

func init() {
	builtins = make(map[string]Func, len(builtinTable))
	for _, e := range builtinTable {
		builtins[e.name] = e.fn
	}
	builtins["!="] = builtins["not="]
}

func fnEq(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("=", a, 1, -1); err != nil {
		return datom.Nil, err
	}
	for i := 1; i < len(a); i++ {
		if !a[0].Equal(a[i]) {
			return datom.Bool(false), nil
		}
	}
	return datom.Bool(true), nil
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func cmpChain(name string, ok func(int) bool) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, -1); err != nil {
			return datom.Nil, err
		}
		for i := 1; i < len(a); i++ {
			if !ok(datom.Compare(a[i-1], a[i])) {
				return datom.Bool(false), nil
			}
		}
		return datom.Bool(true), nil
	}
}

func fnCompare(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("compare", a, 2, 2); err != nil {
		return datom.Nil, err
	}
	return datom.Long(int64(datom.Compare(a[0], a[1]))), nil
}

func isNum(v datom.Value) bool { return v.Kind().IsNumber() }

func needNums(name string, a []datom.Value) error {
	for _, v := range a {
		if !isNum(v) {
			return argErr(name, "%s is not a number", v)
		}
	}
	return nil
}

func f64(v datom.Value) float64 { f, _ := v.Float(); return f }

// Add returns a+b with JavaScript-like number semantics.
func Add(a, b datom.Value) (datom.Value, error) { return add(a, b) }

func add(a, b datom.Value) (datom.Value, error) {
	if !isNum(a) || !isNum(b) {
		return datom.Nil, argErr("+", "not a number")
	}
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		x, y := a.AsLong(), b.AsLong()
		s := x + y
		if (s > x) == (y > 0) {
			return datom.Long(s), nil
		}
	}
	return datom.Double(f64(a) + f64(b)), nil
}

func sub(a, b datom.Value) (datom.Value, error) {
	if !isNum(a) || !isNum(b) {
		return datom.Nil, argErr("-", "not a number")
	}
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		x, y := a.AsLong(), b.AsLong()
		s := x - y
		if (s < x) == (y > 0) {
			return datom.Long(s), nil
		}
	}
	return datom.Double(f64(a) - f64(b)), nil
}

func mul(a, b datom.Value) (datom.Value, error) {
	if !isNum(a) || !isNum(b) {
		return datom.Nil, argErr("*", "not a number")
	}
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		x, y := a.AsLong(), b.AsLong()
		if x == 0 || y == 0 {
			return datom.Long(0), nil
		}
		p := x * y
		if p/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
			return datom.Long(p), nil
		}
	}
	return datom.Double(f64(a) * f64(b)), nil
}

func div(a, b datom.Value) (datom.Value, error) {
	if !isNum(a) || !isNum(b) {
		return datom.Nil, argErr("/", "not a number")
	}
	if f64(b) == 0 {
		return datom.Nil, argErr("/", "divide by zero")
	}
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		x, y := a.AsLong(), b.AsLong()
		if y != -1 && x%y == 0 {
			return datom.Long(x / y), nil
		}
	}
	return datom.Double(f64(a) / f64(b)), nil
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func fold(name string, zero datom.Value, op func(a, b datom.Value) (datom.Value, error)) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := needNums(name, a); err != nil {
			return datom.Nil, err
		}
		acc := zero
		for i, v := range a {
			if i == 0 {
				acc = v
				continue
			}
			var err error
			if acc, err = op(acc, v); err != nil {
				return datom.Nil, err
			}
		}
		return acc, nil
	}
}

func fnSub(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("-", a, 1, -1); err != nil {
		return datom.Nil, err
	}
	if len(a) == 1 {
		return sub(datom.Long(0), a[0])
	}
	return fold("-", datom.Nil, sub)(env, a)
}

func fnDiv(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("/", a, 1, -1); err != nil {
		return datom.Nil, err
	}
	if len(a) == 1 {
		return div(datom.Long(1), a[0])
	}
	return fold("/", datom.Nil, div)(env, a)
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func binary(name string, op func(a, b datom.Value) (datom.Value, error)) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 2, 2); err != nil {
			return datom.Nil, err
		}
		if err := needNums(name, a); err != nil {
			return datom.Nil, err
		}
		if f64(a[1]) == 0 {
			return datom.Nil, argErr(name, "divide by zero")
		}
		return op(a[0], a[1])
	}
}

func quot(a, b datom.Value) (datom.Value, error) {
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong && b.AsLong() != -1 {
		return datom.Long(a.AsLong() / b.AsLong()), nil
	}
	return datom.Double(math.Trunc(f64(a) / f64(b))), nil
}

func rem(a, b datom.Value) (datom.Value, error) {
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		if b.AsLong() == -1 {
			return datom.Long(0), nil
		}
		return datom.Long(a.AsLong() % b.AsLong()), nil
	}
	return datom.Double(math.Mod(f64(a), f64(b))), nil
}

func mod(a, b datom.Value) (datom.Value, error) {
	if a.Kind() == datom.KindLong && b.Kind() == datom.KindLong {
		y := b.AsLong()
		if y == -1 {
			return datom.Long(0), nil
		}
		m := a.AsLong() % y
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return datom.Long(m), nil
	}
	x, y := f64(a), f64(b)
	m := math.Mod(x, y)
	if m != 0 && (m < 0) != (y < 0) {
		m += y
	}
	return datom.Double(m), nil
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func unaryNum(name string, op func(datom.Value) (datom.Value, error)) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, 1); err != nil {
			return datom.Nil, err
		}
		if err := needNums(name, a); err != nil {
			return datom.Nil, err
		}
		return op(a[0])
	}
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func extreme(name string, sign int) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, -1); err != nil {
			return datom.Nil, err
		}
		if err := needNums(name, a); err != nil {
			return datom.Nil, err
		}
		best := a[0]
		for _, v := range a[1:] {
			if datom.Compare(v, best)*sign > 0 {
				best = v
			}
		}
		return best, nil
	}
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func numPred(name string, p func(float64) bool) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, 1); err != nil {
			return datom.Nil, err
		}
		if err := needNums(name, a); err != nil {
			return datom.Nil, err
		}
		return datom.Bool(p(f64(a[0]))), nil
	}
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func intPred(name string, p func(int64) bool) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, 1); err != nil {
			return datom.Nil, err
		}
		n, ok := a[0].Int()
		if !ok {
			return datom.Nil, argErr(name, "%s is not an integer", a[0])
		}
		return datom.Bool(p(n)), nil
	}
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func pred1(name string, p func(datom.Value) bool) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, 1); err != nil {
			return datom.Nil, err
		}
		return datom.Bool(p(a[0])), nil
	}
}

func fnAnd(_ *Env, a []datom.Value) (datom.Value, error) {
	r := datom.Bool(true)
	for _, v := range a {
		r = v
		if !Truthy(v) {
			return v, nil
		}
	}
	return r, nil
}

func fnOr(_ *Env, a []datom.Value) (datom.Value, error) {
	r := datom.Nil
	for _, v := range a {
		r = v
		if Truthy(v) {
			return v, nil
		}
	}
	return r, nil
}

func fnRand(_ *Env, a []datom.Value) (datom.Value, error) {
	switch len(a) {
	case 0:
		return datom.Double(rand.Float64()), nil
	case 1:
		if !isNum(a[0]) {
			return datom.Nil, argErr("rand", "not a number")
		}
		return datom.Double(rand.Float64() * f64(a[0])), nil
	}
	return datom.Nil, argErr("rand", "wrong number of arguments (%d)", len(a))
}

func fnRandInt(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("rand-int", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	n, ok := a[0].Int()
	if !ok || n <= 0 {
		return datom.Nil, argErr("rand-int", "bound must be a positive integer")
	}
	return datom.Long(rand.Int64N(n)), nil
}

func fnKeyword(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("keyword", a, 1, 2); err != nil {
		return datom.Nil, err
	}
	if len(a) == 2 {
		if a[0].IsNil() {
			return datom.Keyword(a[1].Text()), nil
		}
		return datom.Keyword(a[0].Text() + "/" + a[1].Text()), nil
	}
	switch a[0].Kind() {
	case datom.KindKeyword:
		return a[0], nil
	case datom.KindString, datom.KindSymbol:
		return datom.Keyword(a[0].Text()), nil
	}
	return datom.Nil, nil
}

func splitName(v datom.Value) (ns, name string) {
	t := v.Text()
	if i := strings.IndexByte(t, '/'); i > 0 && i < len(t)-1 {
		return t[:i], t[i+1:]
	}
	return "", t
}

func fnName(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("name", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	switch a[0].Kind() {
	case datom.KindString:
		return a[0], nil
	case datom.KindKeyword, datom.KindSymbol:
		_, n := splitName(a[0])
		return datom.String(n), nil
	}
	return datom.Nil, argErr("name", "doesn't support %s", a[0].Kind())
}

func fnNamespace(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("namespace", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	switch a[0].Kind() {
	case datom.KindKeyword, datom.KindSymbol:
		if ns, _ := splitName(a[0]); ns != "" {
			return datom.String(ns), nil
		}
		return datom.Nil, nil
	}
	return datom.Nil, argErr("namespace", "doesn't support %s", a[0].Kind())
}

func fnType(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("type", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	return datom.String(a[0].Kind().String()), nil
}

func fnUntuple(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("untuple", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	if a[0].Kind() != datom.KindTuple {
		return datom.Nil, argErr("untuple", "%s is not a tuple", a[0])
	}
	return a[0], nil
}

// Elems returns the elements of a collection value: a tuple, or a boxed
// set or map (as [k v] tuples); ok is false for other values. nil is
// empty.
func (e *Env) Elems(v datom.Value) ([]datom.Value, bool) {
	switch v.Kind() {
	case datom.KindNil:
		return nil, true
	case datom.KindTuple:
		return v.AsTuple(), true
	case datom.KindString:
		out := []datom.Value{}
		for _, r := range v.Text() {
			out = append(out, datom.String(string(r)))
		}
		return out, true
	}
	o, ok := e.Unbox(v)
	if !ok {
		return nil, false
	}
	switch t := o.(type) {
	case *edn.Set:
		out := make([]datom.Value, 0, t.Len())
		for _, x := range t.Elems {
			xv, err := e.FromEDN(x)
			if err != nil {
				return nil, false
			}
			out = append(out, xv)
		}
		return out, true
	case *edn.Map:
		out := make([]datom.Value, 0, t.Len())
		for _, x := range t.Entries {
			k, err1 := e.FromEDN(x.Key)
			val, err2 := e.FromEDN(x.Val)
			if err1 != nil || err2 != nil {
				return nil, false
			}
			out = append(out, datom.Tuple([]datom.Value{k, val}))
		}
		return out, true
	}
	return nil, false
}

func fnSet(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("set", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	xs, ok := env.Elems(a[0])
	if !ok {
		return datom.Nil, argErr("set", "not a collection")
	}
	return fnHashSet(env, xs)
}

func fnHashSet(env *Env, a []datom.Value) (datom.Value, error) {
	s := edn.NewSet()
	for _, v := range a {
		s.Add(env.ToEDN(v))
	}
	return env.Box(s), nil
}

func fnHashMap(env *Env, a []datom.Value) (datom.Value, error) {
	if len(a)%2 != 0 {
		return datom.Nil, argErr("hash-map", "odd number of arguments")
	}
	m := edn.NewMap()
	for i := 0; i < len(a); i += 2 {
		m.Set(env.ToEDN(a[i]), env.ToEDN(a[i+1]))
	}
	return env.Box(m), nil
}

func fnCount(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("count", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	if a[0].Kind() == datom.KindString {
		return datom.Long(int64(len(utf16.Encode([]rune(a[0].Text()))))), nil
	}
	xs, ok := env.Elems(a[0])
	if !ok {
		return datom.Nil, argErr("count", "not supported on %s", a[0].Kind())
	}
	return datom.Long(int64(len(xs))), nil
}

func fnRange(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("range", a, 1, 3); err != nil {
		return datom.Nil, err
	}
	if err := needNums("range", a); err != nil {
		return datom.Nil, err
	}
	start, end, step := datom.Long(0), a[0], datom.Long(1)
	if len(a) >= 2 {
		start, end = a[0], a[1]
	}
	if len(a) == 3 {
		step = a[2]
	}
	if f64(step) == 0 {
		return datom.Nil, argErr("range", "zero step")
	}
	n := math.Ceil((f64(end) - f64(start)) / f64(step))
	if n > maxRange {
		return datom.Nil, argErr("range", "more than %d elements", maxRange)
	}
	var out []datom.Value
	cur := start
	for i := 0; i < int(n); i++ {
		out = append(out, cur)
		var err error
		if cur, err = add(cur, step); err != nil {
			return datom.Nil, err
		}
	}
	return datom.Tuple(out), nil
}

func fnNotEmpty(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("not-empty", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	xs, ok := env.Elems(a[0])
	if !ok {
		return datom.Nil, argErr("not-empty", "not a collection")
	}
	if len(xs) == 0 {
		return datom.Nil, nil
	}
	return a[0], nil
}

func fnEmpty(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("empty?", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	xs, ok := env.Elems(a[0])
	if !ok {
		return datom.Nil, argErr("empty?", "not a collection")
	}
	return datom.Bool(len(xs) == 0), nil
}

func fnContains(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("contains?", a, 2, 2); err != nil {
		return datom.Nil, err
	}
	switch a[0].Kind() {
	case datom.KindNil:
		return datom.Bool(false), nil
	case datom.KindTuple:
		i, ok := a[1].Int()
		return datom.Bool(ok && i >= 0 && i < int64(len(a[0].AsTuple()))), nil
	}
	o, ok := env.Unbox(a[0])
	if !ok {
		return datom.Nil, argErr("contains?", "not supported on %s", a[0].Kind())
	}
	key := env.ToEDN(a[1])
	switch t := o.(type) {
	case *edn.Set:
		return datom.Bool(t.Has(key)), nil
	case *edn.Map:
		_, has := t.Get(key)
		return datom.Bool(has), nil
	}
	return datom.Nil, argErr("contains?", "not a collection")
}

func fnStr(env *Env, a []datom.Value) (datom.Value, error) {
	var b strings.Builder
	for _, v := range a {
		b.WriteString(env.Str(v))
	}
	return datom.String(b.String()), nil
}

func fnSubs(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("subs", a, 2, 3); err != nil {
		return datom.Nil, err
	}
	if a[0].Kind() != datom.KindString {
		return datom.Nil, argErr("subs", "not a string")
	}
	u := utf16.Encode([]rune(a[0].Text()))
	start, ok := a[1].Int()
	end := int64(len(u))
	if len(a) == 3 {
		var ok2 bool
		end, ok2 = a[2].Int()
		ok = ok && ok2
	}
	if !ok || start < 0 || end > int64(len(u)) || start > end {
		return datom.Nil, argErr("subs", "index out of range")
	}
	return datom.String(string(utf16.Decode(u[start:end]))), nil
}

func fnGet(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("get", a, 2, 3); err != nil {
		return datom.Nil, err
	}
	def := datom.Nil
	if len(a) == 3 {
		def = a[2]
	}
	switch a[0].Kind() {
	case datom.KindTuple:
		t := a[0].AsTuple()
		if i, ok := a[1].Int(); ok && i >= 0 && i < int64(len(t)) {
			return t[i], nil
		}
		return def, nil
	case datom.KindString:
		u := []rune(a[0].Text())
		if i, ok := a[1].Int(); ok && i >= 0 && i < int64(len(u)) {
			return datom.String(string(u[i])), nil
		}
		return def, nil
	}
	o, ok := env.Unbox(a[0])
	if !ok {
		return def, nil
	}
	key := env.ToEDN(a[1])
	switch t := o.(type) {
	case *edn.Map:
		if v, has := t.Get(key); has {
			return env.FromEDN(v)
		}
	case *edn.Set:
		if t.Has(key) {
			return a[1], nil
		}
	}
	return def, nil
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func joinPrint(sep string, nl bool, f func(*Env, datom.Value) string) Func {
	return func(env *Env, a []datom.Value) (datom.Value, error) {
		parts := make([]string, len(a))
		for i, v := range a {
			parts[i] = f(env, v)
		}
		s := strings.Join(parts, sep)
		if nl {
			s += "\n"
		}
		return datom.String(s), nil
	}
}

func regexpArg(env *Env, name string, v datom.Value) (*Regexp, error) {
	if v.Kind() == datom.KindString {
		return compileRegexp(name, v.Text())
	}
	if o, ok := env.Unbox(v); ok {
		if r, ok := o.(*Regexp); ok {
			return r, nil
		}
	}
	return nil, argErr(name, "%s is not a regular expression", v)
}

func compileRegexp(name, src string) (*Regexp, error) {
	re, err := compileRe(src)
	if err != nil {
		return nil, argErr(name, "%v", err)
	}
	return &Regexp{re: re, src: src}, nil
}

func fnRePattern(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("re-pattern", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	r, err := regexpArg(env, "re-pattern", a[0])
	if err != nil {
		return datom.Nil, err
	}
	return env.Box(r), nil
}

func matchValue(m []string) datom.Value {
	if m == nil {
		return datom.Nil
	}
	if len(m) == 1 {
		return datom.String(m[0])
	}
	vs := make([]datom.Value, len(m))
	for i, s := range m {
		vs[i] = datom.String(s)
	}
	return datom.Tuple(vs)
}

func reArgs(env *Env, name string, a []datom.Value) (*Regexp, string, error) {
	if err := arity(name, a, 2, 2); err != nil {
		return nil, "", err
	}
	r, err := regexpArg(env, name, a[0])
	if err != nil {
		return nil, "", err
	}
	if a[1].Kind() != datom.KindString {
		return nil, "", argErr(name, "%s is not a string", a[1])
	}
	return r, a[1].Text(), nil
}

func fnReFind(env *Env, a []datom.Value) (datom.Value, error) {
	r, s, err := reArgs(env, "re-find", a)
	if err != nil {
		return datom.Nil, err
	}
	return matchValue(r.re.Find(s)), nil
}

func fnReMatches(env *Env, a []datom.Value) (datom.Value, error) {
	r, s, err := reArgs(env, "re-matches", a)
	if err != nil {
		return datom.Nil, err
	}
	m, err := r.re.Matches(s)
	if err != nil {
		return datom.Nil, argErr("re-matches", "%v", err)
	}
	return matchValue(m), nil
}

func fnReSeq(env *Env, a []datom.Value) (datom.Value, error) {
	r, s, err := reArgs(env, "re-seq", a)
	if err != nil {
		return datom.Nil, err
	}
	all := r.re.FindAll(s)
	if len(all) == 0 {
		return datom.Nil, nil
	}
	out := make([]datom.Value, len(all))
	for i, m := range all {
		out[i] = matchValue(m)
	}
	return datom.Tuple(out), nil
}

func fnDiffer(_ *Env, a []datom.Value) (datom.Value, error) {
	n := len(a) / 2
	for i := 0; i < n; i++ {
		if !a[i].Equal(a[i+n]) {
			return datom.Bool(true), nil
		}
	}
	return datom.Bool(false), nil
}

func fnBlank(_ *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("blank?", a, 1, 1); err != nil {
		return datom.Nil, err
	}
	return datom.Bool(a[0].IsNil() || strings.TrimSpace(a[0].Text()) == ""), nil
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func strPred2(name string, p func(s, sub string) bool) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 2, 2); err != nil {
			return datom.Nil, err
		}
		if a[0].Kind() != datom.KindString || a[1].Kind() != datom.KindString {
			return datom.Nil, argErr(name, "not a string")
		}
		return datom.Bool(p(a[0].Text(), a[1].Text())), nil
	}
}

// Not inlined: it runs once per built-in at init, and inlining would copy
// the closure's body into every call site (code size of the wasm build).
//
//go:noinline
func strFn1(name string, f func(string) string) Func {
	return func(_ *Env, a []datom.Value) (datom.Value, error) {
		if err := arity(name, a, 1, 1); err != nil {
			return datom.Nil, err
		}
		if a[0].Kind() != datom.KindString {
			return datom.Nil, argErr(name, "not a string")
		}
		return datom.String(f(a[0].Text())), nil
	}
}

func fnJoin(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("join", a, 1, 2); err != nil {
		return datom.Nil, err
	}
	sep, coll := "", a[0]
	if len(a) == 2 {
		sep, coll = env.Str(a[0]), a[1]
	}
	xs, ok := env.Elems(coll)
	if !ok {
		return datom.Nil, argErr("join", "not a collection")
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = env.Str(x)
	}
	return datom.String(strings.Join(parts, sep)), nil
}

func fnSplit(env *Env, a []datom.Value) (datom.Value, error) {
	if err := arity("split", a, 2, 2); err != nil {
		return datom.Nil, err
	}
	r, s, err := reArgs(env, "split", []datom.Value{a[1], a[0]})
	if err != nil {
		return datom.Nil, err
	}
	parts := r.re.Split(s)
	out := make([]datom.Value, len(parts))
	for i, p := range parts {
		out[i] = datom.String(p)
	}
	return datom.Tuple(out), nil
}
