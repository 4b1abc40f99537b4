#!/usr/bin/env bash
# wasm-node-test.sh: run `go test` for GOOS=js GOARCH=wasm under node with
# fake-indexeddb (fast wasm unit tests, about 1 s per package, no browser).
#
#   scripts/wasm-node-test.sh [go test flags] packages...
#   scripts/wasm-node-test.sh -count=1 ./store/indexeddb/ ./store/tiered/
#   scripts/wasm-node-test.sh --install-only      # only npm ci fake-indexeddb
#
# Installs fake-indexeddb into store/indexeddb/node_modules from its lock file
# when it is missing or stale (npm ci). Needs node >= 18 and npm.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
pkgdir=$root/store/indexeddb

command -v node >/dev/null 2>&1 || { echo "wasm-node-test: node is required" >&2; exit 1; }
stamp=$pkgdir/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$pkgdir/package-lock.json" -nt "$stamp" ]; then
	echo "wasm-node-test: npm ci in store/indexeddb" >&2
	(cd "$pkgdir" && npm ci --no-audit --no-fund --silent)
fi

if [ "${1:-}" = --install-only ]; then
	exit 0
fi

CAIRN_GOROOT=$(env -u GOOS -u GOARCH "$GO" env GOROOT)
CAIRN_NODE_FLAGS=
if ! node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null; then
	CAIRN_NODE_FLAGS=--experimental-websocket
fi
export CAIRN_GOROOT CAIRN_NODE_FLAGS

cd "$root"
GOOS=js GOARCH=wasm exec "$GO" test -exec "$root/scripts/wasm-node-exec" "$@"
