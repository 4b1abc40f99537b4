package edn_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cairn-db/cairn/core/edn"
)

func kw(s string) edn.Keyword {
	if i := strings.IndexByte(s, '/'); i > 0 {
		return edn.Keyword{NS: s[:i], Name: s[i+1:]}
	}
	return edn.Keyword{Name: s}
}

func sym(s string) edn.Symbol {
	if i := strings.IndexByte(s, '/'); i > 0 {
		return edn.Symbol{NS: s[:i], Name: s[i+1:]}
	}
	return edn.Symbol{Name: s}
}

func vec(xs ...any) edn.Vector { return edn.Vector(xs) }
func list(xs ...any) edn.List  { return edn.List(xs) }

func mapOf(kvs ...any) *edn.Map {
	m := edn.NewMap()
	for i := 0; i < len(kvs); i += 2 {
		m.Set(kvs[i], kvs[i+1])
	}
	return m
}

func bigInt(s string) edn.BigInt {
	b, ok := edn.ParseBigInt(s)
	if !ok {
		panic(s)
	}
	return b
}

// readCases are inputs with the value they read as. The exact Go type is
// checked too (so a List never passes for a Vector).
var readCases = []struct {
	in   string
	want any
}{
	{"nil", nil},
	{"true", true},
	{"false", false},
	{"0", int64(0)},
	{"42", int64(42)},
	{"-2", int64(-2)},
	{"+1", int64(1)},
	{"-0", int64(0)},
	{"9223372036854775807", int64(math.MaxInt64)},
	{"-9223372036854775808", int64(math.MinInt64)},
	{"9223372036854775808", bigInt("9223372036854775808")},
	{"-99999999999999999999", bigInt("-99999999999999999999")},
	{"12N", edn.BigIntFromInt64(12)},
	{"-0N", edn.BigIntFromInt64(0)},
	{"1.5", 1.5},
	{"-1.5", -1.5},
	{"1.", 1.0},
	{"1e10", 1e10},
	{"1E-3", 1e-3},
	{"2.5e+3", 2500.0},
	{"007.5", 7.5},
	{"1e400", math.Inf(1)},
	{"##Inf", math.Inf(1)},
	{"##-Inf", math.Inf(-1)},
	{"##NaN", math.NaN()},
	{"1.5M", edn.BigDec{Text: "1.5"}},
	{"+1.50M", edn.BigDec{Text: "1.50"}},
	{"3M", edn.BigDec{Text: "3"}},
	{"-1e5M", edn.BigDec{Text: "-1e5"}},
	{`""`, ""},
	{`"hello"`, "hello"},
	{`"a\"b\\c\nd\te\rf\bg\fh"`, "a\"b\\c\nd\te\rf\bg\fh"},
	{`"\u00e9\u00E9é"`, "ééé"},
	{`"\ud83d\ude00"`, "😀"},
	{`"\ud83d x"`, "\uFFFD x"},
	{"\"multi\nline\"", "multi\nline"},
	{`\a`, edn.Char('a')},
	{`\newline`, edn.Char('\n')},
	{`\space`, edn.Char(' ')},
	{`\tab`, edn.Char('\t')},
	{`\return`, edn.Char('\r')},
	{`\backspace`, edn.Char('\b')},
	{`\formfeed`, edn.Char('\f')},
	{`\u00e9`, edn.Char('é')},
	{`\o101`, edn.Char('A')},
	{`\é`, edn.Char('é')},
	{`\\`, edn.Char('\\')},
	{`\(`, edn.Char('(')},
	{`\,`, edn.Char(',')},
	{`\u`, edn.Char('u')},
	{":a", kw("a")},
	{":db/id", kw("db/id")},
	{":db.type/ref", kw("db.type/ref")},
	{":_friend", kw("_friend")},
	{":order/_lines", kw("order/_lines")},
	{":1", kw("1")},
	{":a.b-c?/d*e!", kw("a.b-c?/d*e!")},
	{"?e", sym("?e")},
	{"$", sym("$")},
	{"$2", sym("$2")},
	{"_", sym("_")},
	{"...", sym("...")},
	{"%", sym("%")},
	{".", sym(".")},
	{">", sym(">")},
	{"<=", sym("<=")},
	{"+", sym("+")},
	{"-", sym("-")},
	{"/", edn.Symbol{Name: "/"}},
	{"-a", sym("-a")},
	{"clojure.string/blank?", sym("clojure.string/blank?")},
	{"a'b#c:d", sym("a'b#c:d")},
	{"héllo", sym("héllo")},
	{"nil?", sym("nil?")},
	{"()", list()},
	{"[]", vec()},
	{"(1 2)", list(int64(1), int64(2))},
	{"[1 (2 [3])]", vec(int64(1), list(int64(2), vec(int64(3))))},
	{"{}", mapOf()},
	{"{:a 1, :b 2}", mapOf(kw("a"), int64(1), kw("b"), int64(2))},
	{"{[:name \"x\"] 1}", mapOf(vec(kw("name"), "x"), int64(1))},
	{"#{}", edn.NewSet()},
	{"#{1 [2 3]}", edn.NewSet(int64(1), vec(int64(2), int64(3)))},
	{"#:person{:name \"x\" :_/id 1 :other/k 2 s 3}", mapOf(kw("person/name"), "x", kw("id"), int64(1), kw("other/k"), int64(2), sym("person/s"), int64(3))},
	{"#inst \"2020-01-02T03:04:05.678Z\"", time.Date(2020, 1, 2, 3, 4, 5, 678e6, time.UTC)},
	{"#inst \"2020-01-02T03:04:05.678-00:00\"", time.Date(2020, 1, 2, 3, 4, 5, 678e6, time.UTC)},
	{"#inst \"2020-01-02T03:04:05+02:00\"", time.Date(2020, 1, 2, 1, 4, 5, 0, time.UTC)},
	{"#inst \"2020-01-01\"", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	{"#inst \"2020\"", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	{"#inst \"2020-02-29T10:20\"", time.Date(2020, 2, 29, 10, 20, 0, 0, time.UTC)},
	{"#inst \"2020-01-01T00:00:00.123456789123Z\"", time.Date(2020, 1, 1, 0, 0, 0, 123456789, time.UTC)},
	{"#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"", edn.UUID{0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0, 0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6}},
	{"#myapp/Person {:first \"Fred\"}", edn.Tagged{Tag: sym("myapp/Person"), Value: mapOf(kw("first"), "Fred")}},
	{"#foo #bar 1", edn.Tagged{Tag: sym("foo"), Value: edn.Tagged{Tag: sym("bar"), Value: int64(1)}}},
	// Whitespace, comments, discards.
	{" ,, 1 ,, ", int64(1)},
	{"; comment\n1 ; trailing comment", int64(1)},
	{"#_ 1 2", int64(2)},
	{"#_ #_ 1 2 3", int64(3)},
	{"[1 #_ 2 3 #_[4 5]]", vec(int64(1), int64(3))},
	{"{:a #_:b 1}", mapOf(kw("a"), int64(1))},
	{"1 #_ 2", int64(1)},
	{"[1;c\n2]", vec(int64(1), int64(2))},
	{"[a\"s\"\\c(1)]", vec(sym("a"), "s", edn.Char('c'), list(int64(1)))},
	{"[:find ?e . :where [?e :name \"x\"]]", vec(kw("find"), sym("?e"), sym("."), kw("where"), vec(sym("?e"), kw("name"), "x"))},
}

func TestRead(t *testing.T) {
	for _, tc := range readCases {
		got, err := edn.ReadString(tc.in)
		if err != nil {
			t.Errorf("Read(%q): %v", tc.in, err)
			continue
		}
		if !edn.Equal(got, tc.want) {
			t.Errorf("Read(%q) = %s, want %s", tc.in, edn.Print(got), edn.Print(tc.want))
		}
		if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", tc.want) {
			t.Errorf("Read(%q) is a %T, want %T", tc.in, got, tc.want)
		}
	}
}

// printCases: input, and exactly what Print writes for what it reads.
var printCases = []struct{ in, out string }{
	{"nil", "nil"},
	{"true", "true"},
	{"false", "false"},
	{"+42", "42"},
	{"-7", "-7"},
	{"12N", "12N"},
	{"99999999999999999999", "99999999999999999999N"},
	{"1.0", "1.0"},
	{"1.", "1.0"},
	{"-0.0", "-0.0"},
	{"1.5", "1.5"},
	{"100.0", "100.0"},
	{"1e10", "10000000000.0"},
	{"1e21", "1e+21"},
	{"1.5e-7", "1.5e-07"},
	{"0.0001", "0.0001"},
	{"##NaN", "##NaN"},
	{"##Inf", "##Inf"},
	{"##-Inf", "##-Inf"},
	{"1.50M", "1.50M"},
	{"+2M", "2M"},
	{`"a\"b\\c\nd\te\rf\bg\fh\u0001\u007f é"`, `"a\"b\\c\nd\te\rf\u0008g\u000ch\u0001\u007f é"`},
	{`\a`, `\a`},
	{`\newline`, `\newline`},
	{`\space`, `\space`},
	{`\tab`, `\tab`},
	{`\return`, `\return`},
	{`\backspace`, `\backspace`},
	{`\formfeed`, `\formfeed`},
	{`\u0000`, `\u0000`},
	{`\u00a0`, `\u00a0`},
	{`\é`, `\é`},
	{`\\`, `\\`},
	{`\"`, `\"`},
	{":db/id", ":db/id"},
	{"?e", "?e"},
	{"/", "/"},
	{"(1 [2 3] (4))", "(1 [2 3] (4))"},
	{"{:b 1 :a 2}", "{:b 1, :a 2}"},
	{"{[:name \"x\"] #{1}}", "{[:name \"x\"] #{1}}"},
	{"#{3 1 2}", "#{3 1 2}"},
	{"#inst \"2020-01-01\"", "#inst \"2020-01-01T00:00:00.000-00:00\""},
	{"#inst \"2020-01-01T12:00:00.5+01:00\"", "#inst \"2020-01-01T11:00:00.500-00:00\""},
	{"#inst \"2020-01-01T12:00:00.000001Z\"", "#inst \"2020-01-01T12:00:00.000001-00:00\""},
	{"#inst \"2020-01-01T12:00:00.000000001Z\"", "#inst \"2020-01-01T12:00:00.000000001-00:00\""},
	{"#inst \"0000-01-01T01:00:00+02:00\"", "#inst \"0000-01-01T01:00:00.000+02:00\""},
	{"#uuid \"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6\"", "#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\""},
	{"#my/tag [1]", "#my/tag [1]"},
	{"#:p{:a 1}", "{:p/a 1}"},
}

func TestPrintRoundTrip(t *testing.T) {
	for _, tc := range printCases {
		v, err := edn.ReadString(tc.in)
		if err != nil {
			t.Errorf("Read(%q): %v", tc.in, err)
			continue
		}
		if got := edn.Print(v); got != tc.out {
			t.Errorf("Print(Read(%q)) = %q, want %q", tc.in, got, tc.out)
		}
		back, err := edn.ReadString(tc.out)
		if err != nil {
			t.Errorf("Read(%q): %v", tc.out, err)
			continue
		}
		if !edn.Equal(v, back) {
			t.Errorf("round trip of %q: %s != %s", tc.in, edn.Print(v), edn.Print(back))
		}
	}
	// Every read case round-trips too.
	for _, tc := range readCases {
		v, err := edn.ReadString(tc.in)
		if err != nil {
			continue
		}
		back, err := edn.ReadString(edn.Print(v))
		if err != nil || !edn.Equal(v, back) || fmt.Sprintf("%T", v) != fmt.Sprintf("%T", back) {
			t.Errorf("round trip of %q via %q: %v, %v", tc.in, edn.Print(v), back, err)
		}
	}
}

func TestPrintGoValues(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{int(3), "3"},
		{int32(-3), "-3"},
		{uint8(200), "200"},
		{uint64(math.MaxUint64), "18446744073709551615N"},
		{float32(0.5), "0.5"},
		{[]any{int64(1), "a"}, `[1 "a"]`},
		{(*edn.Map)(nil), "{}"},
		{(*edn.Set)(nil), "#{}"},
		{edn.Char(0xD800), `\ud800`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
		{time.Date(2021, 3, 4, 5, 6, 7, 8e6, time.FixedZone("", -3600)), `#inst "2021-03-04T06:06:07.008-00:00"`},
		{edn.Tagged{Tag: sym("t"), Value: nil}, "#t nil"},
	}
	for _, tc := range cases {
		if got := edn.Print(tc.v); got != tc.want {
			t.Errorf("Print(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	if err := edn.Write(&buf, vec(kw("a"), int64(1))); err != nil || buf.String() != "[:a 1]" {
		t.Fatalf("Write = %q, %v", buf.String(), err)
	}
	buf.Reset()
	err := edn.Write(&buf, vec(struct{}{}))
	if !errors.Is(err, edn.ErrUnsupported) || buf.Len() != 0 {
		t.Fatalf("Write(unsupported) = %q, %v; want ErrUnsupported and no output", buf.String(), err)
	}
	if got := edn.Print(vec(struct{}{})); got != `[#go/unsupported "struct {}"]` {
		t.Fatalf("Print(unsupported) = %q", got)
	}
	cyclic := edn.Vector{nil}
	cyclic[0] = cyclic
	if err := edn.Write(io.Discard, cyclic); !errors.Is(err, edn.ErrTooDeep) {
		t.Fatalf("Write(cyclic) = %v, want ErrTooDeep", err)
	}
}

// errorCases: malformed input, the sentinel, and the error position.
var errorCases = []struct {
	in        string
	kind      error
	off, line int
	col       int
}{
	{"", edn.ErrUnexpectedEOF, 0, 1, 1},
	{"  ; only a comment", edn.ErrUnexpectedEOF, 18, 1, 19},
	{"#_ 1", edn.ErrUnexpectedEOF, 4, 1, 5},
	{"[1 2", edn.ErrUnexpectedEOF, 4, 1, 5},
	{"(1\n(2", edn.ErrUnexpectedEOF, 5, 2, 3},
	{"{:a 1", edn.ErrUnexpectedEOF, 5, 1, 6},
	{"#{", edn.ErrUnexpectedEOF, 2, 1, 3},
	{`"abc`, edn.ErrUnexpectedEOF, 4, 1, 5},
	{`"abc\`, edn.ErrUnexpectedEOF, 5, 1, 6},
	{`"\u12`, edn.ErrUnexpectedEOF, 5, 1, 6},
	{`\`, edn.ErrUnexpectedEOF, 1, 1, 2},
	{"#", edn.ErrUnexpectedEOF, 1, 1, 2},
	{"#foo", edn.ErrUnexpectedEOF, 4, 1, 5},
	{"[#_]", edn.ErrSyntax, 3, 1, 4},
	{"1 2", edn.ErrTrailing, 2, 1, 3},
	{"[] x", edn.ErrTrailing, 3, 1, 4},
	{")", edn.ErrSyntax, 0, 1, 1},
	{"[1 2)", edn.ErrSyntax, 4, 1, 5},
	{"{:a 1 :b}", edn.ErrSyntax, 0, 1, 1},
	{"{:a 1 :a 2}", edn.ErrDuplicate, 6, 1, 7},
	{"{[1 2] 1 (1 2) 2}", edn.ErrDuplicate, 9, 1, 10},
	{"{1 :a 1N :b}", edn.ErrDuplicate, 6, 1, 7},
	{"#{1 2 1}", edn.ErrDuplicate, 6, 1, 7},
	{"#{[1] [1]}", edn.ErrDuplicate, 6, 1, 7},
	{"#{1 2 3 4 5 6 7 8 9 10 11 12 3}", edn.ErrDuplicate, 29, 1, 30},
	{"#:a{:x 1 :a/x 2}", edn.ErrDuplicate, 9, 1, 10},
	{"0123", edn.ErrSyntax, 0, 1, 1},
	{"1.5N", edn.ErrSyntax, 0, 1, 1},
	{"1/2", edn.ErrSyntax, 0, 1, 1},
	{"0x1F", edn.ErrSyntax, 0, 1, 1},
	{"1e", edn.ErrSyntax, 0, 1, 1},
	{"-1a", edn.ErrSyntax, 0, 1, 1},
	{".5", edn.ErrSyntax, 0, 1, 1},
	{"[x 1a]", edn.ErrSyntax, 3, 1, 4},
	{"a/b/c", edn.ErrSyntax, 0, 1, 1},
	{"a/", edn.ErrSyntax, 0, 1, 1},
	{"/a", edn.ErrSyntax, 0, 1, 1},
	{"a/1", edn.ErrSyntax, 0, 1, 1},
	{":", edn.ErrSyntax, 0, 1, 1},
	{"::a", edn.ErrSyntax, 0, 1, 1},
	{":a/", edn.ErrSyntax, 0, 1, 1},
	{"a^b", edn.ErrSyntax, 0, 1, 1},
	{"^", edn.ErrSyntax, 0, 1, 1},
	{"@a", edn.ErrSyntax, 0, 1, 1},
	{"\"\\x\"", edn.ErrSyntax, 1, 1, 2},
	{`"\uZZZZ"`, edn.ErrSyntax, 3, 1, 4},
	{"\"ok\xff\"", edn.ErrSyntax, 3, 1, 4},
	{"\\\xff", edn.ErrSyntax, 1, 1, 2},
	{"a\xffb", edn.ErrSyntax, 0, 1, 1},
	{`\ `, edn.ErrSyntax, 0, 1, 1},
	{`\foo`, edn.ErrSyntax, 0, 1, 1},
	{`\u12`, edn.ErrSyntax, 0, 1, 1},
	{`\o400`, edn.ErrSyntax, 0, 1, 1},
	{"##Foo", edn.ErrSyntax, 0, 1, 1},
	{"#!x", edn.ErrSyntax, 0, 1, 1},
	{"#1 x", edn.ErrSyntax, 0, 1, 1},
	{"#::{:a 1}", edn.ErrSyntax, 0, 1, 1},
	{"#:a 1", edn.ErrSyntax, 4, 1, 5},
	{`#inst 1`, edn.ErrSyntax, 0, 1, 1},
	{`#inst "2020-13-01"`, edn.ErrSyntax, 0, 1, 1},
	{`#inst "2021-02-29"`, edn.ErrSyntax, 0, 1, 1},
	{`#inst "2020-01-01T25:00"`, edn.ErrSyntax, 0, 1, 1},
	{`#inst "2020-01-01 10:00"`, edn.ErrSyntax, 0, 1, 1},
	{`#inst "20"`, edn.ErrSyntax, 0, 1, 1},
	{`#uuid "nope"`, edn.ErrSyntax, 0, 1, 1},
	{`#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bfx"`, edn.ErrSyntax, 0, 1, 1},
	{"[1\n  [2\n    }]]", edn.ErrSyntax, 12, 3, 5},
	{"[\"é\" é)", edn.ErrSyntax, 8, 1, 7},
}

func TestReadErrors(t *testing.T) {
	for _, tc := range errorCases {
		v, err := edn.ReadString(tc.in)
		if err == nil {
			t.Errorf("Read(%q) = %s, want error", tc.in, edn.Print(v))
			continue
		}
		if !errors.Is(err, tc.kind) {
			t.Errorf("Read(%q) = %v, want %v", tc.in, err, tc.kind)
		}
		var se *edn.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Read(%q) = %v, not a *SyntaxError", tc.in, err)
			continue
		}
		if se.Offset != tc.off || se.Line != tc.line || se.Col != tc.col {
			t.Errorf("Read(%q) error at offset %d line %d col %d, want %d %d %d (%v)",
				tc.in, se.Offset, se.Line, se.Col, tc.off, tc.line, tc.col, err)
		}
	}
}

func TestListVectorDistinct(t *testing.T) {
	l, _ := edn.ReadString("(1 2)")
	v, _ := edn.ReadString("[1 2]")
	if _, ok := l.(edn.List); !ok {
		t.Fatalf("(1 2) read as %T", l)
	}
	if _, ok := v.(edn.Vector); !ok {
		t.Fatalf("[1 2] read as %T", v)
	}
	if !edn.Equal(l, v) || edn.Hash(l) != edn.Hash(v) {
		t.Fatal("(1 2) and [1 2] must be Equal with the same Hash")
	}
	if edn.Print(l) == edn.Print(v) {
		t.Fatal("Print must keep lists and vectors apart")
	}
	if edn.Canonical(l) != edn.Canonical(v) {
		t.Fatal("Canonical prints both as vectors")
	}
}

func TestMapOrderAndLookup(t *testing.T) {
	for _, n := range []int{3, 8, 9, 50, 1000} {
		var sb strings.Builder
		sb.WriteString("{")
		for i := n - 1; i >= 0; i-- {
			fmt.Fprintf(&sb, "[:name \"e%d\"] %d ", i, i)
		}
		sb.WriteString("}")
		v, err := edn.ReadString(sb.String())
		if err != nil {
			t.Fatal(err)
		}
		m := v.(*edn.Map)
		if m.Len() != n {
			t.Fatalf("Len = %d, want %d", m.Len(), n)
		}
		for i, e := range m.Entries {
			if want := int64(n - 1 - i); e.Val != want {
				t.Fatalf("n=%d: entry %d holds %v, want %d (order not kept)", n, i, e.Val, want)
			}
		}
		for i := 0; i < n; i++ {
			// Lookup by a vector, and by a list: Equal values.
			got, ok := m.Get(vec(kw("name"), fmt.Sprintf("e%d", i)))
			if !ok || got != int64(i) {
				t.Fatalf("n=%d: Get lookup ref %d = %v, %v", n, i, got, ok)
			}
			if _, ok := m.Get(list(kw("name"), fmt.Sprintf("e%d", i))); !ok {
				t.Fatalf("n=%d: Get by list failed", n)
			}
		}
		if _, ok := m.Get(vec(kw("name"), "missing")); ok {
			t.Fatal("Get found a missing key")
		}
		// Set replaces in place and appends new keys at the end.
		m.Set(vec(kw("name"), "e0"), "zero")
		m.Set(kw("new"), true)
		if got, _ := m.Get(list(kw("name"), "e0")); got != "zero" || m.Len() != n+1 || m.Entries[n].Key != kw("new") {
			t.Fatalf("n=%d: Set did not replace/append: %v", n, edn.Print(m))
		}
		// Entries appended behind the map's back are still found.
		m.Entries = append(m.Entries, edn.MapEntry{Key: int64(-1), Val: "direct"})
		if got, ok := m.Get(int64(-1)); !ok || got != "direct" {
			t.Fatalf("n=%d: directly appended entry not found", n)
		}
	}
	var zero edn.Map
	zero.Set(kw("a"), 1)
	if got, ok := zero.Get(kw("a")); !ok || got != 1 {
		t.Fatal("zero Map unusable")
	}
	m := edn.NewMap(edn.MapEntry{Key: 1, Val: "a"}, edn.MapEntry{Key: int64(1), Val: "b"})
	if m.Len() != 1 || m.Entries[0].Val != "b" {
		t.Fatalf("NewMap with repeated key = %s", edn.Print(m))
	}
}

func TestSetMembers(t *testing.T) {
	v, err := edn.ReadString(`#{[1 2] {:a [3]} "x" :k 1.5 #{4} nil 5 6 7 8 9 10}`)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*edn.Set)
	for _, m := range []any{list(int64(1), int64(2)), mapOf(kw("a"), list(int64(3))), "x", kw("k"), 1.5, edn.NewSet(4), nil, 10} {
		if !s.Has(m) {
			t.Errorf("Has(%s) = false", edn.Print(m))
		}
	}
	for _, m := range []any{vec(int64(2), int64(1)), 1.0, "y", int64(11), 5.0} {
		if s.Has(m) {
			t.Errorf("Has(%s) = true", edn.Print(m))
		}
	}
	if s.Elems[0] == nil || !edn.Equal(s.Elems[0], vec(1, 2)) || s.Elems[len(s.Elems)-1] != int64(10) {
		t.Error("set order not kept")
	}
	if s.Add(vec(1, 2)) || !s.Add(vec(2, 1)) || s.Len() != 14 {
		t.Error("Add must reject Equal members and accept new ones")
	}
	if n := edn.NewSet(1, int64(1), 1.0); n.Len() != 2 {
		t.Errorf("NewSet(1, 1, 1.0) has %d elements, want 2", n.Len())
	}
}

func nested(n int, open, close string) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

func TestDepthLimit(t *testing.T) {
	if _, err := edn.ReadString(nested(1000, "[", "]")); err != nil {
		t.Fatalf("1000 nested vectors: %v", err)
	}
	if _, err := edn.ReadString(nested(1000, "[", "]")[:999] + "1" + nested(1000, "[", "]")[1000:]); err == nil {
		// 999 open brackets, a scalar, 1000 closers: unbalanced, must fail
		t.Fatal("unbalanced input accepted")
	}
	for _, in := range []string{
		nested(1001, "[", "]"),
		nested(1001, "(", ")"),
		nested(1001, "{:a ", "}"),
		nested(1001, "#{", "}"),
		strings.Repeat("#t ", 1001) + "1",
		strings.Repeat("#_ ", 1001) + "1 2",
		nested(1_000_000, "[", "]"),
		strings.Repeat("[", 10_000_000),
	} {
		_, err := edn.ReadString(in)
		if !errors.Is(err, edn.ErrTooDeep) {
			t.Errorf("Read(%.20q...) = %v, want ErrTooDeep", in, err)
		}
	}
	opts := &edn.ReadOptions{MaxDepth: 3}
	if _, err := edn.ReadWith([]byte("[[[1]]]"), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := edn.ReadWith([]byte("[[[[1]]]]"), opts); !errors.Is(err, edn.ErrTooDeep) {
		t.Fatalf("depth 4 with MaxDepth 3: %v", err)
	}
	if opts.MaxDepth != 3 || opts.MaxSize != 0 {
		t.Fatal("ReadWith wrote into the caller's options")
	}
}

func TestLimits(t *testing.T) {
	if _, err := edn.ReadWith([]byte("[1 2 3]"), &edn.ReadOptions{MaxSize: 6}); !errors.Is(err, edn.ErrTooLarge) {
		t.Errorf("MaxSize: %v", err)
	}
	if _, err := edn.ReadWith([]byte("[1 2 3]"), &edn.ReadOptions{MaxElements: 3}); !errors.Is(err, edn.ErrTooLarge) {
		t.Errorf("MaxElements: %v", err)
	}
	if _, err := edn.ReadWith([]byte("[1 2 3]"), &edn.ReadOptions{MaxElements: 4}); err != nil {
		t.Errorf("MaxElements 4: %v", err)
	}
	if _, err := edn.ReadString(strings.Repeat("9", 5000)); !errors.Is(err, edn.ErrTooLarge) {
		t.Errorf("huge number literal: %v", err)
	}
	if _, err := edn.ReadString("1e9999999999M"); !errors.Is(err, edn.ErrTooLarge) {
		t.Errorf("huge bigdec exponent: %v", err)
	}
	for _, o := range []edn.ReadOptions{{MaxDepth: -1}, {MaxSize: -1}, {MaxElements: -1}} {
		if _, err := edn.ReadWith([]byte("1"), &o); !errors.Is(err, edn.ErrInvalidOption) {
			t.Errorf("ReadWith(%+v) = %v, want ErrInvalidOption", o, err)
		}
		if _, err := edn.NewDecoder(strings.NewReader("1"), &o).Decode(); !errors.Is(err, edn.ErrInvalidOption) {
			t.Errorf("NewDecoder(%+v) = %v, want ErrInvalidOption", o, err)
		}
	}
}

func TestReadAllAndDecoder(t *testing.T) {
	const src = "1 [2 3] ; c\n {:a \"x\"} #_ 4 :k sym 12N \"str\" \\c 5.5"
	want := []any{int64(1), vec(2, 3), mapOf(kw("a"), "x"), kw("k"), sym("sym"), edn.BigIntFromInt64(12), "str", edn.Char('c'), 5.5}
	all, err := edn.ReadAll([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got []any) {
		t.Helper()
		if !edn.Equal(edn.Vector(got), edn.Vector(want)) {
			t.Errorf("%s = %s, want %s", name, edn.Print(got), edn.Print(want))
		}
	}
	check("ReadAll", all)
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return strings.NewReader(src) },
		"one-byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(src)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(src)) },
	}
	for name, r := range readers {
		d := edn.NewDecoder(r(), nil)
		var got []any
		for {
			v, err := d.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got = append(got, v)
		}
		check(name, got)
		if _, err := d.Decode(); err != io.EOF {
			t.Errorf("%s: Decode after EOF = %v", name, err)
		}
		if d.InputOffset() != len(src) {
			t.Errorf("%s: InputOffset = %d, want %d", name, d.InputOffset(), len(src))
		}
	}
	// Errors in a stream report stream positions.
	d := edn.NewDecoder(iotest.OneByteReader(strings.NewReader("[1]\n[2]\n[3 }")), nil)
	for range 2 {
		if _, err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	}
	_, err = d.Decode()
	var se *edn.SyntaxError
	if !errors.As(err, &se) || se.Offset != 11 || se.Line != 3 || se.Col != 4 {
		t.Fatalf("stream error = %#v", err)
	}
	if _, err2 := d.Decode(); err2 != err {
		t.Fatalf("errors must be sticky: %v", err2)
	}
	// A truncated stream is an unexpected EOF, not io.EOF.
	d = edn.NewDecoder(strings.NewReader("[1 2"), nil)
	if _, err := d.Decode(); !errors.Is(err, edn.ErrUnexpectedEOF) {
		t.Fatalf("truncated stream: %v", err)
	}
	// A reader error is returned as is.
	d = edn.NewDecoder(iotest.ErrReader(iotest.ErrTimeout), nil)
	if _, err := d.Decode(); !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("reader error: %v", err)
	}
	// MaxSize bounds one form of a stream.
	d = edn.NewDecoder(strings.NewReader("[1 2] "+nested(5000, "[", "]")), &edn.ReadOptions{MaxSize: 1000, MaxDepth: 10000})
	if _, err := d.Decode(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Decode(); !errors.Is(err, edn.ErrTooLarge) {
		t.Fatalf("stream MaxSize: %v", err)
	}
}

// txData returns a transaction of n entity maps, ~75 bytes each.
func txData(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[")
	for i := range n {
		fmt.Fprintf(&b, "{:db/id -%d :person/name \"Person %d\" :person/age %d :person/email \"p%d@example.com\" :person/tags #{:a :b} :person/friend [:person/name \"Person %d\"] :person/score %d.5}\n",
			i+1, i, 20+i%50, i, (i+1)%n, i%1000)
	}
	b.WriteString("]")
	return b.Bytes()
}

func TestBigInput(t *testing.T) {
	src := txData(20000)
	v, err := edn.Read(src)
	if err != nil {
		t.Fatal(err)
	}
	tx := v.(edn.Vector)
	if len(tx) != 20000 {
		t.Fatalf("read %d entities", len(tx))
	}
	last := tx[19999].(*edn.Map)
	if got, _ := last.Get(kw("person/name")); got != "Person 19999" {
		t.Fatalf("last entity name = %v", got)
	}
	if ref, _ := last.Get(kw("person/friend")); !edn.Equal(ref, vec(kw("person/name"), "Person 0")) {
		t.Fatalf("lookup ref = %s", edn.Print(ref))
	}
	back, err := edn.ReadString(edn.Print(v))
	if err != nil || !edn.Equal(v, back) {
		t.Fatalf("big round trip: %v", err)
	}
	if edn.KeyOf(v) != edn.KeyOf(back) || edn.Hash(v) != edn.Hash(back) {
		t.Fatal("KeyOf/Hash differ after round trip")
	}
	// Streaming gives the same value.
	d := edn.NewDecoder(iotest.HalfReader(bytes.NewReader(src)), nil)
	sv, err := d.Decode()
	if err != nil || !edn.Equal(v, sv) {
		t.Fatalf("streamed big input: %v", err)
	}
}

// Set alone builds a map across the size where lookups switch from a
// linear scan to the hash index (small maps are not hashed).
func TestMapSetGrows(t *testing.T) {
	m := &edn.Map{}
	for round := 0; round < 2; round++ {
		for i := 0; i < 40; i++ {
			m.Set(kw(fmt.Sprintf("k%d", i)), int64(i*10+round))
			if got, ok := m.Get(kw(fmt.Sprintf("k%d", i))); !ok || got != int64(i*10+round) {
				t.Fatalf("round %d, key %d: got %v %v", round, i, got, ok)
			}
		}
	}
	if m.Len() != 40 {
		t.Fatalf("Len = %d, want 40", m.Len())
	}
	for i := 0; i < 40; i++ {
		if m.Entries[i].Key != kw(fmt.Sprintf("k%d", i)) || m.Entries[i].Val != int64(i*10+1) {
			t.Fatalf("entry %d: %v", i, m.Entries[i])
		}
	}
}
