#!/usr/bin/env bash
# Runs govulncheck (pinned by tools/go.mod) against an offline copy of the Go
# vulnerability database. vuln.go.dev cannot be reached from here, but the Go module proxy
# serves golang.org/x/vulndb, whose data/osv folder holds every report as OSV JSON; its own
# cmd/indexdb turns that folder into the v1 database layout govulncheck reads with
# -db file://. The database is built once per pinned version and cached.
#
# Bump VULNDB_VERSION to see newer reports: `go list -m -versions golang.org/x/vulndb`
# lists none (pseudo-versions), so take the newest from `go list -m golang.org/x/vulndb@master`.
#
# The standard library is checked as go.mod's Go release builds it (scripts/go-toolchain.sh).
set -euo pipefail

VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
cache=${VULNDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/actors/vulndb-$VULNDB_VERSION}
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh

if [[ ! -s $cache/index/db.json ]]; then
	echo "vulncheck: building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION (once)" >&2
	# -json prints the module's extracted folder; "Dir": "..." is on a line of its own.
	src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	if [[ -z $src || ! -d $src/data/osv ]]; then
		echo "vulncheck: golang.org/x/vulndb@$VULNDB_VERSION has no data/osv folder" >&2
		exit 1
	fi
	mkdir -p "$(dirname "$cache")"
	tmp=$(mktemp -d "$cache.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# indexdb refuses to write into an existing folder's files half-way; build apart, then move.
	go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$tmp/db"
	rm -rf "$cache"
	mv "$tmp/db" "$cache"
fi

echo "vulncheck: $(go env GOVERSION), database golang.org/x/vulndb@$VULNDB_VERSION"
# Any vulnerability the code reaches fails (govulncheck exits 3). The project builds with
# exactly go.mod's Go release, so a standard-library finding is fixed there, like a module's.
if ! go tool -modfile=tools/go.mod govulncheck -db "file://$cache" ./...; then
	echo "vulncheck: FAIL. A module finding: go get module@fixed. A standard-library one: raise go.mod's go line" >&2
	echo "vulncheck: to the fixed release (and the Dockerfile's golang:<minor> with it when the minor changes)." >&2
	exit 1
fi
