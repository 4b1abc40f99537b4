package query_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cairn-db/cairn/core/query"
)

// TestTimeout checks that a runaway query (a product of 20k × 20k
// entities) ends with ErrTimeout, and that a cancelled context stops it.
func TestTimeout(t *testing.T) {
	db := benchData(t)
	q := `[:find (count ?a) . :where [?a :name] [?b :name] [(< ?a ?b)]]`
	start := time.Now()
	_, err := query.QueryWith(context.Background(), &query.Options{Timeout: 100 * time.Millisecond}, q, db)
	if !errors.Is(err, query.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to time out", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := query.Q(ctx, q, db); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
