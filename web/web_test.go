package web

import (
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, path string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, req)
	return w.Result()
}

func TestHandler(t *testing.T) {
	res := get(t, "/", nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), `src="app.js"`) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", res.StatusCode, res.Header)
	}
	for path, ctype := range map[string]string{"/cairn.wasm": "application/wasm", "/cairn.js": "text/javascript", "/sw.js": "text/javascript", "/wasm_exec.js": "text/javascript", "/cairn.d.ts": "text/plain"} {
		res := get(t, path, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), ctype) || res.Header.Get("ETag") == "" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %v", path, res.StatusCode, res.Header)
		}
	}
	if res := get(t, "/nope.js", nil); res.StatusCode != 404 {
		t.Errorf("/nope.js: %d", res.StatusCode)
	}
	if res := get(t, "/../web.go", nil); res.StatusCode != 404 {
		t.Errorf("/../web.go: %d", res.StatusCode)
	}
	// gzip for clients that take it; the bytes decompress to the asset.
	raw, _ := fs.ReadFile(Assets(), "cairn.wasm")
	res = get(t, "/cairn.wasm", map[string]string{"Accept-Encoding": "gzip, deflate"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if string(got) != string(raw) {
		t.Fatal("gzip body differs from the asset")
	}
	if res := get(t, "/cairn.wasm", map[string]string{"Accept-Encoding": "gzip;q=0"}); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got gzip")
	}
	if res := get(t, "/cairn.wasm", map[string]string{"Accept-Encoding": "gzip;q=0.5"}); res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip;q=0.5 did not get gzip")
	}
	// Revalidation.
	etag := get(t, "/app.js", nil).Header.Get("ETag")
	if res := get(t, "/app.js", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
}
