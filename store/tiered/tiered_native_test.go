//go:build !js

// The conformance runs on mem and file backs are native only: js/wasm has no
// preemption, and the suite's spinning readers can starve its writers when no
// call ever yields to the event loop (an IndexedDB back yields on every call;
// see tiered_js_test.go).

package tiered_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/cairn-db/cairn/store"
	"github.com/cairn-db/cairn/store/file"
	"github.com/cairn-db/cairn/store/mem"
	"github.com/cairn-db/cairn/store/storetest"
	"github.com/cairn-db/cairn/store/tiered"
)

var dirsMu sync.Mutex

func TestConformanceMemFile(t *testing.T) {
	for _, warm := range []bool{false, true} {
		t.Run(fmt.Sprintf("warm=%v", warm), func(t *testing.T) {
			t.Parallel()
			dirs := map[store.Store]string{}
			openFile := func(t *testing.T, dir string) store.Store {
				f, err := file.Open(context.Background(), dir, nil)
				if err != nil {
					t.Fatalf("file.Open: %v", err)
				}
				dirsMu.Lock()
				dirs[f] = dir
				dirsMu.Unlock()
				return f
			}
			r := &reopener{
				opts: &tiered.Options{WarmOnOpen: warm},
				openBack: func(t *testing.T, back store.Store) store.Store {
					dirsMu.Lock()
					dir := dirs[back]
					dirsMu.Unlock()
					return openFile(t, dir)
				},
			}
			storetest.RunWithReopen(t, func(t *testing.T) store.Store {
				return r.open(t, openFile(t, t.TempDir()))
			}, r.reopen)
		})
	}
}

func TestConformanceMemMem(t *testing.T) {
	for _, warm := range []bool{false, true} {
		t.Run(fmt.Sprintf("warm=%v", warm), func(t *testing.T) {
			t.Parallel()
			r := &reopener{
				opts:     &tiered.Options{WarmOnOpen: warm},
				openBack: func(t *testing.T, back store.Store) store.Store { return back },
			}
			storetest.RunWithReopen(t, func(t *testing.T) store.Store {
				back := mem.New()
				t.Cleanup(func() { back.Close() })
				return r.open(t, keepOpen{back})
			}, r.reopen)
		})
	}
}
