// Service worker of the board: the app shell (HTML, JS, CSS, wasm) is
// cached at install and served network-first, so a reload while the sync
// server is down still starts the app, which then opens its replica from
// IndexedDB. The WebSocket (/ws) and the server's own endpoints are never
// intercepted.
const CACHE = "cairn-app-v1";
const SHELL = ["./", "index.html", "app.js", "app.css", "cairn.js", "wasm_exec.js", "cairn.wasm"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || ["/ws", "/healthz", "/metrics"].includes(url.pathname)) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok && res.type === "basic") {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || Response.error())),
  );
});
