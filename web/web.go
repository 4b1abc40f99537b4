// Package web holds Cairn's browser app and the JavaScript client module,
// embedded so that the sync server serves them at / (see server/web.go):
//
//	index.html app.js app.css   the shared task board
//	sw.js                       service worker: the app shell offline
//	cairn.js cairn.d.ts         ES module that loads the wasm, with types
//	cairn.wasm                  the engine + peer client (GOOS=js ./wasm)
//	wasm_exec.js                Go's wasm support script, same Go version
//
// cairn.wasm and wasm_exec.js are built assets committed to the repository
// so that a clean clone vets, builds and serves without a wasm toolchain
// step; build.sh rebuilds them reproducibly and `build.sh -check` fails
// when the committed bytes are stale (README.md).
package web

//go:generate sh build.sh

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	gosync "sync"
	"time"
)

//go:embed index.html app.js app.css sw.js cairn.js cairn.d.ts cairn.wasm wasm_exec.js
var assets embed.FS

// Assets returns the web app's files.
func Assets() fs.FS { return assets }

// asset is one file prepared for serving: its bytes, a gzip form when that
// is smaller, and a strong ETag.
type asset struct {
	name  string
	ctype string
	data  []byte
	gz    []byte
	etag  string
}

var (
	prepOnce gosync.Once
	prepared map[string]*asset
)

// compressible lists the extensions served gzip-compressed to clients that
// accept it (the wasm shrinks about 3.7×).
var compressible = map[string]bool{".wasm": true, ".js": true, ".css": true, ".html": true, ".ts": true}

func prepare() {
	prepared = map[string]*asset{}
	entries, _ := fs.ReadDir(assets, ".")
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(assets, e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(data)
		a := &asset{name: e.Name(), data: data, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		ext := path.Ext(e.Name())
		switch ext {
		case ".ts":
			a.ctype = "text/plain; charset=utf-8"
		case ".js":
			a.ctype = "text/javascript; charset=utf-8"
		case ".wasm":
			a.ctype = "application/wasm"
		default:
			a.ctype = mime.TypeByExtension(ext)
		}
		if compressible[ext] && len(data) > 1024 {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			zw.Write(data)
			zw.Close()
			if b.Len() < len(data) {
				a.gz = b.Bytes()
			}
		}
		prepared[e.Name()] = a
	}
}

// Handler serves the app: / is index.html, other paths name files. Every
// response revalidates (Cache-Control: no-cache with a content ETag), so a
// new server binary never meets a stale wasm in the browser cache.
func Handler() http.Handler {
	// Compress in the background from the start (gzip -9 of the wasm takes
	// a second or two) so the first page load rarely waits for it.
	go prepOnce.Do(prepare)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		prepOnce.Do(prepare)
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		a := prepared[name]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		body, etag := a.data, a.etag
		if a.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) != "gzip" {
			continue
		}
		q = strings.ReplaceAll(q, " ", "")
		return !(strings.HasPrefix(q, "q=0") && strings.Trim(strings.TrimPrefix(q, "q=0"), ".0") == "")
	}
	return false
}
