SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Pinned tools. buf and the protoc plugins are pinned in tools/go.mod and run with `go tool`; the Temporal CLI and
# grpcurl are built into .bin/ (git-ignored) on first use.
TEMPORAL_CLI_VERSION := v1.5.1
GRPCURL_VERSION      := v1.9.4
# The Temporal server the benchmark runs on PostgreSQL, beside the CLI's dev server (the same server version).
TEMPORAL_SERVER_VERSION := v1.29.1
BIN      := $(CURDIR)/.bin
TEMPORAL := $(BIN)/temporal
GRPCURL  := $(BIN)/grpcurl
TEMPORAL_SERVER := $(BIN)/temporal-$(TEMPORAL_SERVER_VERSION:v%=%)/server
BUF      := go tool -modfile=tools/go.mod buf

.PHONY: help
help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: dev
dev: tools postgres ## Run the engine here: PostgreSQL, Temporal, worker, API on 127.0.0.1:7070, web on http://127.0.0.1:7080
	go build -o $(BIN)/ltcd ./cmd/ltcd
	exec $(BIN)/ltcd dev

.PHONY: demo
demo: ## Drive a sample account and its deal from lead to WON and the contract to its last payment against a running `make dev`, printing each ltcctl step
	go run ./cmd/ltcctl demo

.PHONY: test
test: tools postgres chromium check-generated lint ## Run every test against real PostgreSQL and Temporal servers, and the web workplace in Chromium
	LTC_REQUIRE_BROWSER=1 go test -race -count=1 -timeout 30m ./...

.PHONY: tools
tools: $(TEMPORAL) $(GRPCURL) ## Build the pinned tools (buf, protoc plugins, Temporal CLI, grpcurl)
	@$(BUF) --version >/dev/null
	@go tool -modfile=tools/go.mod protoc-gen-go --version >/dev/null
	@go tool -modfile=tools/go.mod protoc-gen-go-grpc --version >/dev/null

$(TEMPORAL):
	@echo "building the Temporal CLI $(TEMPORAL_CLI_VERSION) (about 5 minutes, once)"
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

$(GRPCURL):
	GOBIN=$(BIN) go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)

.PHONY: postgres
postgres: ## Make sure PostgreSQL server binaries exist (as root, installs Debian's postgresql package)
	@if [ -z "$${PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's postgresql package"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "PostgreSQL server binaries are missing: run 'sudo apt-get install postgresql' or set PG_BIN" >&2; exit 1; \
	  fi; \
	fi

.PHONY: chromium
chromium: ## Make sure Chromium and a Chinese font exist for the browser tests (as root, installs Debian's chromium and fonts-wqy-microhei)
	@if ! command -v chromium >/dev/null 2>&1 || ! ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium and fonts-wqy-microhei packages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "Chromium or a Chinese font is missing: run 'sudo apt-get install chromium fonts-wqy-microhei' (the web workplace's browser tests need them)" >&2; exit 1; \
	  fi; \
	fi

.PHONY: generate
generate: ## Regenerate third_party/proto and the Go code of proto/
	go run ./internal/cmd/protodump third_party/proto
	$(BUF) format -w proto
	$(BUF) generate

.PHONY: check-generated
check-generated: ## Fail when the committed generated code differs from what generate makes
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	go run ./internal/cmd/protodump "$$tmp/third_party/proto"; \
	$(BUF) generate -o "$$tmp"; \
	if ! diff -r third_party/proto "$$tmp/third_party/proto" || ! diff -r -x '*.proto' proto "$$tmp/proto"; then \
	  echo "generated code is stale: run 'make generate' and commit" >&2; exit 1; \
	fi

.PHONY: lint
lint: ## buf lint and format check, gofmt, go vet, Temporal's workflowcheck
	$(BUF) lint
	$(BUF) format -d --exit-code proto
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted" >&2; exit 1; fi
	go vet ./...
	go tool -modfile=tools/go.mod workflowcheck -config tools/workflowcheck.yaml ./...

.PHONY: build
build: ## Build ltcd and ltcctl into .bin/
	go build -o $(BIN)/ ./cmd/ltcd ./cmd/ltcctl

.PHONY: bench
bench: tools postgres $(TEMPORAL_SERVER) ## Benchmark the engine against the Temporal floor, and reads at 10^6 deals (about 30 minutes); BENCH_FLAGS adds flags
	go run ./bench $(BENCH_FLAGS)

$(TEMPORAL_SERVER):
	@echo "building the Temporal server $(TEMPORAL_SERVER_VERSION) and its SQL tool for the benchmark (about 4 minutes, once)"
	GOBIN=$(dir $@) go install go.temporal.io/server/cmd/server@$(TEMPORAL_SERVER_VERSION) go.temporal.io/server/cmd/tools/sql@$(TEMPORAL_SERVER_VERSION)
