package index

import (
	"context"
	"fmt"
	"slices"
)

// fetch reads the node stored under key through loader and verifies that
// the bytes hash to it.
func fetch(ctx context.Context, loader Loader, key string) ([]byte, error) {
	b, err := loader.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("index: load node %x: %w", shortKey(key), err)
	}
	if err := verify(key, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Walk calls fn with every node reachable from root, parents before their
// children (depth first, children in order). Each node's bytes are verified
// against its key, and its level against its parent's, before fn sees them;
// fn must not modify them. A node reached twice (which a valid tree never
// does) is visited once. An error from the loader, from verification, or
// from fn ends the walk and is returned. An empty root walks nothing.
func Walk(ctx context.Context, loader Loader, root string, fn func(key string, encoded []byte) error) error {
	if root == "" {
		return nil
	}
	type item struct {
		key   string
		level int // expected level; -1 for the root
	}
	stack := []item{{root, -1}}
	seen := map[string]struct{}{}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := seen[it.key]; ok {
			continue
		}
		seen[it.key] = struct{}{}
		b, err := fetch(ctx, loader, it.key)
		if err != nil {
			return err
		}
		h, err := decodeHeader(b)
		if err == nil && it.level >= 0 && h.level != it.level {
			err = corruptf("level %d, want %d", h.level, it.level)
		}
		if err != nil {
			return fmt.Errorf("node %x: %w", shortKey(it.key), err)
		}
		if err := fn(it.key, b); err != nil {
			return err
		}
		kids, err := Children(b)
		if err != nil {
			return fmt.Errorf("node %x: %w", shortKey(it.key), err)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, item{kids[i], h.level - 1})
		}
	}
	return nil
}

// Diff returns the keys of the nodes reachable from rootB that are not
// reachable from rootA, children before parents, so that sending them in
// order keeps the receiver's closure invariant. Both trees must be readable
// through loader.
//
// Diff walks both trees level by level, comparing keys: a subtree whose key
// is on both sides is skipped without being read, so the cost is
// proportional to the changed nodes, not to the trees. When the roots are at
// different heights, the higher side is expanded alone until the levels
// meet (its upper nodes cannot be on the other side). The result is exact,
// not a superset: a subtree occurs at most once in a tree (datoms are unique
// within a tree), so a B node that A holds somewhere is always met in A's
// frontier at the same level.
func Diff(ctx context.Context, loader Loader, rootA, rootB string) ([]string, error) {
	if rootB == "" || rootA == rootB {
		return nil, nil
	}
	type side struct {
		keys  []string
		level int // level of every key in keys; -1 when empty
	}
	load := func(s *side, root string) error {
		s.level = -1
		if root == "" {
			return nil
		}
		b, err := fetch(ctx, loader, root)
		if err != nil {
			return err
		}
		h, err := decodeHeader(b)
		if err != nil {
			return fmt.Errorf("node %x: %w", shortKey(root), err)
		}
		s.keys, s.level = []string{root}, h.level
		return nil
	}
	// expand replaces s's keys by their children (once each).
	expand := func(s *side) error {
		var next []string
		seen := map[string]struct{}{}
		for _, k := range s.keys {
			b, err := fetch(ctx, loader, k)
			if err != nil {
				return err
			}
			h, err := decodeHeader(b)
			if err == nil && h.level != s.level {
				err = corruptf("level %d, want %d", h.level, s.level)
			}
			if err != nil {
				return fmt.Errorf("node %x: %w", shortKey(k), err)
			}
			kids, err := Children(b)
			if err != nil {
				return fmt.Errorf("node %x: %w", shortKey(k), err)
			}
			for _, c := range kids {
				if _, ok := seen[c]; !ok {
					seen[c] = struct{}{}
					next = append(next, c)
				}
			}
		}
		s.keys = next
		s.level--
		return nil
	}
	var a, b side
	if err := load(&a, rootA); err != nil {
		return nil, err
	}
	if err := load(&b, rootB); err != nil {
		return nil, err
	}
	var out []string
	for len(b.keys) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if a.level > b.level {
			if err := expand(&a); err != nil {
				return nil, err
			}
			continue
		}
		if a.level == b.level {
			inA := make(map[string]struct{}, len(a.keys))
			for _, k := range a.keys {
				inA[k] = struct{}{}
			}
			inB := make(map[string]struct{}, len(b.keys))
			for _, k := range b.keys {
				inB[k] = struct{}{}
			}
			a.keys = slices.DeleteFunc(a.keys, func(k string) bool { _, ok := inB[k]; return ok })
			b.keys = slices.DeleteFunc(b.keys, func(k string) bool { _, ok := inA[k]; return ok })
		}
		out = append(out, b.keys...)
		if b.level == 0 {
			break
		}
		if a.level == b.level {
			if err := expand(&a); err != nil {
				return nil, err
			}
		}
		if err := expand(&b); err != nil {
			return nil, err
		}
	}
	slices.Reverse(out)
	return out, nil
}
