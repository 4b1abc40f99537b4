package schema

import (
	"fmt"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/edn"
)

// FromEDN reads a DataScript-style schema map:
//
//	{:name   {:db/unique :db.unique/identity}
//	 :friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}}
//
// Keys are attribute keywords; values are maps of schema attributes
// (:db/valueType, :db/cardinality, :db/unique, :db/index, :db/isComponent,
// :db/noHistory, :db/doc, :db/tupleAttrs, :db/tupleType, :db/tupleTypes).
// An attribute without :db/valueType is untyped (TypeAny). Unknown keys in
// a definition are ignored, as DataScript ignores them. A nil map gives the
// empty schema.
func FromEDN(m *edn.Map, flex Flexibility) (*Schema, error) {
	defs := make([]Attr, 0, m.Len())
	if m != nil {
		for _, e := range m.Entries {
			k, ok := e.Key.(edn.Keyword)
			if !ok {
				return nil, fmt.Errorf("%w: schema key %s is not a keyword", ErrInvalidSchema, edn.Print(e.Key))
			}
			ident := datom.KeywordText(k)
			props, ok := e.Val.(*edn.Map)
			if !ok && e.Val != nil {
				return nil, invalid(ident, "definition is not a map")
			}
			a, err := attrFromProps(ident, props)
			if err != nil {
				return nil, err
			}
			defs = append(defs, a)
		}
	}
	return New(flex, defs)
}

func attrFromProps(ident string, props *edn.Map) (Attr, error) {
	a := Attr{Ident: ident}
	if props == nil {
		return a, nil
	}
	for _, e := range props.Entries {
		k, ok := e.Key.(edn.Keyword)
		if !ok {
			return a, invalid(ident, "property %s is not a keyword", edn.Print(e.Key))
		}
		v, err := propValue(e.Val)
		if err != nil {
			return a, invalid(ident, "%s: %v", k, err)
		}
		if err := setProp(&a, datom.KeywordText(k), v); err != nil {
			return a, err
		}
	}
	return a, nil
}

// propValue converts the EDN value of a schema property to a datom value.
func propValue(v any) (datom.Value, error) {
	switch x := v.(type) {
	case edn.Keyword:
		return datom.Keyword(datom.KeywordText(x)), nil
	case bool:
		return datom.Bool(x), nil
	case string:
		return datom.String(x), nil
	case edn.Vector:
		return propTuple(x)
	case edn.List:
		return propTuple(x)
	case nil:
		return datom.Nil, nil
	}
	return datom.Nil, fmt.Errorf("unsupported value %s", edn.Print(v))
}

func propTuple(xs []any) (datom.Value, error) {
	if len(xs) > maxTupleLen {
		return datom.Nil, fmt.Errorf("tuple too long")
	}
	vs := make([]datom.Value, len(xs))
	for i, x := range xs {
		k, ok := x.(edn.Keyword)
		if !ok {
			return datom.Nil, fmt.Errorf("tuple element %s is not a keyword", edn.Print(x))
		}
		vs[i] = datom.Keyword(datom.KeywordText(k))
	}
	return datom.Tuple(vs), nil
}

// setProp applies one schema property (a system attribute and its value)
// to a definition. Properties that are not schema attributes are ignored.
func setProp(a *Attr, prop string, v datom.Value) error {
	bad := func() error { return invalid(a.Ident, "bad value %s for :%s", v, prop) }
	kw := func() (string, bool) {
		if v.Kind() != datom.KindKeyword {
			return "", false
		}
		return v.Text(), true
	}
	switch prop {
	case "db/valueType":
		s, ok := kw()
		if !ok {
			return bad()
		}
		t, ok := ParseValueType(s)
		if !ok {
			return bad()
		}
		a.ValueType = t
	case "db/cardinality":
		s, _ := kw()
		switch s {
		case "db.cardinality/one":
			a.Cardinality = CardinalityOne
		case "db.cardinality/many":
			a.Cardinality = CardinalityMany
		default:
			return bad()
		}
	case "db/unique":
		s, _ := kw()
		switch s {
		case "db.unique/identity":
			a.Unique = UniqueIdentity
		case "db.unique/value":
			a.Unique = UniqueValue
		default:
			if v.IsNil() {
				a.Unique = UniqueNone
				return nil
			}
			return bad()
		}
	case "db/index", "db/isComponent", "db/noHistory":
		if v.Kind() != datom.KindBool {
			return bad()
		}
		switch prop {
		case "db/index":
			a.Index = v.AsBool()
		case "db/isComponent":
			a.IsComponent = v.AsBool()
		default:
			a.NoHistory = v.AsBool()
		}
	case "db/doc":
		if v.Kind() != datom.KindString {
			return bad()
		}
		a.Doc = v.Text()
	case "db/tupleAttrs":
		if v.Kind() != datom.KindTuple || len(v.AsTuple()) == 0 || len(v.AsTuple()) > maxTupleLen {
			return bad()
		}
		a.TupleAttrs = a.TupleAttrs[:0]
		for _, e := range v.AsTuple() {
			if e.Kind() != datom.KindKeyword {
				return bad()
			}
			a.TupleAttrs = append(a.TupleAttrs, e.Text())
		}
	case "db/tupleType":
		s, ok := kw()
		t, ok2 := ParseValueType(s)
		if !ok || !ok2 {
			return bad()
		}
		a.TupleType = t
	case "db/tupleTypes":
		if v.Kind() != datom.KindTuple || len(v.AsTuple()) == 0 || len(v.AsTuple()) > maxTupleLen {
			return bad()
		}
		a.TupleTypes = a.TupleTypes[:0]
		for _, e := range v.AsTuple() {
			t, ok := ParseValueType(e.Text())
			if e.Kind() != datom.KindKeyword || !ok {
				return bad()
			}
			a.TupleTypes = append(a.TupleTypes, t)
		}
	}
	return nil
}

// AttrFromDatoms builds the definition of attribute ident, defined by
// entity eid, from that entity's current datoms (datoms of other
// attributes are ignored). It is how a schema transacted as data (Datahike
// mode) is read: :db/valueType and :db/cardinality are required. A
// cardinality-many schema property is an error.
func AttrFromDatoms(eid int64, ident string, ds []datom.Datom) (Attr, error) {
	a := Attr{Ident: ident, Eid: eid}
	var hasType, hasCard bool
	seen := map[string]bool{}
	for _, d := range ds {
		if !IsSchemaAttr(d.A) {
			continue
		}
		if seen[d.A] {
			return a, invalid(ident, "more than one :%s", d.A)
		}
		seen[d.A] = true
		if err := setProp(&a, d.A, d.V); err != nil {
			return a, err
		}
		hasType = hasType || d.A == "db/valueType"
		hasCard = hasCard || d.A == "db/cardinality"
	}
	if !hasType {
		return a, invalid(ident, "missing :db/valueType")
	}
	if !hasCard {
		return a, invalid(ident, "missing :db/cardinality")
	}
	return a, a.validate()
}
