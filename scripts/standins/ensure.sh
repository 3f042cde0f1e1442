#!/usr/bin/env bash
# Makes sure both TEST STAND-IN base images exist (built only when missing or
# when their inputs changed). Expects CONTAINERS_CONF/CONTAINERS_STORAGE_CONF set.
set -euo pipefail
dir=$(dirname "$0")
"$dir/distroless.sh"
"$dir/golang.sh"
