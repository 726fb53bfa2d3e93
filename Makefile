# wsplay — the two commands a newcomer needs are `make run` and `make test`.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
# Go's go_js_wasm_exec runs WebAssembly test binaries under Node.
WASM_PATH := $(GOROOT)/lib/wasm:$(PATH)
ADDR      ?= 127.0.0.1:8080
FUZZTIME  ?= 60s
# Every fuzz target: package and name. `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS := core:FuzzReadRequest core:FuzzReadResponse core:FuzzFrameReader core:FuzzConnRead core:FuzzExplainFrame

.PHONY: all build wasm run test check unit test-wasm fuzz fuzz-smoke bench bench-smoke clean

all: build

## wasm: the core compiled to WebAssembly, with the matching wasm_exec.js, into site/static
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o site/static/wsplay.wasm ./wasm
	cp $(WASM_EXEC) site/static/wasm_exec.js

## build: bin/wsplay with the site and the wasm module embedded
build: wasm
	$(GO) build -trimpath -o bin/wsplay ./server

## run: build, then serve the playground on $(ADDR)
run: build
	./bin/wsplay serve -addr $(ADDR)

## test: every check and test: formatting, vet, race tests, WebAssembly tests, fuzz and bench smoke runs
test: check wasm unit test-wasm fuzz-smoke bench-smoke

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

## fuzz: run every fuzz target for FUZZTIME (default 60s) each
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "== $$name ($$FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) ./$$pkg/ || exit 1; done

fuzz-smoke:
	$(MAKE) fuzz FUZZTIME=3s

## bench: the core's micro-benchmarks with allocations
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./core/

bench-smoke:
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./core/

clean:
	rm -rf bin site/static/wsplay.wasm site/static/wasm_exec.js
