#!/usr/bin/env bash
# make lint-workflows: actionlint (pinned in tools/actionlint, a module of its own) over
# .github/workflows: syntax, expressions and their contexts, runner labels, the inputs of the
# actions used, and the run: scripts through shellcheck. Without shellcheck the scripts go
# unchecked, with a note; under CI=true that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh

args=(-pyflakes=) # no Python step
if command -v shellcheck >/dev/null 2>&1; then
	args+=(-shellcheck="$(command -v shellcheck)")
elif [[ ${CI:-} == true ]]; then
	echo "lint-workflows: FAIL: shellcheck is not installed (apt-get install shellcheck; required when CI=true)" >&2
	exit 1
else
	echo "lint-workflows: shellcheck is not installed (apt-get install shellcheck): the run: scripts go unchecked"
	args+=(-shellcheck=)
fi
go tool -modfile=tools/actionlint/go.mod actionlint "${args[@]}"
echo "lint-workflows: .github/workflows: no findings"
