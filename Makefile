# Run `make` (or `make help`) for the list of targets.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

GO      ?= go
# Exactly go.mod's Go release; an older or newer local go fetches it once (scripts/go-toolchain.sh says why).
export GOTOOLCHAIN ?= go$(shell sed -n 's/^go //p' go.mod)
VERSION ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

# npm projects: the browser test, the TypeScript client, the spec linter, dynalite (a DynamoDB
# API server for the store's tests), and the IAM policy simulator of the policy test. Each pins
# its packages in package-lock.json.
NPM_PROJECTS := tests/browser clients/typescript tools/speclint internal/dynamostore/testdata tests/iam

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- Develop
# make run listens on loopback only: it accepts the well-known user/password.
PORT ?= 5000
ADDR ?= 127.0.0.1:$(PORT)

.PHONY: run build generate npm-ci
run: build ## Serve on 127.0.0.1:5000 (PORT=8080 or ADDR=:5000 to change) with the in-memory store and the 8 seed actors (user/password: insecure, for development)
	ACTORS_METRICS=$${ACTORS_METRICS:-off} exec bin/actors -addr '$(ADDR)' -insecure-default-credentials

build: ## Build a static binary into bin/actors
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/actors ./cmd/actors

generate: clients/typescript/node_modules/.package-lock.json ## Regenerate gen/ and the TypeScript types from api/openapi.yaml
	$(GO) generate ./...
	npm run generate --prefix clients/typescript

npm-ci: ## Install the pinned npm packages the tests use (when npm is there and a lock file changed)
	@if command -v npm >/dev/null; then $(MAKE) -s $(NPM_PROJECTS:%=%/node_modules/.package-lock.json); \
	else echo "npm not found: the browser, TypeScript, spec-lint and DynamoDB tests will be skipped"; fi

# An npm project's packages, installed when its lock file is newer than the install (or there is none).
%/node_modules/.package-lock.json: %/package-lock.json
	@command -v npm >/dev/null || { echo "make: $* needs npm (node >= 20) to install its packages" >&2; exit 1; }
	npm ci --prefix $* --no-audit --no-fund --loglevel=error

# Every target that runs go checks first that it can, so a missing toolchain fails once, with the fix.
.PHONY: go-toolchain
go-toolchain: ## Check that go.mod's Go release is here or can be fetched (targets that run go do it first)
	@scripts/go-toolchain.sh
run build generate check-generated lint-go lint-workflows test-go test-browser screenshot test-typescript test-httpie test-docs bench loadtest profile pgo fuzz soak vulncheck lint-dockerfile test-image test-deploy check-breaking release-contract smoke: go-toolchain

# --- Check
.PHONY: check-generated lint lint-go lint-spec lint-workflows check-breaking release-contract smoke test test-go test-browser screenshot test-typescript test-httpie test-docs
check-generated: ## Fail when gen/ or the TypeScript types are stale
	scripts/check-generated.sh
	scripts/check-ts-types.sh

lint: lint-go lint-spec lint-workflows lint-dockerfile vulncheck ## gofmt, go vet, staticcheck, spec lint, workflow lint, Dockerfile lint, govulncheck, terraform fmt/validate
	scripts/test-terraform.sh --lint

lint-go: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) -C tools/soak vet ./...
	$(GO) -C bench vet ./...
	$(GO) tool -modfile=tools/go.mod staticcheck ./...

lint-spec: npm-ci ## Lint api/openapi.yaml with Redocly CLI: zero errors, zero warnings
	scripts/lint-spec.sh

lint-workflows: ## actionlint (with shellcheck) over .github/workflows
	scripts/lint-workflows.sh

check-breaking: ## Fail on a breaking change to api/openapi.yaml since the last release (api/released/openapi.yaml) or BASE=<git ref>
	BASE='$(BASE)' scripts/check-breaking.sh

release-contract: ## At a release: record api/openapi.yaml as api/released/openapi.yaml, the base of check-breaking (docs/contract.md)
	scripts/release-contract.sh

smoke: ## Check a live server against the spec: make smoke URL=http://127.0.0.1:5000, credentials in ACTORS_USERNAME/ACTORS_PASSWORD
	@if [ -z '$(URL)' ]; then echo "make smoke: say which server, e.g. make smoke URL=http://127.0.0.1:5000" >&2; exit 2; fi
	$(GO) run ./cmd/contractprobe -url '$(URL)'

# test-terraform runs terraform fmt and validate too, so test takes lint's parts but that one.
test: npm-ci check-generated lint-go lint-spec lint-workflows check-breaking lint-dockerfile vulncheck test-go test-browser test-typescript test-httpie test-docs test-image test-terraform test-iam test-deploy ## Everything CI runs
	@echo "make test: all checks passed"

test-go: npm-ci ## Go tests with the race detector (DynamoDB store tests on dynalite), the soak driver's included
	$(GO) test -race -count=1 ./...
	$(GO) -C tools/soak test -race -count=1 ./...

test-browser: npm-ci ## Swagger UI at /docs in headless Debian chromium (playwright-core)
	scripts/test-browser.sh

screenshot: npm-ci ## Refresh docs/swagger-ui.png (runs the browser test)
	UPDATE_SCREENSHOT=1 scripts/test-browser.sh

test-typescript: npm-ci ## TypeScript client: fresh types, tsc --noEmit, node --test against a live server
	scripts/test-typescript.sh

test-httpie: ## Run README's httpie examples against a live server
	scripts/test-httpie.sh

test-docs: ## Run the command blocks of README.md and docs/ that need only this repository (docs/testing.md)
	scripts/test-docs.sh

# --- Performance (docs/performance.md)
BENCHTIME ?= 1s

.PHONY: bench loadtest profile pgo
bench: ## Benchmarks of the full handler chain and the store (ns/op, allocs/op), each for BENCHTIME (default 1s)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./internal/httpapi ./internal/memstore

loadtest: ## The service against a minimal net/http server, side by side with wrk on loopback (~2 min)
	bench/loadtest.sh

profile: ## Where a request's time goes under wrk: CPU, mutex and block profiles, a runtime/trace, gctrace (PROFILE_SECS, default 20)
	bench/profile.sh

pgo: ## Refresh cmd/actors/default.pgo, the CPU profile go build optimises the service with, from make profile's load
	bench/profile.sh --pgo

# --- Reliability (docs/security.md)
FUZZTIME ?= 60s
DURATION ?= 60s

.PHONY: fuzz soak vulncheck
fuzz: ## Run every Go fuzz target for FUZZTIME each (default 60s); make test runs only their seeds
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

soak: ## Mixed CRUD load on a built server for DURATION (default 60s): reports, and verifies nothing was lost
	DURATION=$(DURATION) scripts/soak.sh

vulncheck: ## govulncheck against an offline copy of the Go vulnerability database
	scripts/vulncheck.sh

# --- Container image (docs/container-image.md)
.PHONY: image test-image lint-dockerfile
image: ## Build the image: docker, else podman (CONTAINER_TOOL=), PLATFORM=linux/arm64, IMAGE= (default actors:$(VERSION))
	CONTAINER_TOOL='$(CONTAINER_TOOL)' PLATFORM='$(PLATFORM)' VERSION='$(VERSION)' IMAGE='$(IMAGE)' scripts/image.sh

test-image: ## Build the unchanged Dockerfile on local stand-in base images and check the running container (podman)
	scripts/test-image.sh

lint-dockerfile: ## Lint the Dockerfile with BuildKit's own rules (tools/dflint, offline); zero findings
	$(GO) -C tools/dflint test ./...
	$(GO) -C tools/dflint run . ../../Dockerfile

# --- AWS (docs/deploy.md). Region: AWS_REGION or terraform.tfvars.
.PHONY: deploy plan rotate-password status get_ip url credentials logs delete scan test-terraform test-iam test-deploy
deploy: ## Build, push, roll out the current commit to AWS Fargate, smoke-test it (rolled back if it fails); prints the URL (IMAGE_TAG=, ROLLBACK=off)
	scripts/deploy/deploy.sh

plan: ## What make deploy would change (terraform plan), without building, pushing or applying
	scripts/deploy/plan.sh

rotate-password: ## New Basic-auth password (generated, or PASSWORD_FILE=file or - for stdin); replaces the tasks
	scripts/deploy/rotate-password.sh

status: ## The deployed service: URL, front door, rollout, running/pending/desired tasks, alarms in ALARM, last events (EVENTS=10)
	@scripts/deploy/status.sh

get_ip: ## Public IP of the running Fargate task (front_door = "public_ip"; with a front door, where the service is)
	@scripts/deploy/get_ip.sh

url: ## Base URL of the deployed service (https://<domain_name>, the API Gateway's, or http://<task IP>:5000)
	@scripts/deploy/url.sh

credentials: ## Basic-auth username and password of the deployed service (JSON)
	@scripts/deploy/credentials.sh

logs: ## Follow the service's CloudWatch logs (SINCE=1h, FOLLOW=0 to not follow)
	@scripts/deploy/logs.sh

delete: ## Destroy everything the deploy created, images included (asks first; AUTO_APPROVE=1 does not)
	scripts/deploy/delete.sh

scan: ## Trivy's AWS checks on terraform/, offline: no unjustified HIGH/CRITICAL (builds trivy once, ~13 min)
	scripts/scan.sh

test-terraform: ## terraform fmt/validate/test with a mocked AWS provider (offline)
	scripts/test-terraform.sh

test-iam: npm-ci ## The IAM set-up (terraform/iam): terraform test, then its policies evaluated by an IAM simulator (offline)
	scripts/test-iam.sh

test-deploy: ## The deploy verbs with the real terraform and git on a local state; aws, docker/podman and make stubbed
	scripts/test-deploy.sh
