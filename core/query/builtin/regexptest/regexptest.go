// Package regexptest checks the regular-expression built-ins (re-find,
// re-matches, re-seq, re-pattern, clojure.string/split) against one table
// of expected results, whatever builtin.RegexpEngine is registered: Go's
// regexp natively (core/query/builtin's tests) and the browser's RegExp in
// the js/wasm build (wasm/jsregexp's tests, under node).
package regexptest

import (
	"strings"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/query/builtin"
)

// Run checks the built-ins with the registered engine.
func Run(t *testing.T) {
	t.Run("builtins", builtins)
	t.Run("re-pattern value", rePatternValue)
}

func builtins(t *testing.T) {
	s := datom.String
	for _, c := range []struct {
		fn   string
		args []datom.Value
		want string // the result printed as EDN, or "error: <part of the message>"
	}{
		{"re-find", []datom.Value{s("t(a+)sk ([0-9])"), s("seed taask 7!")}, `["taask 7" "aa" "7"]`},
		{"re-find", []datom.Value{s("[0-9]+"), s("ab12cd345")}, `"12"`},
		{"re-find", []datom.Value{s("x(y)?z"), s("axz")}, `["xz" ""]`},
		{"re-find", []datom.Value{s("q"), s("abc")}, `nil`},
		{"re-find", []datom.Value{s("."), s("😀x")}, `"😀"`},
		{"re-find", []datom.Value{s("é+"), s("caféé!")}, `"éé"`},
		{"re-find", []datom.Value{s("(?i)HELLO"), s("say hello")}, `"hello"`},
		{"re-find", []datom.Value{s("(?s)a.b"), s("a\nb")}, `"a\nb"`},
		{"re-find", []datom.Value{s("^b"), s("a\nb")}, `nil`},
		{"re-find", []datom.Value{s("(?m)^b$"), s("a\nb\nc")}, `"b"`},
		{"re-find", []datom.Value{s(`\d+\s\w+`), s("x 42 apples")}, `"42 apples"`},
		{"re-matches", []datom.Value{s("a|ab"), s("ab")}, `"ab"`},
		{"re-matches", []datom.Value{s("(a)(b)?"), s("a")}, `["a" "a" ""]`},
		{"re-matches", []datom.Value{s("[a-z]+"), s("abc1")}, `nil`},
		{"re-matches", []datom.Value{s("b"), s("abc")}, `nil`},
		{"re-matches", []datom.Value{s("seed task 1[0-9]"), s("seed task 12")}, `"seed task 12"`},
		{"re-matches", []datom.Value{s("(?m)a$"), s("a\nb")}, `nil`},
		{"re-seq", []datom.Value{s("[0-9]"), s("a1b22")}, `["1" "2" "2"]`},
		{"re-seq", []datom.Value{s("a*"), s("baaac")}, `["" "aaa" ""]`},
		{"re-seq", []datom.Value{s("(\\w)(\\d)"), s("a1 b2")}, `[["a1" "a" "1"] ["b2" "b" "2"]]`},
		{"re-seq", []datom.Value{s("z"), s("abc")}, `nil`},
		{"re-seq", []datom.Value{s(""), s("😀é")}, `["" "" ""]`},
		{"clojure.string/split", []datom.Value{s("abaabaccadaaae"), s("a*")}, `["" "b" "b" "c" "c" "d" "e"]`},
		{"clojure.string/split", []datom.Value{s("a,b,,c,"), s(",")}, `["a" "b" "" "c" ""]`},
		{"clojure.string/split", []datom.Value{s(""), s(",")}, `[""]`},
		{"clojure.string/split", []datom.Value{s("a1b2c"), s("[0-9]")}, `["a" "b" "c"]`},
		{"clojure.string/split", []datom.Value{s("ab"), s("")}, `["a" "b"]`},
		{"clojure.string/split", []datom.Value{s("x😀y"), s("")}, `["x" "😀" "y"]`},
		{"clojure.string/split", []datom.Value{s("a b"), s("( )")}, `["a" "b"]`},
		{"re-find", []datom.Value{s("("), s("x")}, "error: re-find"},
		{"re-pattern", []datom.Value{s("a[")}, "error: re-pattern"},
	} {
		fn, ok := builtin.Lookup(c.fn)
		if !ok {
			t.Fatalf("no built-in %s", c.fn)
		}
		env := &builtin.Env{}
		got, err := fn(env, c.args)
		var text string
		if err != nil {
			text = "error: " + err.Error()
		} else {
			text = edn.Print(env.ToEDN(got))
		}
		if text != c.want && !(strings.HasPrefix(c.want, "error: ") && strings.Contains(text, strings.TrimPrefix(c.want, "error: "))) {
			t.Errorf("(%s %v): got %s, want %s", c.fn, c.args, text, c.want)
		}
	}
}

// re-pattern's value works as the pattern of the others.
func rePatternValue(t *testing.T) {
	env := &builtin.Env{}
	pat, _ := builtin.Lookup("re-pattern")
	find, _ := builtin.Lookup("re-find")
	re, err := pat(env, []datom.Value{datom.String("(?i)b+")})
	if err != nil {
		t.Fatal(err)
	}
	if got := env.PrStr(re); got != `#"(?i)b+"` {
		t.Errorf("printed: %s", got)
	}
	for i := 0; i < 2; i++ { // the compiled value is reused
		got, err := find(env, []datom.Value{re, datom.String("aBbc")})
		if err != nil || got.Text() != "Bb" {
			t.Fatalf("re-find with a re-pattern value: %v %v", got, err)
		}
	}
}
