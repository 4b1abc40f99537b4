package main

import (
	"context"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/edn"
	"github.com/cairn-db/cairn/internal/corpus"
)

// runRead runs a query, pull or pull-many case on the real engine.
func runRead(ctx context.Context, db *core.DB, c Case) (string, error) {
	switch c.Kind {
	case "query":
		var inputs []any
		for _, in := range c.Inputs {
			v, err := edn.ReadString(in)
			if err != nil {
				return "", err
			}
			inputs = append(inputs, v)
		}
		res, err := db.Q(ctx, c.Query, inputs...)
		if err != nil {
			return "", err
		}
		return corpus.CanonicalResult(res, corpus.SortedShape(c.Query)), nil
	case "pull":
		eid, err := edn.ReadString(c.Eid)
		if err != nil {
			return "", err
		}
		res, err := db.Pull(ctx, c.Pattern, eid)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	default: // pull-many
		eids, err := edn.ReadString(c.Eids)
		if err != nil {
			return "", err
		}
		res, err := db.PullMany(ctx, c.Pattern, eids)
		if err != nil {
			return "", err
		}
		return edn.Canonical(res), nil
	}
}
