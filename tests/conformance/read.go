package main

import (
	"context"
	"errors"

	"github.com/cairn-db/cairn/core"
)

// runRead runs a query, pull or pull-many case.
func runRead(ctx context.Context, db *core.DB, c Case) (string, error) {
	return "", errors.New(c.Kind + " cases are not supported yet")
}
