package schema

import (
	"iter"
	"slices"
	"strings"
)

// Flexibility is a database's :schema-flexibility.
type Flexibility uint8

// The flexibilities. Under FlexWrite (the default) every attribute must be
// defined before it is used and values are checked against its type; under
// FlexRead undefined attributes are plain (untyped, cardinality one, not
// unique).
const (
	FlexWrite Flexibility = iota
	FlexRead
)

// String returns "write" or "read".
func (f Flexibility) String() string {
	if f == FlexRead {
		return "read"
	}
	return "write"
}

// TupleSource names a composite tuple attribute and the position in it of
// one of its source attributes.
type TupleSource struct {
	Tuple string
	Index int
}

// Schema is an immutable set of attribute definitions plus the system
// attributes every database has. Methods never modify it: changes return a
// new Schema. The *Attr values it hands out must not be modified.
//
// Design: the user attributes are kept as one slice sorted by ident, which
// is both the canonical encoding order and the iteration order; lookups go
// through a map built once by New. The reverse index from source attribute
// to composite tuples is precomputed because the transaction processor
// consults it for every datom.
type Schema struct {
	flex       Flexibility
	attrs      []*Attr // user attributes, sorted by ident
	byIdent    map[string]*Attr
	sources    map[string][]TupleSource
	refs       []string // sorted idents of the ref attributes, system ones included
	composites bool
}

// The system attributes. :db/ident is unique identity; the other schema
// attributes are keyword-, boolean- or string-valued (Datahike's choice,
// not Datomic's refs to ident entities).
var systemAttrs = []Attr{
	{Ident: "db/cardinality", ValueType: TypeKeyword},
	{Ident: "db/doc", ValueType: TypeString},
	{Ident: "db/ident", ValueType: TypeKeyword, Unique: UniqueIdentity},
	{Ident: "db/index", ValueType: TypeBoolean},
	{Ident: "db/isComponent", ValueType: TypeBoolean},
	{Ident: "db/noHistory", ValueType: TypeBoolean},
	{Ident: "db/tupleAttrs", ValueType: TypeTuple, TupleType: TypeKeyword},
	{Ident: "db/tupleType", ValueType: TypeKeyword},
	{Ident: "db/tupleTypes", ValueType: TypeTuple, TupleType: TypeKeyword},
	{Ident: "db/txInstant", ValueType: TypeInstant, Index: true},
	{Ident: "db/unique", ValueType: TypeKeyword},
	{Ident: "db/valueType", ValueType: TypeKeyword},
	// IdempotencyKey is written on the transaction entity of a remote
	// transaction, in the same commit, so a retried call is applied once.
	{Ident: IdempotencyKey, ValueType: TypeString, Unique: UniqueValue},
}

// IdempotencyKey is the system attribute holding a remote transaction's
// idempotency key (unique value, on the transaction entity).
const IdempotencyKey = "cairn.tx/idempotencyKey"

var systemByIdent = func() map[string]*Attr {
	m := make(map[string]*Attr, len(systemAttrs))
	for i := range systemAttrs {
		m[systemAttrs[i].Ident] = &systemAttrs[i]
	}
	return m
}()

// IsSystem reports whether ident is one of the implicit system attributes
// (:db/ident, :db/valueType, :db/txInstant, ...).
func IsSystem(ident string) bool { _, ok := systemByIdent[ident]; return ok }

// IsSchemaAttr reports whether ident is one of the attributes that define
// an attribute when asserted on an entity with a :db/ident (everything in
// the system set except :db/ident and :db/txInstant).
func IsSchemaAttr(ident string) bool {
	return ident != "db/ident" && ident != "db/txInstant" && ident != IdempotencyKey && IsSystem(ident)
}

// Empty returns a schema with only the system attributes.
func Empty(flex Flexibility) *Schema {
	s, _ := New(flex, nil)
	return s
}

// New returns a schema of the given definitions. The definitions are
// copied; their order does not matter. It returns an error wrapping
// ErrInvalidSchema when a definition is malformed, repeats an ident,
// redefines a system attribute, or when the definitions are inconsistent
// with each other (a composite tuple over a cardinality-many or another
// composite attribute).
func New(flex Flexibility, defs []Attr) (*Schema, error) {
	if flex > FlexRead {
		return nil, invalid("schema-flexibility", "unknown flexibility %d", flex)
	}
	s := &Schema{
		flex:    flex,
		attrs:   make([]*Attr, 0, len(defs)),
		byIdent: make(map[string]*Attr, len(defs)+len(systemAttrs)),
		sources: map[string][]TupleSource{},
	}
	for i := range defs {
		a := defs[i].clone()
		if err := a.validate(); err != nil {
			return nil, err
		}
		if IsSystem(a.Ident) {
			return nil, invalid(a.Ident, "cannot redefine a system attribute")
		}
		s.attrs = append(s.attrs, &a)
	}
	slices.SortFunc(s.attrs, func(a, b *Attr) int { return strings.Compare(a.Ident, b.Ident) })
	for i, a := range s.attrs {
		if i > 0 && s.attrs[i-1].Ident == a.Ident {
			return nil, invalid(a.Ident, "defined twice")
		}
		s.byIdent[a.Ident] = a
	}
	for i := range systemAttrs {
		s.byIdent[systemAttrs[i].Ident] = &systemAttrs[i]
	}
	for _, a := range s.attrs {
		if a.ValueType == TypeRef {
			s.refs = append(s.refs, a.Ident)
		}
		for i, src := range a.TupleAttrs {
			if b, ok := s.byIdent[src]; ok {
				if b.Cardinality == CardinalityMany {
					return nil, invalid(a.Ident, "source attribute :%s is cardinality many", src)
				}
				if b.IsComposite() {
					return nil, invalid(a.Ident, "source attribute :%s is a composite tuple", src)
				}
			}
			s.sources[src] = append(s.sources[src], TupleSource{Tuple: a.Ident, Index: i})
			s.composites = true
		}
	}
	return s, nil
}

// Flexibility returns the schema's flexibility.
func (s *Schema) Flexibility() Flexibility { return s.flex }

// WithFlexibility returns the schema with another flexibility.
func (s *Schema) WithFlexibility(f Flexibility) *Schema {
	if f == s.flex {
		return s
	}
	c := *s
	c.flex = f
	return &c
}

// Attr returns the definition of an attribute (user or system); a nil
// schema has none.
func (s *Schema) Attr(ident string) (*Attr, bool) {
	if s == nil {
		return nil, false
	}
	a, ok := s.byIdent[ident]
	return a, ok
}

// Len returns the number of user attributes.
func (s *Schema) Len() int { return len(s.attrs) }

// All iterates over the user attributes in ident order.
func (s *Schema) All() iter.Seq[*Attr] {
	return func(yield func(*Attr) bool) {
		for _, a := range s.attrs {
			if !yield(a) {
				return
			}
		}
	}
}

// System iterates over the system attributes in ident order.
func System() iter.Seq[*Attr] {
	return func(yield func(*Attr) bool) {
		for i := range systemAttrs {
			if !yield(&systemAttrs[i]) {
				return
			}
		}
	}
}

// IsRef reports whether a is :db.type/ref.
func (s *Schema) IsRef(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.ValueType == TypeRef
}

// IsMany reports whether a is cardinality many.
func (s *Schema) IsMany(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.Cardinality == CardinalityMany
}

// IsUnique reports whether a has any :db/unique.
func (s *Schema) IsUnique(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.Unique != UniqueNone
}

// IsIdentity reports whether a is :db.unique/identity.
func (s *Schema) IsIdentity(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.Unique == UniqueIdentity
}

// IsComponent reports whether a is a component ref.
func (s *Schema) IsComponent(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.IsComponent
}

// NoHistory reports whether a keeps no history.
func (s *Schema) NoHistory(a string) bool {
	x, ok := s.byIdent[a]
	return ok && x.NoHistory
}

// IsIndexed reports whether a has :db/index (every unique attribute counts
// as indexed).
func (s *Schema) IsIndexed(a string) bool {
	x, ok := s.byIdent[a]
	return ok && (x.Index || x.Unique != UniqueNone)
}

// IsComposite reports whether a is a composite tuple attribute.
func (s *Schema) IsComposite(a string) bool {
	x, ok := s.byIdent[a]
	return ok && len(x.TupleAttrs) > 0
}

// TuplesOf returns the composite tuples that a is a source attribute of,
// with a's position in each. Do not modify the result.
func (s *Schema) TuplesOf(a string) []TupleSource { return s.sources[a] }

// HasComposites reports whether any composite tuple attribute is defined.
func (s *Schema) HasComposites() bool { return s.composites }

// RefAttrs returns the idents of all ref attributes, sorted. Do not modify
// the result.
func (s *Schema) RefAttrs() []string { return s.refs }

// Equal reports whether two schemas hold the same definitions and
// flexibility.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil || s.flex != o.flex || len(s.attrs) != len(o.attrs) {
		return false
	}
	for i, a := range s.attrs {
		if !a.Equal(o.attrs[i]) {
			return false
		}
	}
	return true
}

// Evolve returns the schema with defs added (new idents) or replacing the
// current definitions (known idents), after checking the change rules:
//
//   - a new attribute may be added;
//   - :db/index, :db/noHistory and :db/doc may change freely;
//   - cardinality may go from one to many;
//   - :db/unique may be added to an attribute without one, if unique
//     reports that its current values have no duplicates;
//   - anything else (value type, tuple definition, :db/isComponent, a
//     change or removal of :db/unique, many to one, the defining entity)
//     is an error wrapping ErrForbiddenChange.
//
// unique is called once for each attribute that gains :db/unique. When no
// definition changes anything, s itself is returned.
func (s *Schema) Evolve(defs []Attr, unique func(ident string) (bool, error)) (*Schema, error) {
	changed := false
	next := make(map[string]Attr, len(defs))
	for i := range defs {
		d := defs[i].clone()
		if err := d.validate(); err != nil {
			return nil, err
		}
		if IsSystem(d.Ident) {
			return nil, invalid(d.Ident, "cannot redefine a system attribute")
		}
		old, ok := s.byIdent[d.Ident]
		if ok {
			if old.Equal(&d) {
				continue
			}
			if err := checkChange(old, &d); err != nil {
				return nil, err
			}
			if old.Unique == UniqueNone && d.Unique != UniqueNone {
				if unique == nil {
					return nil, forbidden(d.Ident, "cannot check existing values for :db/unique")
				}
				ok, err := unique(d.Ident)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, forbidden(d.Ident, "%v", ErrUniqueViolation)
				}
			}
		}
		next[d.Ident] = d
		changed = true
	}
	if !changed {
		return s, nil
	}
	all := make([]Attr, 0, len(s.attrs)+len(next))
	for _, a := range s.attrs {
		if d, ok := next[a.Ident]; ok {
			all = append(all, d)
			delete(next, a.Ident)
			continue
		}
		all = append(all, *a)
	}
	for _, d := range next {
		all = append(all, d)
	}
	return New(s.flex, all)
}

// checkChange applies the change rules to one existing attribute.
func checkChange(old, d *Attr) error {
	switch {
	case old.Eid != 0 && d.Eid != old.Eid:
		return forbidden(d.Ident, "already defined by entity %d", old.Eid)
	case d.ValueType != old.ValueType:
		return forbidden(d.Ident, "value type cannot change from :%s to :%s", old.ValueType, d.ValueType)
	case !slices.Equal(d.TupleAttrs, old.TupleAttrs) || d.TupleType != old.TupleType ||
		!slices.Equal(d.TupleTypes, old.TupleTypes):
		return forbidden(d.Ident, "tuple definition cannot change")
	case d.Cardinality != old.Cardinality && d.Cardinality != CardinalityMany:
		return forbidden(d.Ident, "cardinality cannot change from many to one")
	case d.IsComponent != old.IsComponent:
		return forbidden(d.Ident, ":db/isComponent cannot change")
	case d.Unique != old.Unique && old.Unique != UniqueNone:
		return forbidden(d.Ident, ":db/unique cannot change once set")
	}
	return nil
}
