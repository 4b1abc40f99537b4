#!/bin/sh
# Builds the web app's committed assets reproducibly:
#   web/cairn.wasm    GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" ./wasm
#                     (with selective inlining, see below)
#   web/wasm_exec.js  copied from $(go env GOROOT)/lib/wasm (or misc/wasm) of the same Go
#
#   web/build.sh          rebuild in place (what `go generate ./web` runs)
#   web/build.sh -check   rebuild into a temporary directory and fail if the
#                         committed bytes differ (what `make web-check` runs)
#
# -trimpath plus -buildvcs=false make the output depend only on the sources,
# the module versions and the Go version, not on the checkout's path or
# commit, so the same inputs give the same bytes on every machine.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=web
check=0
if [ "${1:-}" = "-check" ]; then
	check=1
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
# Inlining only where the browser's queries spend their time: Cairn's
# engine (core/..., but for the query built-ins, which are called through
# function values anyway), the wasm fast path, SHA-256, the runtime and the
# standard packages the engine calls in its loops. Everything else (fmt,
# reflect, time, context, syscall/js, the peer/rpc/sync/client layers, the
# stores) is built without inlining (-l), which makes web/cairn.wasm 0.035
# MB gzip smaller without slowing the page's queries (bench/browser;
# -l for the whole standard library and runtime made join2 three times
# slower). The last pattern that matches a package wins.
mod=github.com/cairn-db/cairn
gcflags="-gcflags=all=-l -gcflags=$mod/core/...= -gcflags=$mod/core/query/builtin=-l -gcflags=$mod/wasm= -gcflags=$mod/internal/sha256="
for p in runtime 'internal/...' slices sort strings bytes strconv unicode/utf8 math math/bits \
	encoding/binary sync/atomic cmp maps iter hash/maphash; do
	gcflags="$gcflags -gcflags=$p="
done
# shellcheck disable=SC2086 # $gcflags is a list of flags
GOOS=js GOARCH=wasm CGO_ENABLED=0 "$GO" build -trimpath -buildvcs=false $gcflags -ldflags="-s -w" -o "$out/cairn.wasm" ./wasm
root=$("$GO" env GOROOT)
src="$root/lib/wasm/wasm_exec.js"
[ -f "$src" ] || src="$root/misc/wasm/wasm_exec.js"
cp "$src" "$out/wasm_exec.js"
if [ "$check" = 1 ]; then
	fail=0
	for f in cairn.wasm wasm_exec.js; do
		if ! cmp -s "$out/$f" "web/$f"; then
			echo "web/$f is stale: run 'go generate ./web' (or web/build.sh) and commit it" >&2
			fail=1
		fi
	done
	[ "$fail" = 0 ] && echo "web assets are up to date ($("$GO" env GOVERSION))"
	exit $fail
fi
raw=$(wc -c <web/cairn.wasm)
gz=$(gzip -9 -c web/cairn.wasm | wc -c)
echo "web/cairn.wasm: $raw bytes raw, $gz bytes gzip -9 ($("$GO" env GOVERSION))"
