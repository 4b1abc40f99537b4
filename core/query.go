package core

import (
	"context"

	"github.com/cairn-db/cairn/core/pull"
	"github.com/cairn-db/cairn/core/query"
)

// Static checks: a DB serves queries and pulls directly.
var (
	_ query.Source = (*DB)(nil)
	_ pull.Source  = (*DB)(nil)
)

// Q runs a Datalog query (EDN text or parsed form) with db bound to $ and
// the given further inputs.
func (db *DB) Q(ctx context.Context, q any, inputs ...any) (any, error) {
	return query.Q(ctx, q, append([]any{db}, inputs...)...)
}

// Pull returns the entity eid (an id, lookup ref or ident) shaped by a pull
// pattern, or nil when it does not exist.
func (db *DB) Pull(ctx context.Context, pattern any, eid any) (any, error) {
	return pull.Pull(ctx, db, pattern, eid)
}

// PullMany pulls several entities, keeping their order, nil for missing
// ones.
func (db *DB) PullMany(ctx context.Context, pattern any, eids any) (any, error) {
	return pull.PullMany(ctx, db, pattern, eids)
}

// Entity returns a lazy entity view of eid.
func (db *DB) Entity(ctx context.Context, eid any) (*pull.Entity, error) {
	return pull.NewEntity(ctx, db, eid)
}
