package edn_test

import (
	"errors"
	"io/fs"
	"math"
	"testing"

	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/internal/corpus"
)

var canonicalCases = []struct {
	in   any // EDN text (string read first) or a Go value
	want string
}{
	{"nil", "nil"},
	{"true", "true"},
	{"30", "30"},
	{"-42", "-42"},
	{"3001.0", "3001"},
	{"31.0", "31"},
	{"12.5", "12.5"},
	{"9007199254740991", "9007199254740991"},
	{"1e21", "1000000000000000000000"},
	{"12N", "12"},
	{"1.50M", "1.5"},
	{"3.00M", "3"},
	{"-0.0025M", "-0.0025"},
	{"1e3M", "1000"},
	{"##NaN", "##NaN"},
	{"##-Inf", "##-Inf"},
	{`"a\"b\\c\nd\te\rf\bg\u007f\u001fé😀"`, `"a\"b\\c\nd\te\rf\u0008g\u007f\u001fé😀"`},
	{":db/id", ":db/id"},
	{"?x", "?x"},
	{"(1 (2 3) [4])", "[1 [2 3] [4]]"},
	{"[1 :a \"x\"]", `[1 :a "x"]`},
	{`#{[2 :a 2] [10 :a 2] [1 :a 2]}`, `#{[1 :a 2] [10 :a 2] [2 :a 2]}`},
	{`#{"ann" "Zed" "bob"}`, `#{"Zed" "ann" "bob"}`},
	{`{"ann" 1 "Zed" 2}`, `{"Zed" 2 "ann" 1}`},
	{`{[2 :a 2] x [10 :a 2] y [1 :a 2] z}`, `{[1 :a 2] z [10 :a 2] y [2 :a 2] x}`},
	{`{:name "Ivan", :age 30.0, :friend {:db/id 2}}`, `{:age 30 :friend {:db/id 2} :name "Ivan"}`},
	{`#{#{2 1} #{}}`, `#{#{1 2} #{}}`},
	{"{}", "{}"},
	{"#{}", "#{}"},
	{"[]", "[]"},
	{`\a`, `\a`},
	{`#inst "2020-01-01"`, `#inst "2020-01-01T00:00:00.000-00:00"`},
	{`#t (1)`, `#t [1]`},
	{[]any{1, int32(2), uint(3), 4.0, float32(0.25)}, "[1 2 3 4 0.25]"},
	{edn.NewMap(edn.MapEntry{Key: 1.0, Val: "f"}, edn.MapEntry{Key: int64(1), Val: "i"}), `{1 "f" 1 "i"}`},
	{math.Copysign(0, -1), "0"},
	{bigInt("1180591620717411303424"), "1180591620717411303424"},
}

func TestCanonical(t *testing.T) {
	for _, tc := range canonicalCases {
		v := tc.in
		if s, ok := v.(string); ok {
			var err error
			if v, err = edn.ReadString(s); err != nil {
				t.Errorf("Read(%q): %v", s, err)
				continue
			}
		}
		if got := edn.Canonical(v); got != tc.want {
			t.Errorf("Canonical(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestKeyOf(t *testing.T) {
	same := [][2]string{
		{"[1 2]", "(1 2)"},
		{"1", "1N"},
		{"0.0", "-0.0"},
		{"##NaN", "##NaN"},
		{"1.5M", "1.50M"},
		{"100M", "1e2M"},
		{"{:a 1 :b 2}", "{:b 2 :a 1}"},
		{"#{1 2 [3]}", "#{(3) 2 1}"},
		{`#inst "2020-01-01T01:00:00+01:00"`, `#inst "2020-01-01"`},
		{"#uuid \"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"", "#uuid \"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6\""},
		{"#t [1]", "#t (1)"},
	}
	for _, p := range same {
		a, _ := edn.ReadString(p[0])
		b, _ := edn.ReadString(p[1])
		if !edn.Equal(a, b) || !edn.Equal(b, a) {
			t.Errorf("Equal(%s, %s) = false", p[0], p[1])
		}
		if edn.KeyOf(a) != edn.KeyOf(b) {
			t.Errorf("KeyOf(%s) = %q != KeyOf(%s) = %q", p[0], edn.KeyOf(a), p[1], edn.KeyOf(b))
		}
		if edn.Hash(a) != edn.Hash(b) {
			t.Errorf("Hash(%s) != Hash(%s)", p[0], p[1])
		}
	}
	different := [][2]string{
		{"1", "1.0"},
		{"1", "1M"},
		{"1.0", "1M"},
		{"1.5M", "-1.5M"},
		{`"a"`, `\a`},
		{":a", "a"},
		{"[1 2]", "#{1 2}"},
		{"{:a 1}", "{:a 2}"},
		{"{:a 1}", "#{:a 1}"},
		{"nil", "false"},
		{"[]", "{}"},
		{`#t 1`, `#u 1`},
		{"[1 [2]]", "[[1] 2]"},
	}
	for _, p := range different {
		a, _ := edn.ReadString(p[0])
		b, _ := edn.ReadString(p[1])
		if edn.Equal(a, b) || edn.Equal(b, a) {
			t.Errorf("Equal(%s, %s) = true", p[0], p[1])
		}
		if edn.KeyOf(a) == edn.KeyOf(b) {
			t.Errorf("KeyOf(%s) == KeyOf(%s) = %q", p[0], p[1], edn.KeyOf(a))
		}
	}
	if got := edn.KeyOf(mustRead(t, `{:b [1.50M (2)] :a #{3 1}}`)); got != `{:a #{1 3} :b [15E-1M [2]]}` {
		t.Errorf("KeyOf = %q", got)
	}
}

func mustRead(t *testing.T, s string) any {
	t.Helper()
	v, err := edn.ReadString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConformanceCorpus reads every EDN string of the conformance corpus,
// and checks that each expectation is already in canonical form.
func TestConformanceCorpus(t *testing.T) {
	cases, err := corpus.Read("../../tests/conformance/testdata/cases.jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("conformance corpus not found:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		texts := append(append([]string{c.Schema, c.Query, c.Pattern, c.Eid, c.Eids, c.Tx}, c.Txs...), c.Inputs...)
		for _, s := range texts {
			if s == "" {
				continue
			}
			if _, err := edn.ReadString(s); err != nil {
				t.Errorf("%s: Read(%q): %v", c.ID, s, err)
			}
		}
		if c.Expect != nil {
			v, err := edn.ReadString(*c.Expect)
			if err != nil {
				t.Errorf("%s: Read(expect %q): %v", c.ID, *c.Expect, err)
				continue
			}
			if got := edn.Canonical(v); got != *c.Expect {
				t.Errorf("%s: Canonical(expect) = %q, want %q", c.ID, got, *c.Expect)
			}
		}
		n++
	}
	t.Logf("%d cases", n)
}
