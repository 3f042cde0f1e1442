#!/usr/bin/env bash
# Soak test (make soak DURATION=60s): builds the server and the soak driver (tools/soak), runs
# mixed CRUD load on loopback for DURATION, and prints requests, errors, 412s, RSS and
# goroutines at start and end. Fails on any error, lost or extra actor, or goroutine growth.
#   DURATION=10m CLIENTS=32 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh

DURATION=${DURATION:-60s}
CLIENTS=${CLIENTS:-16}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -tags debug: the opt-in pprof listener (ACTORS_DEBUG_ADDR) the soak counts goroutines with.
go build -tags debug -o "$tmp/actors" ./cmd/actors
go -C tools/soak build -o "$tmp/soak" .
"$tmp/soak" -server "$tmp/actors" -duration "$DURATION" -clients "$CLIENTS"
