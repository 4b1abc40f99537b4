package schema_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/core/schema"
)

func fromEDN(t *testing.T, text string) (*schema.Schema, error) {
	t.Helper()
	v, err := edn.ReadString(text)
	if err != nil {
		t.Fatal(err)
	}
	return schema.FromEDN(v.(*edn.Map), schema.FlexWrite)
}

func TestFromEDN(t *testing.T) {
	s, err := fromEDN(t, `{:name {:db/unique :db.unique/identity}
	 :friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
	 :address {:db/valueType :db.type/ref :db/isComponent true}
	 :score {:db/valueType :db.type/float :db/index true :db/doc "points"}
	 :a+b {:db/valueType :db.type/tuple :db/tupleAttrs [:a :b] :db/unique :db.unique/identity}
	 :plain {}}`)
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsIdentity("name") || !s.IsRef("friend") || !s.IsMany("friend") || !s.IsComponent("address") {
		t.Fatal("flags lost")
	}
	if a, _ := s.Attr("score"); a.ValueType != schema.TypeDouble || !a.Index || a.Doc != "points" {
		t.Fatalf("score = %+v", a)
	}
	if a, _ := s.Attr("plain"); a.ValueType != schema.TypeAny || a.Cardinality != schema.CardinalityOne {
		t.Fatalf("plain = %+v", a)
	}
	if got := s.TuplesOf("b"); len(got) != 1 || got[0] != (schema.TupleSource{Tuple: "a+b", Index: 1}) {
		t.Fatalf("tuples of b = %v", got)
	}
	if !s.IsIdentity("db/ident") || !s.HasComposites() || !slices.Equal(s.RefAttrs(), []string{"address", "friend"}) {
		t.Fatal("system attributes or indexes wrong")
	}
	var idents []string
	for a := range s.All() {
		idents = append(idents, a.Ident)
	}
	if !slices.Equal(idents, []string{"a+b", "address", "friend", "name", "plain", "score"}) {
		t.Fatalf("order %v", idents)
	}
}

func TestInvalid(t *testing.T) {
	for _, text := range []string{
		`{:x {:db/isComponent true}}`,
		`{:x {:db/valueType :db.type/nope}}`,
		`{:x {:db/cardinality :many}}`,
		`{:x {:db/tupleAttrs [:a :b]}}`,
		`{:m {:db/cardinality :db.cardinality/many} :t {:db/valueType :db.type/tuple :db/tupleAttrs [:m :b]}}`,
		`{:db/ident {:db/unique :db.unique/identity}}`,
		`{"x" {}}`,
		`{:x 1}`,
	} {
		if _, err := fromEDN(t, text); !errors.Is(err, schema.ErrInvalidSchema) {
			t.Errorf("%s: err = %v", text, err)
		}
	}
}

func TestEvolve(t *testing.T) {
	s, err := schema.New(schema.FlexWrite, []schema.Attr{
		{Ident: "age", ValueType: schema.TypeLong, Eid: 1},
		{Ident: "email", ValueType: schema.TypeString, Eid: 2},
		{Ident: "tags", ValueType: schema.TypeString, Cardinality: schema.CardinalityMany, Eid: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	age, _ := s.Attr("age")
	uniqueOK := func(string) (bool, error) { return true, nil }
	mod := func(f func(a *schema.Attr)) []schema.Attr { a := *age; f(&a); return []schema.Attr{a} }
	allowed := [][]schema.Attr{
		mod(func(a *schema.Attr) { a.Index = true; a.Doc = "d"; a.NoHistory = true }),
		mod(func(a *schema.Attr) { a.Cardinality = schema.CardinalityMany }),
		mod(func(a *schema.Attr) { a.Unique = schema.UniqueValue }),
		{{Ident: "new", ValueType: schema.TypeRef, Eid: 9}},
	}
	for _, defs := range allowed {
		if _, err := s.Evolve(defs, uniqueOK); err != nil {
			t.Errorf("%+v: %v", defs, err)
		}
	}
	tags, _ := s.Attr("tags")
	forbidden := [][]schema.Attr{
		mod(func(a *schema.Attr) { a.ValueType = schema.TypeString }),
		mod(func(a *schema.Attr) { a.Eid = 7 }),
		{func() schema.Attr { a := *tags; a.Cardinality = schema.CardinalityOne; return a }()},
	}
	for _, defs := range forbidden {
		if _, err := s.Evolve(defs, uniqueOK); !errors.Is(err, schema.ErrForbiddenChange) {
			t.Errorf("%+v: err = %v", defs, err)
		}
	}
	dups := func(string) (bool, error) { return false, nil }
	if _, err := s.Evolve(mod(func(a *schema.Attr) { a.Unique = schema.UniqueIdentity }), dups); !errors.Is(err, schema.ErrForbiddenChange) {
		t.Errorf("unique over duplicates: %v", err)
	}
	u, _ := s.Evolve(mod(func(a *schema.Attr) { a.Unique = schema.UniqueIdentity }), uniqueOK)
	if _, err := u.Evolve(mod(func(a *schema.Attr) { a.Unique = schema.UniqueValue }), uniqueOK); !errors.Is(err, schema.ErrForbiddenChange) {
		t.Errorf("unique changed: %v", err)
	}
	if same, _ := s.Evolve([]schema.Attr{*age}, nil); same != s {
		t.Error("a no-op change made a new schema")
	}
}

func TestAttrFromDatoms(t *testing.T) {
	kw := datom.Keyword
	ds := []datom.Datom{
		{E: 5, A: "db/cardinality", V: kw("db.cardinality/many")},
		{E: 5, A: "db/ident", V: kw("pts")},
		{E: 5, A: "db/tupleTypes", V: datom.Tuple([]datom.Value{kw("db.type/long"), kw("db.type/string")})},
		{E: 5, A: "db/valueType", V: kw("db.type/tuple")},
	}
	a, err := schema.AttrFromDatoms(5, "pts", ds)
	if err != nil {
		t.Fatal(err)
	}
	if a.Eid != 5 || a.ValueType != schema.TypeTuple || a.Cardinality != schema.CardinalityMany ||
		!slices.Equal(a.TupleTypes, []schema.ValueType{schema.TypeLong, schema.TypeString}) {
		t.Fatalf("attr %+v", a)
	}
	if _, err := schema.AttrFromDatoms(5, "x", ds[:2]); !errors.Is(err, schema.ErrInvalidSchema) {
		t.Fatalf("missing value type: %v", err)
	}
}
