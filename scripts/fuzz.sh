#!/usr/bin/env bash
# Runs every Go fuzz target in the module for FUZZTIME each (default 60s), one after another.
# Targets are found with `go test -list`, so a new Fuzz* function needs no change here.
# Inputs that fail land in the package's testdata/fuzz/<Target>/ (commit them with the fix);
# new coverage-increasing inputs stay in the Go build cache (go env GOCACHE)/fuzz.
#   FUZZTIME=10m scripts/fuzz.sh      PKGS=./internal/httpapi scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh

FUZZTIME=${FUZZTIME:-60s}
PKGS=${PKGS:-./...}

ran=0
for pkg in $(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "$PKGS"); do
	# -list prints the matching names, then "ok <pkg> <time>"; keep the names.
	listed=$(go test -list '^Fuzz' "$pkg")
	for target in $(grep '^Fuzz' <<<"$listed" || true); do
		echo "fuzz: $pkg $target for $FUZZTIME" >&2
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg"
		ran=$((ran + 1))
	done
done
if ((ran == 0)); then
	echo "fuzz: no Fuzz* targets found in $PKGS" >&2
	exit 1
fi
echo "fuzz: $ran targets ran for $FUZZTIME each without a failure" >&2
