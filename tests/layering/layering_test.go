// Package layering checks DESIGN.md §6: dependencies point downward only.
// It lists each package's dependencies with `go list -deps` (for the native
// and the js/wasm build) and fails on an import that crosses a layer.
package layering

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/cairn-db/cairn"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func list(t *testing.T, goos, goarch string, patterns ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-deps=false", "-json"}, patterns...)...)
	cmd.Dir = "../.."
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rule: packages matching from must not depend on any of forbidden.
type rule struct {
	from      string
	forbidden []string
	except    []string // allowed although under a forbidden prefix
}

var rules = []rule{
	// The engine is pure: no network, no files, no browser, no layer above it.
	{from: mod + "/core", forbidden: []string{"net/http", "net", "os/exec",
		mod + "/store/file", mod + "/peer", mod + "/rpc", mod + "/sync", mod + "/server", mod + "/client", mod + "/cmd"}},
	// Stores never import the engine.
	{from: mod + "/store", forbidden: []string{mod + "/core", mod + "/peer", mod + "/rpc", mod + "/sync", mod + "/server"}},
	// Peers know nothing of databases.
	{from: mod + "/peer", forbidden: []string{mod + "/core", mod + "/store", mod + "/sync", mod + "/server", mod + "/rpc"}},
	{from: mod + "/rpc", forbidden: []string{mod + "/core", mod + "/store", mod + "/sync", mod + "/server"}},
	// Sync knows the store and what the engine hands it (internal/coresync
	// wires the two), not the engine or its queries; it owns no servers.
	{from: mod + "/sync", forbidden: []string{mod + "/core", mod + "/internal", mod + "/server", mod + "/client", mod + "/cmd"},
		except: []string{mod + "/core/datom", mod + "/core/edn", mod + "/internal/sha256"}},
	// The browser build stays small: no HTTP stack, no slog (and its JSON),
	// no regexp (the browser's RegExp), no msgpack library (hand-written
	// codecs, peer/mpack), no crypto/rand (crypto.getRandomValues through
	// internal/entropy), no math/big (edn.BigInt and datom's exact decimals),
	// no crypto/sha256 and its FIPS module (internal/sha256).
	{from: mod + "/wasm", forbidden: []string{"net/http", "log/slog", "encoding/json", "regexp",
		"github.com/vmihailenco/msgpack", "github.com/vmihailenco/tagparser", "crypto/rand", "crypto/sha256", "math/big"}},
}

func check(t *testing.T, goos, goarch string) {
	for _, p := range list(t, goos, goarch, "./...") {
		// syscall/js reaches every wasm package through package time, so
		// for it only a direct import counts.
		if p.ImportPath == mod+"/core" || strings.HasPrefix(p.ImportPath, mod+"/core/") {
			for _, d := range p.Imports {
				if d == "syscall/js" {
					t.Errorf("%s/%s: %s imports syscall/js", goos, goarch, p.ImportPath)
				}
			}
		}
		for _, r := range rules {
			if p.ImportPath != r.from && !strings.HasPrefix(p.ImportPath, r.from+"/") {
				continue
			}
			for _, d := range p.Deps {
				if slices.Contains(r.except, d) {
					continue
				}
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s/%s: %s depends on %s", goos, goarch, p.ImportPath, d)
					}
				}
			}
		}
	}
}

func TestLayeringNative(t *testing.T) { check(t, "linux", "amd64") }

func TestLayeringWasm(t *testing.T) { check(t, "js", "wasm") }
