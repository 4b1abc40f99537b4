//go:build js && wasm

// Package jsregexp is the regular-expression engine of the query built-ins
// in the browser build: the browser's RegExp (JavaScript syntax, as
// DataScript's in the browser), so that the wasm does without package
// regexp and the Unicode tables it links (about 0.12 MB of gzip). The
// engine (core/query/builtin) stays free of syscall/js; the wasm program
// calls Register at start-up.
//
// Patterns compile with the "u" flag (code points, as Go's runes) and
// without it when the "u" grammar rejects them; a leading (?ims) group
// becomes flags. The results follow the native engine's rules
// (builtin.CompiledRegexp): groups that did not take part are "",
// re-matches is a match of the whole string, FindAll skips an empty match
// right after a previous match, and Split is Go's regexp.Split(s, -1).
package jsregexp

import (
	"errors"
	"sync"
	"syscall/js"

	"github.com/cairn-db/cairn/core/query/builtin"
)

// Register makes the browser's RegExp the engine of the built-ins.
func Register() { builtin.SetRegexpEngine(engine{}) }

type engine struct{}

func (engine) Compile(src string) (builtin.CompiledRegexp, error) {
	v := reHelpers().compile.Invoke(src)
	if v.Type() == js.TypeString {
		return nil, errors.New(v.String())
	}
	return reImpl{v}, nil
}

type reImpl struct{ re js.Value }

// reJS is the JavaScript half, compiled once.
const reJS = `
const compile = (src) => {
  let flags = "", body = src;
  const m = /^\(\?([ims]+)\)/.exec(src);
  if (m) { flags = [...new Set(m[1])].join(""); body = src.slice(m[0].length); }
  let re;
  try { re = new RegExp(body, flags + "u"); } catch (e) {
    try { re = new RegExp(body, flags); } catch (e2) { return String(e.message); }
  }
  re.__src = src;
  return re;
};
const groups = (m) => Array.from(m, (x) => (x === undefined ? "" : x));
const all = (re, s) => {
  let g = re.__all;
  if (!g) g = re.__all = new RegExp(re.source, re.flags + "g");
  const out = [];
  let prevEnd = -1, m;
  g.lastIndex = 0;
  while ((m = g.exec(s)) !== null) {
    const start = m.index, end = start + m[0].length;
    if (end === start) {
      g.lastIndex = end + (re.unicode && s.codePointAt(end) > 0xffff ? 2 : 1);
      if (start === prevEnd) { prevEnd = end; continue; }
    }
    prevEnd = end;
    out.push(m);
  }
  return out;
};
return {
  compile,
  find: (re, s) => { const m = re.exec(s); return m === null ? null : groups(m); },
  matches: (re, s) => {
    let f = re.__full;
    if (!f) f = re.__full = new RegExp("(?:" + re.source + ")(?![\\s\\S])", re.flags + "y");
    f.lastIndex = 0;
    const m = f.exec(s);
    return m === null ? null : groups(m);
  },
  findAll: (re, s) => all(re, s).map(groups),
  split: (re, s) => {
    if (re.__src !== "" && s.length === 0) return [""];
    const out = [];
    let beg = 0, end = 0;
    for (const m of all(re, s)) {
      end = m.index;
      if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
      beg = m.index + m[0].length;
    }
    if (end !== s.length) out.push(s.slice(beg));
    return out;
  },
};`

type reHelperFns struct {
	once                                   sync.Once
	compile, find, matches, findAll, split js.Value
}

var reFns reHelperFns

func reHelpers() *reHelperFns {
	reFns.once.Do(func() {
		h := js.Global().Get("Function").New(reJS).Invoke()
		reFns.compile, reFns.find, reFns.matches = h.Get("compile"), h.Get("find"), h.Get("matches")
		reFns.findAll, reFns.split = h.Get("findAll"), h.Get("split")
	})
	return &reFns
}

func jsStrings(v js.Value) []string {
	if v.IsNull() {
		return nil
	}
	out := make([]string, v.Length())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

func (r reImpl) Find(s string) []string { return jsStrings(reHelpers().find.Invoke(r.re, s)) }

func (r reImpl) Matches(s string) ([]string, error) {
	return jsStrings(reHelpers().matches.Invoke(r.re, s)), nil
}

func (r reImpl) FindAll(s string) [][]string {
	v := reHelpers().findAll.Invoke(r.re, s)
	n := v.Length()
	if n == 0 {
		return nil
	}
	out := make([][]string, n)
	for i := range out {
		out[i] = jsStrings(v.Index(i))
	}
	return out
}

func (r reImpl) Split(s string) []string { return jsStrings(reHelpers().split.Invoke(r.re, s)) }
