package schema

import (
	"slices"
	"strconv"

	"github.com/cairn-db/cairn/core/datom"
)

// ValueType is an attribute's :db/valueType. TypeAny (the zero value) is an
// untyped attribute, which accepts every value kind.
type ValueType uint8

// The value types. :db.type/float is read as TypeDouble; :db.type/value as
// TypeAny.
const (
	TypeAny ValueType = iota
	TypeString
	TypeLong
	TypeDouble
	TypeBoolean
	TypeKeyword
	TypeSymbol
	TypeRef
	TypeInstant
	TypeUUID
	TypeBytes
	TypeBigInt
	TypeBigDec
	TypeTuple
	TypeNumber // any numeric kind (Datahike's :db.type/number)
	numTypes
)

var typeIdents = [...]string{
	TypeAny:     "db.type/value",
	TypeString:  "db.type/string",
	TypeLong:    "db.type/long",
	TypeDouble:  "db.type/double",
	TypeBoolean: "db.type/boolean",
	TypeKeyword: "db.type/keyword",
	TypeSymbol:  "db.type/symbol",
	TypeRef:     "db.type/ref",
	TypeInstant: "db.type/instant",
	TypeUUID:    "db.type/uuid",
	TypeBytes:   "db.type/bytes",
	TypeBigInt:  "db.type/bigint",
	TypeBigDec:  "db.type/bigdec",
	TypeTuple:   "db.type/tuple",
	TypeNumber:  "db.type/number",
}

// String returns the type's keyword text without the colon
// ("db.type/string"); TypeAny prints as "db.type/value".
func (t ValueType) String() string {
	if t < numTypes {
		return typeIdents[t]
	}
	return "db.type/unknown-" + strconv.Itoa(int(t))
}

// ParseValueType returns the type named by keyword text such as
// "db.type/long".
func ParseValueType(ident string) (ValueType, bool) {
	if ident == "db.type/float" {
		return TypeDouble, true
	}
	for t, s := range typeIdents {
		if s == ident {
			return ValueType(t), true
		}
	}
	return TypeAny, false
}

// Accepts reports whether a value of kind k is valid for type t as stored
// (no conversion). Nil is never accepted at the top level.
func (t ValueType) Accepts(k datom.Kind) bool {
	switch t {
	case TypeAny:
		return k != datom.KindNil
	case TypeString:
		return k == datom.KindString
	case TypeLong, TypeRef:
		return k == datom.KindLong
	case TypeDouble:
		return k == datom.KindDouble
	case TypeBoolean:
		return k == datom.KindBool
	case TypeKeyword:
		return k == datom.KindKeyword
	case TypeSymbol:
		return k == datom.KindSymbol
	case TypeInstant:
		return k == datom.KindInstant
	case TypeUUID:
		return k == datom.KindUUID
	case TypeBytes:
		return k == datom.KindBytes
	case TypeBigInt:
		return k == datom.KindBigInt
	case TypeBigDec:
		return k == datom.KindBigDec
	case TypeTuple:
		return k == datom.KindTuple
	case TypeNumber:
		return k.IsNumber()
	}
	return false
}

// Cardinality is an attribute's :db/cardinality.
type Cardinality uint8

// The cardinalities; One is the default.
const (
	CardinalityOne Cardinality = iota
	CardinalityMany
)

// String returns "db.cardinality/one" or "db.cardinality/many".
func (c Cardinality) String() string {
	if c == CardinalityMany {
		return "db.cardinality/many"
	}
	return "db.cardinality/one"
}

// Unique is an attribute's :db/unique.
type Unique uint8

// The uniqueness kinds. UniqueIdentity values upsert; UniqueValue values
// conflict.
const (
	UniqueNone Unique = iota
	UniqueIdentity
	UniqueValue
)

// String returns "db.unique/identity", "db.unique/value" or "".
func (u Unique) String() string {
	switch u {
	case UniqueIdentity:
		return "db.unique/identity"
	case UniqueValue:
		return "db.unique/value"
	}
	return ""
}

// Attr is the definition of one attribute. Idents are keyword texts
// without the colon ("name", "db/ident").
type Attr struct {
	Ident       string
	ValueType   ValueType
	Cardinality Cardinality
	Unique      Unique
	Index       bool
	IsComponent bool
	NoHistory   bool
	Doc         string
	// TupleAttrs makes a composite tuple: the attribute's value is kept up
	// to date from these source attributes by the transaction processor.
	TupleAttrs []string
	// TupleType types every element of a homogeneous tuple.
	TupleType ValueType
	// TupleTypes types each position of a heterogeneous tuple.
	TupleTypes []ValueType
	// Eid is the id of the entity that defines the attribute when the
	// schema is transacted as data (Datahike mode); 0 for attributes from
	// a schema map and for system attributes.
	Eid int64
}

// IsComposite reports whether a is a composite tuple (has :db/tupleAttrs).
func (a *Attr) IsComposite() bool { return len(a.TupleAttrs) > 0 }

// Equal reports whether two definitions are identical.
func (a *Attr) Equal(b *Attr) bool {
	return a.Ident == b.Ident && a.ValueType == b.ValueType && a.Cardinality == b.Cardinality &&
		a.Unique == b.Unique && a.Index == b.Index && a.IsComponent == b.IsComponent &&
		a.NoHistory == b.NoHistory && a.Doc == b.Doc && slices.Equal(a.TupleAttrs, b.TupleAttrs) &&
		a.TupleType == b.TupleType && slices.Equal(a.TupleTypes, b.TupleTypes) && a.Eid == b.Eid
}

func (a Attr) clone() Attr {
	a.TupleAttrs = slices.Clone(a.TupleAttrs)
	a.TupleTypes = slices.Clone(a.TupleTypes)
	if len(a.TupleAttrs) == 0 {
		a.TupleAttrs = nil
	}
	if len(a.TupleTypes) == 0 {
		a.TupleTypes = nil
	}
	return a
}

// validate checks one definition on its own.
func (a *Attr) validate() error {
	if a.Ident == "" || a.Ident[0] == ':' || a.Ident[0] == '/' || a.Ident[len(a.Ident)-1] == '/' {
		return invalid(a.Ident, "bad ident")
	}
	if len(a.Ident) > maxIdentLen {
		return invalid(a.Ident[:32]+"…", "ident too long")
	}
	if a.ValueType >= numTypes || a.TupleType >= numTypes {
		return invalid(a.Ident, "unknown value type")
	}
	if a.Cardinality > CardinalityMany {
		return invalid(a.Ident, "unknown cardinality")
	}
	if a.Unique > UniqueValue {
		return invalid(a.Ident, "unknown uniqueness")
	}
	if a.IsComponent && a.ValueType != TypeRef {
		return invalid(a.Ident, ":db/isComponent requires :db.type/ref")
	}
	if a.TupleType != TypeAny || len(a.TupleTypes) > 0 || len(a.TupleAttrs) > 0 {
		if a.ValueType != TypeTuple {
			return invalid(a.Ident, "tuple definition requires :db.type/tuple")
		}
	}
	n := 0
	if a.TupleType != TypeAny {
		n++
	}
	if len(a.TupleTypes) > 0 {
		n++
	}
	if len(a.TupleAttrs) > 0 {
		n++
	}
	if n > 1 {
		return invalid(a.Ident, "only one of :db/tupleAttrs, :db/tupleType and :db/tupleTypes")
	}
	if a.TupleType == TypeTuple {
		return invalid(a.Ident, "bad :db/tupleType")
	}
	for _, t := range a.TupleTypes {
		if t >= numTypes || t == TypeTuple {
			return invalid(a.Ident, "bad :db/tupleTypes")
		}
	}
	if len(a.TupleAttrs) > 0 {
		if a.Cardinality != CardinalityOne {
			return invalid(a.Ident, "a composite tuple must be cardinality one")
		}
		for i, s := range a.TupleAttrs {
			if s == "" || s == a.Ident {
				return invalid(a.Ident, "bad :db/tupleAttrs")
			}
			if slices.Contains(a.TupleAttrs[:i], s) {
				return invalid(a.Ident, "repeated source attribute :%s", s)
			}
		}
	}
	if len(a.Doc) > maxDocLen {
		return invalid(a.Ident, "doc too long")
	}
	return nil
}

const (
	maxIdentLen = 1024
	maxDocLen   = 1 << 16
	maxTupleLen = 64
)
