# Run `make` (or `make help`) for the list of targets.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

GO      ?= go
VERSION ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Develop
.PHONY: run build generate
run: ## Serve on :5000 with the in-memory store and the 8 seed actors (user/password)
	$(GO) run -ldflags "-X main.version=$(VERSION)" ./cmd/actors

build: ## Build a static binary into bin/actors
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/actors ./cmd/actors

generate: ## Regenerate gen/ from api/openapi.yaml
	$(GO) generate ./...

# Check
.PHONY: check-generated lint test test-go
check-generated: ## Fail when generated code is stale
	scripts/check-generated.sh

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

test: check-generated lint test-go ## Everything CI runs
	@echo "make test: all checks passed"

test-go: ## Go tests with the race detector
	$(GO) test -race -count=1 ./...
