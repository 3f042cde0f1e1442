#!/usr/bin/env bash
# The project builds with exactly the Go release of go.mod's `go` line. GOTOOLCHAIN=go<that>
# makes any local go, older or newer, fetch that release once into the module cache through
# the Go module proxy, even when its go.env says GOTOOLCHAIN=local. Exactly, not "at least":
# the generated code (gen/ embeds the spec gzipped, and compress/flate's output may change
# between Go releases) and govulncheck's standard-library findings depend on the release.
# A GOTOOLCHAIN already in the environment wins.
#
# Sourced by the scripts that run go, which only need the variable. Run (as `make`'s
# go-toolchain target, before any target that runs go), it also checks that go can run this
# module, and says how to fix it when it cannot.
_go_toolchain_mod=$(dirname "${BASH_SOURCE[0]}")/../go.mod
export GOTOOLCHAIN=${GOTOOLCHAIN:-go$(sed -n 's/^go //p' "$_go_toolchain_mod")}
unset _go_toolchain_mod
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

set -euo pipefail
cd "$(dirname "$0")/.."
want=go$(sed -n 's/^go //p' go.mod)
if ! command -v go >/dev/null; then
	echo "go-toolchain: go not found: install Go (any release from 1.21 fetches $want by itself; https://go.dev/dl/)" >&2
	exit 1
fi
if err=$(go list -m 2>&1 >/dev/null); then
	echo "go-toolchain: $(go env GOVERSION) (GOTOOLCHAIN=$GOTOOLCHAIN)"
	exit 0
fi
local_go=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null || echo unknown)
proxy=$(GOTOOLCHAIN=local go env GOPROXY 2>/dev/null || true)
{
	echo "$err"
	echo
	echo "go-toolchain: this project builds with $want (go.mod's go line). GOTOOLCHAIN is $GOTOOLCHAIN;"
	echo "the go on PATH, $(command -v go), is $local_go. To fix it, either:"
	if [[ $GOTOOLCHAIN != "$want" ]]; then
		echo "  - unset GOTOOLCHAIN in your environment: make then sets GOTOOLCHAIN=$want, or"
	else
		echo "  - let go fetch $want once into the module cache: it needs the Go module proxy"
		echo "    (GOPROXY is '$proxy'; 'off' or an unreachable proxy cannot serve it), or"
	fi
	echo "  - install $want (https://go.dev/dl/) and put its bin/ first on PATH."
} >&2
exit 1
