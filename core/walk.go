package core

import (
	"context"
	"fmt"

	"github.com/cairn-db/cairn/core/index"
)

// Walk calls fn for every key a commit reaches: the commit itself, its
// schema node and every node of its indices, each exactly once, parents
// before children. The parent commit is not followed (parent links are
// weak: history lives in the temporal indices).
func Walk(ctx context.Context, loader index.Loader, commit string, fn func(key string, value []byte) error) error {
	b, err := loader.Get(ctx, commit)
	if err != nil {
		return fmt.Errorf("cairn: walk: reading commit: %w", err)
	}
	c, err := decodeCommit(b)
	if err != nil {
		return err
	}
	if err := fn(commit, b); err != nil {
		return err
	}
	sb, err := loader.Get(ctx, c.schema)
	if err != nil {
		return fmt.Errorf("cairn: walk: reading schema: %w", err)
	}
	if err := fn(c.schema, sb); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, root := range c.roots {
		if root == "" || seen[root] {
			continue
		}
		err := index.Walk(ctx, loader, root, func(key string, value []byte) error {
			if seen[key] {
				return nil
			}
			seen[key] = true
			return fn(key, value)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Diff returns the keys reachable from commit `to` but not from commit
// `from`, children before parents and the commit last, so that sending
// them in order keeps the receiver's closure invariant (a present node
// implies its whole subtree). Subtrees whose hash is equal are pruned
// without being read, so the cost is proportional to the change. An empty
// from means "nothing": every key of `to`.
func Diff(ctx context.Context, loader index.Loader, from, to string) ([]string, error) {
	tb, err := loader.Get(ctx, to)
	if err != nil {
		return nil, fmt.Errorf("cairn: diff: reading commit: %w", err)
	}
	tc, err := decodeCommit(tb)
	if err != nil {
		return nil, err
	}
	var fc commitRecord
	if from != "" {
		fb, err := loader.Get(ctx, from)
		if err != nil {
			return nil, fmt.Errorf("cairn: diff: reading commit: %w", err)
		}
		c, err := decodeCommit(fb)
		if err != nil {
			return nil, err
		}
		fc = *c
	}
	var out []string
	seen := map[string]bool{}
	for i := range tc.roots {
		if tc.roots[i] == "" || tc.roots[i] == fc.roots[i] {
			continue
		}
		keys, err := index.Diff(ctx, loader, fc.roots[i], tc.roots[i])
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	if tc.schema != fc.schema && !seen[tc.schema] {
		out = append(out, tc.schema)
	}
	if from != to {
		out = append(out, to)
	}
	return out, nil
}

// CommitRefs returns the keys a commit record refers to (index roots and
// schema node, not the parent).
func CommitRefs(commit []byte) ([]string, error) {
	c, err := decodeCommit(commit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range c.roots {
		if r != "" {
			out = append(out, r)
		}
	}
	return append(out, c.schema), nil
}
