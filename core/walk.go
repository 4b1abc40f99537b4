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

// Missing finds, top-down, the keys reachable from commit that another
// side lacks, when there is no common commit to diff against (the other
// side's commit is unknown here, e.g. pruned). lacks is asked about keys
// level by level and returns those the other side does not have; a key it
// has stands for its whole subtree (the closure invariant of replica
// stores), so nothing under it is asked. Answers naming keys that were not
// asked are ignored. The result is in children-before-parents order with
// the commit last, ready to send; it is empty when the other side has the
// commit. The cost is proportional to the difference, in as many rounds of
// lacks as the trees are deep, plus two.
func Missing(ctx context.Context, loader index.Loader, commit string, lacks func(ctx context.Context, keys []string) ([]string, error)) ([]string, error) {
	ask := func(keys []string) ([]string, error) {
		if len(keys) == 0 {
			return nil, nil
		}
		got, err := lacks(ctx, keys)
		if err != nil {
			return nil, err
		}
		asked := make(map[string]bool, len(keys))
		for _, k := range keys {
			asked[k] = true
		}
		var out []string
		for _, k := range got {
			if asked[k] {
				delete(asked, k) // once
				out = append(out, k)
			}
		}
		return out, nil
	}
	top, err := ask([]string{commit})
	if err != nil || len(top) == 0 {
		return nil, err
	}
	b, err := loader.Get(ctx, commit)
	if err != nil {
		return nil, fmt.Errorf("cairn: missing: reading commit: %w", err)
	}
	c, err := decodeCommit(b)
	if err != nil {
		return nil, err
	}
	kids := map[string][]string{} // lacking key -> its children (all of them)
	seen := map[string]bool{commit: true}
	var level []string
	for _, r := range c.roots {
		if r != "" && !seen[r] {
			seen[r] = true
			level = append(level, r)
		}
	}
	kids[commit] = append([]string(nil), level...)
	if !seen[c.schema] {
		seen[c.schema] = true
		kids[commit] = append(kids[commit], c.schema)
		// The schema node has no children; it is asked with the roots.
		level = append(level, c.schema)
	}
	for len(level) > 0 {
		lacking, err := ask(level)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, k := range lacking {
			kids[k] = nil
			if k == c.schema {
				continue
			}
			nb, err := loader.Get(ctx, k)
			if err != nil {
				return nil, fmt.Errorf("cairn: missing: reading node: %w", err)
			}
			ch, err := index.Children(nb)
			if err != nil {
				return nil, err
			}
			kids[k] = ch
			for _, x := range ch {
				if !seen[x] {
					seen[x] = true
					next = append(next, x)
				}
			}
		}
		level = next
	}
	// Post-order over the lacking keys: every key after all of its lacking
	// descendants, the commit last.
	var out []string
	done := map[string]bool{}
	var visit func(k string)
	visit = func(k string) {
		done[k] = true
		for _, x := range kids[k] {
			if _, lack := kids[x]; lack && !done[x] {
				visit(x)
			}
		}
		out = append(out, k)
	}
	visit(commit)
	return out, nil
}
