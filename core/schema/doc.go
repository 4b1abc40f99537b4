// Package schema holds Cairn's attribute definitions: value types,
// cardinality, uniqueness, components, composite and typed tuples, and the
// implicit system attributes.
//
// A Schema is an immutable value. It is built three ways: New from Go
// definitions, FromEDN from a DataScript-style schema map (DataScript mode
// and database creation), and Evolve, which applies definitions read from
// transacted datoms (AttrFromDatoms; Datahike mode, where the schema is
// data) after checking the change rules of DESIGN §3.
//
// Decisions:
//
//   - Idents are keyword texts without the colon ("name", "db/ident"), the
//     same spelling as datom.Datom.A.
//   - The system attributes (:db/ident, :db/valueType, :db/cardinality,
//     :db/unique, :db/index, :db/isComponent, :db/noHistory, :db/doc,
//     :db/txInstant, :db/tupleAttrs, :db/tupleType, :db/tupleTypes) are
//     implicit in every schema and never encoded. :db/ident is unique
//     identity. Schema properties are keyword-, boolean- or string-valued
//     (Datahike's choice); :db/tupleAttrs and :db/tupleTypes are tuples of
//     keywords.
//   - An attribute without :db/valueType is untyped (TypeAny). FromEDN
//     accepts that (DataScript schemas only care about ref and tuple);
//     AttrFromDatoms requires :db/valueType and :db/cardinality (Datahike
//     and Datomic require both for an installed attribute).
//   - A composite tuple (:db/tupleAttrs) must be cardinality one and its
//     sources must be neither cardinality many nor composites themselves.
//     A component must be a ref.
//   - Change rules (Evolve): add an attribute; change :db/index,
//     :db/noHistory and :db/doc freely; cardinality one→many; add
//     :db/unique when the caller confirms the existing values have no
//     duplicates. Everything else, including removing or changing
//     :db/unique, is ErrForbiddenChange. Removing or renaming an attribute
//     is refused by the transaction processor with the same error.
//   - Encode is canonical (version byte, attributes in ident order, no Go
//     maps), so equal schemas have equal bytes and the schema node's hash
//     identifies it. Decode is bounded and never panics.
//
// The package does not check values against types or enforce uniqueness:
// that is the transaction processor's job (package tx).
package schema
