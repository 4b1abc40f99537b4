package query

import (
	"context"

	"github.com/cairn-db/cairn/core/datom"
	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/schema"
)

// Iterator walks datoms in index order (see pull.Iterator: an alias of an
// unnamed interface, so a database package can declare the same method
// set without importing this one).
type Iterator = pull.Iterator

// Source is a database value as the query engine sees it. The facade's DB
// (current, history, as-of and since views) implements it; a B+-tree serves
// every call with one seek and a prefix scan.
type Source interface {
	// Schema returns the schema of the database value.
	Schema() *schema.Schema
	// Datoms iterates the datoms of index order whose leading components
	// equal components, in index order (EAVT: e a v; AEVT: a e v; AVET:
	// a v e). Attributes are datom.Keyword values, entity ids longs.
	// AVET holds every attribute. A history view also yields retractions
	// (Added false); other views yield only current datoms.
	Datoms(ctx context.Context, order datom.Order, components ...datom.Value) Iterator
	// Count estimates how many datoms the same Datoms call yields; the
	// planner uses it to order clauses, so it may be approximate but
	// should be cheap.
	Count(ctx context.Context, order datom.Order, components ...datom.Value) int64
	// IsHistory reports whether the view includes retractions.
	IsHistory() bool
}

// source is a bound query source: a database or a collection of tuples
// (a pattern on it matches tuple positions).
type source struct {
	name string
	db   Source
	coll [][]datom.Value
}
