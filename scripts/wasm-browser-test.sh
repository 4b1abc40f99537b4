#!/usr/bin/env bash
# wasm-browser-test.sh: run `go test` for GOOS=js GOARCH=wasm in headless
# Chromium (real IndexedDB, real WebSocket) through wasmbrowsertest.
#
#   scripts/wasm-browser-test.sh [go test flags] packages...
#   scripts/wasm-browser-test.sh -count=1 ./store/indexeddb/ ./store/tiered/
#   scripts/wasm-browser-test.sh --install-only   # only install chromium + wasmbrowsertest
#
# Installs what is missing, once: Debian's chromium (scripts/ensure-chromium.sh)
# and wasmbrowsertest into $CAIRN_TOOLS_DIR (default ~/.cache/cairn-tools).
# Drops the harmless noise wasmbrowsertest's old cdproto prints
# ("could not unmarshal event") and the Debian chromium wrapper's
# "[: ...: unexpected operator". Exits with go test's status.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
WBT_VERSION=v0.11.0
tools=${CAIRN_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cairn-tools}
wbt_dir=$tools/wasmbrowsertest-$WBT_VERSION
wbt=$wbt_dir/wasmbrowsertest

"$root/scripts/ensure-chromium.sh" >/dev/null

if [ ! -x "$wbt" ]; then
	echo "wasm-browser-test: installing wasmbrowsertest $WBT_VERSION into $wbt_dir" >&2
	mkdir -p "$tools"
	tmp=$(mktemp -d "$tools/.install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# A native build, whatever GOOS/GOARCH the caller exported.
	(cd "$tmp" && env -u GOOS -u GOARCH GOBIN="$tmp/bin" "$GO" install "github.com/agnivade/wasmbrowsertest@$WBT_VERSION")
	mkdir -p "$wbt_dir"
	mv -f "$tmp/bin/wasmbrowsertest" "$wbt"
fi

if [ "${1:-}" = --install-only ]; then
	exit 0
fi

cd "$root"
# go test prints a test binary's output on stdout, so both streams are filtered
# (each stays on its own stream); the exit status is go test's.
noise() { sed -u -e '/could not unmarshal event/d' -e '/chromium: [0-9]*: \[: .*unexpected operator/d'; }
{ GOOS=js GOARCH=wasm "$GO" test -exec "$wbt" "$@" 2>&1 1>&3 3>&- | noise >&2; } 3>&1 | noise
