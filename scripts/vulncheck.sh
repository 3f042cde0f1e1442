#!/usr/bin/env bash
# Runs govulncheck (pinned by go.mod's tool directive) against an offline copy of the Go
# vulnerability database. vuln.go.dev cannot be reached from here, but the Go module proxy
# serves golang.org/x/vulndb, whose data/osv folder holds every report as OSV JSON; its own
# cmd/indexdb turns that folder into the v1 database layout govulncheck reads with
# -db file://. The database is built once per pinned version and cached.
#
# Bump VULNDB_VERSION to see newer reports: `go list -m -versions golang.org/x/vulndb`
# lists none (pseudo-versions), so take the newest from `go list -m golang.org/x/vulndb@master`.
#
# The standard library is checked as the `go` on PATH builds it: a finding there is fixed
# by a newer Go toolchain, not by go get (see the rules at the end).
set -euo pipefail

VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
cache=${VULNDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/actors/vulndb-$VULNDB_VERSION}
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh
command -v python3 >/dev/null || { echo "vulncheck: python3 is needed to judge govulncheck's report (apt-get install python3)" >&2; exit 1; }

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

echo "vulncheck: $(go version | cut -d' ' -f3), database golang.org/x/vulndb@$VULNDB_VERSION" >&2
report=$(mktemp)
trap 'rm -f "$report"' EXIT
go tool govulncheck -db "file://$cache" -format json ./... >"$report"

# Judge the findings the code reaches (govulncheck's own rule). A module finding fails: fix it
# with `go get module@fixed`. A standard-library finding fixed in a newer patch of the Go
# minor release in use is a warning: the release image is built by golang:<minor>, which is
# that minor's newest patch, so only a local toolchain can be behind; update it. A
# standard-library finding with no fix in this minor release fails.
python3 - "$report" "$(go env GOVERSION)" <<'PY'
import json, sys
data, go = open(sys.argv[1]).read(), sys.argv[2]          # go: e.g. go1.26.8
minor = ".".join(go.removeprefix("go").split(".")[:2])      # 1.26
dec, i, called = json.JSONDecoder(), 0, {}
while i < len(data):
    if data[i].isspace():
        i += 1
        continue
    obj, i = dec.raw_decode(data, i)
    f = obj.get("finding")
    if f and f["trace"] and f["trace"][0].get("function"):
        top = f["trace"][0]
        called[f["osv"]] = (top["module"], top.get("package", ""), f.get("fixed_version", ""))
fail = warn = 0
for osv, (module, pkg, fixed) in sorted(called.items()):
    fixed_minor = ".".join(fixed.removeprefix("v").split(".")[:2])
    if module == "stdlib" and fixed and fixed_minor == minor:
        warn += 1
        print(f"vulncheck: warning: {osv} in {pkg} ({go}), fixed in go{fixed.removeprefix('v')}: update your local Go")
    else:
        fail += 1
        print(f"vulncheck: FAIL: {osv} in {module} {pkg}, fixed in {fixed or 'no release yet'}")
print(f"vulncheck: {fail} failing, {warn} warnings (local Go patch level) among {len(called)} reachable vulnerabilities")
sys.exit(1 if fail else 0)
PY
