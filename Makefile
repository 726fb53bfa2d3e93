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
# No inlining in the module: it makes the code 9 % larger raw but 4 % smaller
# gzipped and 6 % smaller with brotli (the copies that inlining makes compress
# worse than the calls they replace), and the page spends its time in the
# browser's compile, not in Go code. See docs/server.md, "The module's size".
WASM_GCFLAGS ?= all=-l
# The optional shrink step (Debian: apt-get install binaryen), off by default:
# `make wasm WASM_OPT=wasm-opt`. wasm-opt v108 saves ≈4 % raw but makes the
# module larger after brotli, which is what browsers download. Go's output needs
# these three features and no others (--all-features gives a module that
# neither Node nor Chromium loads).
WASM_OPT  ?=
WASM_OPT_FLAGS := --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int -Oz
# The issue's targets for the module as served, in bytes.
WASM_GZIP_TARGET   := 720000
WASM_BROTLI_TARGET := 560000
FUZZTIME  ?= 60s
# `make fuzz-corpus`: how long to fuzz each target, and how many inputs to keep per target.
CORPUSTIME ?= 2m
CORPUS_MAX ?= 150
# Every fuzz target: package and name. `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS := core:FuzzReadRequest core:FuzzReadResponse core:FuzzFrameReader core:FuzzConnRead core:FuzzExplainFrame core:FuzzUTF8Validator core:FuzzReadLoopVsReadMessage core:FuzzNegotiateDeflate core:FuzzInflate tap:FuzzDecodeCompressed

.PHONY: all build wasm wasm-size run test check unit test-js test-wasm test-wasm-bridge fuzz fuzz-smoke fuzz-corpus bench bench-smoke bench-cpu bench-cpu-deflate soak clean

all: build

## wasm: the core compiled to WebAssembly, with the matching wasm_exec.js, into site/static;
## precompressed as .gz (gzip -9) and .br (brotli -q 11, when brotli is installed)
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -gcflags='$(WASM_GCFLAGS)' -ldflags='-s -w -X main.version=$(VERSION)' -o $(WASM_OUT) ./wasm
	cp $(WASM_EXEC) site/static/wasm_exec.js
	@if [ -z "$(WASM_OPT)" ]; then :; \
	elif ! command -v $(WASM_OPT) >/dev/null 2>&1; then \
	  echo "wasm-opt: $(WASM_OPT) is not installed (apt-get install binaryen); skipping the optional shrink step"; \
	elif ! command -v node >/dev/null 2>&1; then \
	  echo "wasm-opt: node is not installed, so its result cannot be checked; skipping the optional shrink step"; \
	else \
	  tmp=$$(mktemp --suffix=.wasm) && \
	  if $(WASM_OPT) $(WASM_OPT_FLAGS) $(WASM_OUT) -o $$tmp && node wasm/testdata/smoke.mjs $$tmp; then \
	    echo "wasm-opt: $$(wc -c < $(WASM_OUT)) -> $$(wc -c < $$tmp) bytes, and the result loads"; cp $$tmp $(WASM_OUT); \
	  else echo "wasm-opt: its result does not work; keeping the module as Go built it"; fi; \
	  rm -f $$tmp; \
	fi
	@# zopfli writes ordinary gzip (any browser decodes it) about 5 % smaller
	@# than gzip -9, at the price of ~10 s; without it, gzip -9.
	@if command -v zopfli >/dev/null 2>&1; then zopfli -c $(WASM_OUT) > $(WASM_OUT).gz; \
	else gzip -9 -k -f $(WASM_OUT); echo "zopfli: not installed (apt-get install zopfli); the .gz is gzip -9's, about 5 % larger"; fi
	@# A .br left from an earlier build would be embedded and served for the
	@# new module, so without brotli there is no .br at all.
	@if command -v brotli >/dev/null 2>&1; then brotli -q 11 -f -k $(WASM_OUT) -o $(WASM_OUT).br; \
	else rm -f $(WASM_OUT).br; echo "brotli: not installed (apt-get install brotli); the module is served with gzip only"; fi

## wasm-size: the module's size raw, gzip (zopfli, else gzip -9) and brotli -q 11 (as served), beside the targets
wasm-size: wasm
	@raw=$$(wc -c < $(WASM_OUT)); gz=$$(wc -c < $(WASM_OUT).gz); \
	verdict() { if [ "$$1" -le "$$2" ]; then echo "within"; else echo "OVER by $$(($$1 - $$2))"; fi; }; \
	printf '%-7s %9s bytes\n' raw "$$raw"; \
	printf '%-7s %9s bytes   target <= %s: %s\n' gzip "$$gz" $(WASM_GZIP_TARGET) "$$(verdict $$gz $(WASM_GZIP_TARGET))"; \
	if [ -f $(WASM_OUT).br ]; then br=$$(wc -c < $(WASM_OUT).br); \
	  printf '%-7s %9s bytes   target <= %s: %s\n' brotli "$$br" $(WASM_BROTLI_TARGET) "$$(verdict $$br $(WASM_BROTLI_TARGET))"; \
	else printf '%-7s %9s         target <= %s: brotli not installed (apt-get install brotli)\n' brotli - $(WASM_BROTLI_TARGET); fi

## build: bin/wsplay with the site and the wasm module embedded
build: wasm
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/wsplay ./server

## run: build, then serve the playground on $(ADDR)
run: build
	./bin/wsplay serve -addr $(ADDR)

## test: every check and test: formatting, vet, race tests, WebAssembly tests, fuzz and bench smoke runs
test: check wasm unit test-js test-wasm test-wasm-bridge fuzz-smoke bench-smoke

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
	$(GO) test -race -count=1 -timeout 30m ./...

## test-js: the page's JavaScript under Node: the word catalog, the language rule, the byte
## helpers, the lessons' progress and exercise checks (site/test/; the exercises need `make wasm`)
test-js:
	node --test site/test/

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

## fuzz-corpus: fuzz every target for CORPUSTIME (default 2m), then keep up to CORPUS_MAX
## (default 150) of the inputs that reached new code in <pkg>/testdata/fuzz/<Target>/,
## which every plain `go test` replays, WebAssembly included; commit the new files.
## A crasher is written there too (by go test) and fails the run; the other targets still run.
fuzz-corpus:
	scripts/fuzz.sh -keep $(CORPUS_MAX) $(CORPUSTIME) $(FUZZ_TARGETS)

## bench: every benchmark in one run: the core's micro-benchmarks, the comparison
## micro-benchmarks (bench/micro), then the load harness against wsplay and echo servers
## on gorilla/websocket, gobwas/ws, coder/websocket and lxzan/gws, with and without
## permessage-deflate (-deflate-sizes); updates docs/performance.md and
## docs/performance.svg (BENCH_FLAGS passes flags to the harness: see docs/performance.md)
# Where bench keeps the micro-benchmarks' output for the report (bench/out, git-ignored).
BENCH_OUT   := bench/out
BENCH_FLAGS ?=
# What bench-smoke gives the harness: everything runs, briefly, into a temporary directory.
BENCH_SMOKE_FLAGS := -duration 100ms -warmup 20ms -depth 4 -idle 200 -settle 100ms
bench: build
	@mkdir -p $(BENCH_OUT)
	$(GO) test -run='^$$' -bench=. -benchmem ./core/ > $(BENCH_OUT)/micro-core.txt || { cat $(BENCH_OUT)/micro-core.txt; exit 1; }
	@cat $(BENCH_OUT)/micro-core.txt
	cd bench && $(GO) test -run='^$$' -bench=. -benchmem ./micro/ > out/micro-bench.txt || { cat out/micro-bench.txt; exit 1; }
	@cat $(BENCH_OUT)/micro-bench.txt
	cd bench && $(GO) build -o bin/ ./servers/... ./harness
	cd bench && bin/harness -wsplay ../bin/wsplay -servers bin -md ../docs/performance.md -svg ../docs/performance.svg \
	  -micro out/micro-core.txt,out/micro-bench.txt $(BENCH_FLAGS)

## bench-smoke: every benchmark and the harness once, briefly (part of make test); fails when
## a server does not echo correctly or does not start; leaves docs/ untouched
bench-smoke: build $(STATICCHECK)
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./core/
	cd bench && $(GO) vet ./... && ../$(STATICCHECK) ./... && $(GO) test -race -count=1 ./... && \
	  $(GO) test -run='^$$' -bench=. -benchtime=1x ./micro/ && \
	  $(GO) build -o bin/ ./servers/... ./harness
	tmp=$$(mktemp -d) && cd bench && \
	  { bin/harness -wsplay ../bin/wsplay -servers bin -md $$tmp/performance.md -svg $$tmp/performance.svg $(BENCH_SMOKE_FLAGS); \
	    status=$$?; rm -rf $$tmp; exit $$status; }

## bench-cpu: CPU per message that a busy machine does not change: each server's user-space
## instructions (valgrind's callgrind) and system calls and context switches (perf stat on
## tracepoints) over a fixed number of echoes, in the cells of the 1×64 KiB comparison
## (bench/cpucost.sh; needs valgrind and perf; CPUCOST_N sets the message count)
CPUCOST_N ?= 2000
bench-cpu: build
	cd bench && $(GO) build -o bin/ ./servers/... ./harness
	cd bench && N=$(CPUCOST_N) ./cpucost.sh

## bench-cpu-deflate: the same for the echo with permessage-deflate negotiated, 1 KiB and
## 64 KiB of compressed JSON-like text, against the libraries that support it (a compressed
## 64 KiB echo takes about 0.25 s under callgrind, hence fewer messages: CPUCOST_DEFLATE_N)
CPUCOST_DEFLATE_N ?= 200
bench-cpu-deflate: build
	cd bench && $(GO) build -o bin/ ./servers/... ./harness
	cd bench && DEFLATE=1 N=$(CPUCOST_DEFLATE_N) ./cpucost.sh

## soak: the reliability suite with its full numbers (a minute of load, 1,000 echo and 200 chat
## clients, 100 MB messages, SIGTERM under load) against a race-enabled wsplay; loopback only,
## stops by itself; `go test ./soak/` (part of make test) runs the same scenarios, shorter
soak:
	WSPLAY_SOAK=1 $(GO) test -race -count=1 -timeout 20m -v ./soak/
	WSPLAY_SOAK=1 $(GO) test -race -count=1 -timeout 10m -v -run 'TestHostileFrames' ./server/

clean:
	rm -rf bin $(WASM_OUT) $(WASM_OUT).gz $(WASM_OUT).br site/static/wasm_exec.js
