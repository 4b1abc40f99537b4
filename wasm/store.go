//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"errors"
	gosync "sync"
	"syscall/js"
	"time"

	"github.com/cairn-db/cairn/core"
	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/indexeddb"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/tiered"
)

// idbPrefix names the IndexedDB database of a replica: one per Cairn
// database, shared by every tab of the origin.
const idbPrefix = "cairn-replica/"

// replicaStoreKind names where persistent replicas live in this page.
func replicaStoreKind() string {
	if idb := js.Global().Get("indexedDB"); idb.Type() == js.TypeObject {
		return "indexeddb"
	}
	return "memory"
}

// openReplicaStore returns the store for the replica of database name: a
// memory tier in front of IndexedDB (warmed before the replica subscribes,
// so that the engine's synchronous reads hit memory), behind a per-tab head
// (tabStore); or memory alone when persist is off or IndexedDB is missing.
// openReplicaStore returns the replica's store and its memory tier: the
// store the synchronous read functions read from, which never waits on
// IndexedDB (the tiered store warms it completely on open and writes
// through it).
func openReplicaStore(ctx context.Context, name string, persist bool) (st, front store.Store, kind string, err error) {
	if !persist || replicaStoreKind() != "indexeddb" {
		m := mem.New()
		return m, m, "memory", nil
	}
	back, err := indexeddb.Open(ctx, idbPrefix+name, &indexeddb.Options{HeadGuard: headNewer})
	if errors.Is(err, indexeddb.ErrUnavailable) {
		m := mem.New()
		return m, m, "memory", nil
	}
	if err != nil {
		return nil, nil, "", err
	}
	front = mem.New()
	t, err := tiered.Open(ctx, front, back, &tiered.Options{WarmOnOpen: true})
	if err != nil {
		return nil, nil, "", err // tiered closed both tiers
	}
	return &tabStore{Store: t, heads: map[string][]byte{}}, front, "indexeddb", nil
}

// dropReplicaStore deletes the IndexedDB database of a deleted Cairn
// database (best effort: another tab holding it open delays the deletion
// until it lets go, so this gives up after a while).
func dropReplicaStore(name string) {
	if replicaStoreKind() != "indexeddb" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = indexeddb.DeleteDatabase(ctx, idbPrefix+name)
}

// headNewer is the head guard of the shared IndexedDB store and the rule
// tabStore publishes by: a stored head is only ever replaced by a newer
// one. Newer means a higher basis-t of the same incarnation, or any head of
// another incarnation (the server recreated the database; the replica was
// reset to follow it), or any head over one that does not decode (the reset
// marker).
func headNewer(old, new []byte) bool {
	if len(old) == 0 {
		return true
	}
	nh, err := core.DecodeHead(new)
	if err != nil {
		return false // never publish the reset marker over a real head
	}
	oh, err := core.DecodeHead(old)
	if err != nil {
		return true
	}
	if oh.Incarnation != nh.Incarnation {
		return true
	}
	return nh.BasisT > oh.BasisT
}

// tabStore gives this tab's replica a head of its own over the store that
// every tab of the origin shares.
//
// Why: each tab follows its own subscription, so tabs apply the same heads
// at different moments. With one shared head, a tab whose replica is at t=4
// would compare-and-swap against a store another tab already moved to t=6,
// fail, find the store newer and be told its head is stale — forever,
// since it resubscribes from t=4 again. Instead the replica's head lives
// here (read once from the shared store when the replica opens, then
// advanced by its own compare-and-swaps), and every new head is published
// to the shared store only when it is newer than what is there (headNewer,
// enforced inside the IndexedDB transaction by the head guard too). The
// shared head therefore never regresses, whatever order tabs write in, and a
// reload opens the newest replica any tab stored. Nodes are immutable and
// content-addressed, so tabs writing the same nodes never conflict.
type tabStore struct {
	store.Store

	wmu   gosync.Mutex // serializes head writes
	mu    gosync.Mutex
	heads map[string][]byte // this tab's heads, once read
}

func (s *tabStore) Head(ctx context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	v, ok := s.heads[name]
	s.mu.Unlock()
	if !ok {
		shared, err := s.Store.Head(ctx, name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			shared = nil
		case err != nil:
			return nil, err
		}
		s.mu.Lock()
		if v, ok = s.heads[name]; !ok {
			s.heads[name], v = shared, shared
		}
		s.mu.Unlock()
	}
	if v == nil {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (s *tabStore) Write(ctx context.Context, b store.Batch) error {
	if b.Head == nil {
		return s.Store.Write(ctx, b)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	h := b.Head
	cur, err := s.Head(ctx, h.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !bytes.Equal(cur, h.Old) {
		return store.ErrHeadConflict
	}
	if err := s.publish(ctx, h.Name, h.New, b.Puts); err != nil {
		return err
	}
	s.mu.Lock()
	s.heads[h.Name] = h.New
	s.mu.Unlock()
	return nil
}

// publish stores puts and, when it is newer than the shared head, the head,
// in one batch.
func (s *tabStore) publish(ctx context.Context, name string, head []byte, puts []store.KV) error {
	for range 8 {
		shared, err := s.Store.Head(ctx, name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			shared = nil
		case err != nil:
			return err
		}
		if !headNewer(shared, head) {
			if len(puts) == 0 {
				return nil
			}
			return s.Store.Write(ctx, store.Batch{Puts: puts})
		}
		err = s.Store.Write(ctx, store.Batch{Puts: puts, Head: &store.HeadUpdate{Name: name, Old: shared, New: head}})
		if !errors.Is(err, store.ErrHeadConflict) {
			return err
		}
		// Another tab moved the shared head in between: look again.
	}
	return store.ErrHeadConflict
}
