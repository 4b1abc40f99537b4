// Package coresync wires the engine (package core) into the sync protocol
// (package sync), which knows neither core nor queries: it is handed a
// sync.Engine and sees database values as sync.Value.
package coresync

import (
	"context"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/core/index"
	"github.com/cairn-db/cairn/store"
	csync "github.com/cairn-db/cairn/sync"
)

// Engine returns the sync engine of package core. Values it loads share
// one decoded-node cache: opts.Cache, or a private 64 MiB one (without a
// shared cache each new head would start cold and re-decode what the last
// one had decoded already).
func Engine(opts *core.Options) csync.Engine {
	o := core.Options{}
	if opts != nil {
		o = *opts
	}
	if o.Cache == nil {
		o.Cache = index.NewCache(64 << 20)
	}
	branch := o.Branch
	if branch == "" {
		branch = core.DefaultBranch
	}
	return csync.Engine{
		Load: func(ctx context.Context, st store.Store, commit string) (csync.Value, error) {
			db, err := core.LoadCommit(ctx, st, commit, &o)
			if err != nil {
				return nil, err
			}
			return db, nil
		},
		Diff: func(ctx context.Context, st store.Store, from, to string) ([]string, error) {
			return core.Diff(ctx, st, from, to)
		},
		Missing: func(ctx context.Context, st store.Store, commit string, lacks func(context.Context, []string) ([]string, error)) ([]string, error) {
			return core.Missing(ctx, st, commit, lacks)
		},
		DecodeHead: func(b []byte) (csync.HeadInfo, error) {
			h, err := core.DecodeHead(b)
			return csync.HeadInfo{Commit: h.Commit, Incarnation: h.Incarnation, BasisT: h.BasisT}, err
		},
		EncodeHead: func(v csync.Value) []byte { return core.EncodeHead(v.(*core.DB).Head()) },
		Branch:     branch,
	}
}

// DB returns the core value of a sync value (nil for nil).
func DB(v csync.Value) *core.DB {
	if v == nil {
		return nil
	}
	return v.(*core.DB)
}
