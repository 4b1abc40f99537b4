# Cairn build and test entry points. `make test` is what CI runs.
GO      ?= go
FUZZTIME ?= 5s
# Minimizing a new interesting input may otherwise take up to a minute and
# run past FUZZTIME (the run then fails with "context deadline exceeded").
FUZZMINIMIZE ?= 1s
PKGS    := ./...

WASM_STORE_PKGS := ./store/indexeddb/ ./store/tiered/

.PHONY: bench-query race test vet wasm-build unit conformance fuzz-short bench-smoke bench bench-deps crash-long \
	wasm-deps wasm-test wasm-test-node wasm-test-browser wasm-unit web web-check browser-deps bench-browser

test: vet wasm-build web-check wasm-test wasm-unit browser-deps unit race conformance fuzz-short bench-smoke
	@echo "make test: all steps passed"

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files need formatting"; exit 1; }
	$(GO) vet $(PKGS)
	GOOS=js GOARCH=wasm $(GO) vet ./core/... ./store/... ./peer/... ./rpc/... ./sync/... ./wasm/...

wasm-build:
	GOOS=js GOARCH=wasm $(GO) build ./core/... ./store/... ./wasm/...

# The web app's built assets are committed (go run ./cmd/syncserver works on
# a clean clone); web-check rebuilds them and fails when they are stale.
web:
	GO=$(GO) sh web/build.sh
web-check:
	GO=$(GO) sh web/build.sh -check

# The wasm API's unit tests, and the regex built-ins on the browser's
# RegExp (wasm/jsregexp: the native table of expected results), under node.
wasm-unit:
	PATH="$$($(GO) env GOROOT)/lib/wasm:$$PATH" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/...

# Chromium for the browser end-to-end tests (tests/browser).
browser-deps:
	@GO=$(GO) ./scripts/ensure-chromium.sh > /dev/null

# apt-get install chromium when missing, wasmbrowsertest v0.11.0 into
# ~/.cache/cairn-tools, npm ci fake-indexeddb.
wasm-deps:
	GO=$(GO) ./scripts/wasm-browser-test.sh --install-only
	GO=$(GO) ./scripts/wasm-node-test.sh --install-only

wasm-test: wasm-deps wasm-test-node wasm-test-browser

wasm-test-node:
	GO=$(GO) ./scripts/wasm-node-test.sh -count=1 $(WASM_STORE_PKGS)

wasm-test-browser:
	GO=$(GO) ./scripts/wasm-browser-test.sh -count=1 $(WASM_STORE_PKGS)
	GO=$(GO) ./scripts/wasm-browser-test.sh -count=1 -run='^$$' -bench=. -benchtime=1x $(WASM_STORE_PKGS) > /dev/null

unit:
	$(GO) test -count=1 -timeout 20m $(PKGS)

# The concurrent packages again under the race detector.
race:
	$(GO) test -race -count=1 ./core/ ./sync/ ./peer/ ./rpc/ ./server/ ./store/file/ ./store/tiered/

conformance:
	$(GO) run ./tests/conformance -cases tests/conformance/testdata/cases.jsonl

# Each fuzz target runs briefly; seeds also run as ordinary tests in `unit`.
# New interesting inputs are minimized for FUZZMINIMIZE at most.
fuzz-short:
	$(GO) test -run='^$$' -fuzz='^FuzzRead$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./core/edn/
	$(GO) test -run='^$$' -fuzz='^FuzzExact$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./core/datom/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeNode$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./core/index/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeFrame$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./peer/
	$(GO) test -run='^$$' -fuzz='^FuzzSum256$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./internal/sha256/
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./peer/mpack/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeBodies$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./peer/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeBodies$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./rpc/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeMessages$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./sync/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeArgs$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./wire/
	$(GO) test -run='^$$' -fuzz='^FuzzParseQuery$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) ./core/query/

# Benchmarks as smoke runs: one iteration each, to prove they still work.
bench-smoke: bench-deps browser-deps
	$(GO) test -count=1 -run='^$$' -bench=. -benchtime=1x $(PKGS) > /dev/null
	$(GO) run ./bench/sync -smoke > /dev/null
	$(GO) run ./bench/cmd/benchquery -smoke > /dev/null
	$(GO) run ./bench/browser -smoke > /dev/null

# Query/pull side by side with DataScript 1.8.1 alone (make bench runs it too).
bench-query: bench-deps
	$(GO) run ./bench/cmd/benchquery

# The real benchmarks, with the DataScript anchor, written to BENCHMARKS.md.
bench-deps:
	@if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then \
		cd bench && npm ci --no-audit --no-fund --silent; fi

bench: bench-deps browser-deps
	$(GO) run ./bench/cmd/benchreport -out BENCHMARKS.md

# The browser benchmark alone (issue #5: sync into IndexedDB, queries against
# DataScript in the page, wasm size); prints its BENCHMARKS.md section.
bench-browser: bench-deps browser-deps
	$(GO) run ./bench/browser

# Long crash test (100+ SIGKILLs).
crash-long:
	$(GO) test -count=1 -run Crash -timeout 30m ./store/file/ ./core/ -args -crash-iterations=120
