# wsplay — the two commands a newcomer needs are `make run` and `make test`.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
# Go's go_js_wasm_exec runs WebAssembly test binaries under Node.
WASM_PATH := $(GOROOT)/lib/wasm:$(PATH)
ADDR      ?= 127.0.0.1:8080
# The module's wsplay.version.
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
WASM_OUT  := site/static/wsplay.wasm
# The optional shrink step (Debian: apt-get install binaryen); `make wasm WASM_OPT=` skips it.
# Go's output needs these three features and no others (--all-features gives a module
# that neither Node nor Chromium loads).
WASM_OPT  ?= wasm-opt
WASM_OPT_FLAGS := --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int -Oz
FUZZTIME  ?= 60s
# Every fuzz target: package and name. `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS := core:FuzzReadRequest core:FuzzReadResponse core:FuzzFrameReader core:FuzzConnRead core:FuzzExplainFrame core:FuzzUTF8Validator

.PHONY: all build wasm wasm-size run test check unit test-wasm test-wasm-bridge fuzz fuzz-smoke bench bench-smoke soak clean

all: build

## wasm: the core compiled to WebAssembly, with the matching wasm_exec.js, into site/static;
## shrunk by wasm-opt when it is installed and its result still loads, and precompressed (.gz)
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w -X main.version=$(VERSION)' -o $(WASM_OUT) ./wasm
	cp $(WASM_EXEC) site/static/wasm_exec.js
	@if [ -z "$(WASM_OPT)" ] || ! command -v $(WASM_OPT) >/dev/null 2>&1; then \
	  echo "wasm-opt: not installed (apt-get install binaryen) or WASM_OPT is empty; skipping the optional shrink step"; \
	elif ! command -v node >/dev/null 2>&1; then \
	  echo "wasm-opt: node is not installed, so its result cannot be checked; skipping the optional shrink step"; \
	else \
	  tmp=$$(mktemp --suffix=.wasm) && \
	  if $(WASM_OPT) $(WASM_OPT_FLAGS) $(WASM_OUT) -o $$tmp && node wasm/testdata/smoke.mjs $$tmp; then \
	    echo "wasm-opt: $$(wc -c < $(WASM_OUT)) -> $$(wc -c < $$tmp) bytes, and the result loads"; cp $$tmp $(WASM_OUT); \
	  else echo "wasm-opt: its result does not work; keeping the module as Go built it"; fi; \
	  rm -f $$tmp; \
	fi
	gzip -9 -k -f $(WASM_OUT)

## wasm-size: the module's size raw, gzip -9 (what is served) and brotli -q 11 (if installed)
wasm-size: wasm
	@echo "raw    $$(wc -c < $(WASM_OUT)) bytes"
	@echo "gzip   $$(wc -c < $(WASM_OUT).gz) bytes"
	@if command -v brotli >/dev/null 2>&1; then echo "brotli $$(brotli -c -q 11 $(WASM_OUT) | wc -c) bytes"; \
	else echo "brotli not installed (apt-get install brotli)"; fi

## build: bin/wsplay with the site and the wasm module embedded
build: wasm
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/wsplay ./server

## run: build, then serve the playground on $(ADDR)
run: build
	./bin/wsplay serve -addr $(ADDR)

## test: every check and test: formatting, vet, race tests, WebAssembly tests, fuzz and bench smoke runs
test: check wasm unit test-wasm test-wasm-bridge fuzz-smoke bench-smoke

STATICCHECK := .bin/staticcheck
$(STATICCHECK):
	GOBIN=$(CURDIR)/.bin $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

## check: gofmt, go vet and staticcheck, natively and for js/wasm
check: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./core/... ./wasm/...
	$(STATICCHECK) ./...
	GOOS=js GOARCH=wasm $(STATICCHECK) ./core/... ./wasm/...

unit:
	$(GO) test -race -count=1 ./...

## test-wasm: the core's tests compiled to WebAssembly and run under Node
test-wasm:
	PATH="$(WASM_PATH)" GOOS=js GOARCH=wasm $(GO) test -count=1 ./core/...

## test-wasm-bridge: the bridge's tests under Node, then the built module loaded and called as the page does
test-wasm-bridge: wasm
	PATH="$(WASM_PATH)" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/
	node --test wasm/testdata/node_test.mjs

## fuzz: run every fuzz target for FUZZTIME (default 60s) each
fuzz:
	scripts/fuzz.sh $(FUZZTIME) $(FUZZ_TARGETS)

## fuzz-smoke: every fuzz target for a fixed number of executions (what make test runs)
fuzz-smoke:
	scripts/fuzz.sh 20000x $(FUZZ_TARGETS)

## bench: the core's micro-benchmarks with allocations
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./core/

bench-smoke:
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./core/

## soak: the reliability suite with its full numbers (a minute of load, 1,000 echo and 200 chat
## clients, 100 MB messages, SIGTERM under load) against a race-enabled wsplay; loopback only,
## stops by itself; `go test ./soak/` (part of make test) runs the same scenarios, shorter
soak:
	WSPLAY_SOAK=1 $(GO) test -race -count=1 -timeout 20m -v ./soak/

clean:
	rm -rf bin $(WASM_OUT) $(WASM_OUT).gz site/static/wasm_exec.js
