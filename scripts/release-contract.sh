#!/usr/bin/env bash
# make release-contract: records api/openapi.yaml as the released contract,
# api/released/openapi.yaml, the base make check-breaking compares with. Run it when a release
# ships and commit the file with it (docs/contract.md). It refuses a spec that changed without
# a new info.version, or that breaks the released contract without a new major.
#
# It works on the git repository of the current directory (its test makes scratch ones).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
spec=api/openapi.yaml
released=api/released/openapi.yaml

say() { echo "release-contract: $*"; }
die() {
	echo "release-contract: $*" >&2
	exit 1
}
version() { sed -n 's/^  version: *//p' "$1" | head -n 1; }

cd "$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
[[ -f $spec ]] || die "no $spec in $PWD"
new=$(version "$spec")
[[ -n $new ]] || die "$spec has no info.version"
if [[ -f $released ]]; then
	old=$(version "$released")
	if cmp -s "$spec" "$released"; then
		say "$released is already $spec (info.version $new): nothing to do"
		exit 0
	fi
	if [[ $new == "$old" || $(printf '%s\n' "$old" "$new" | sort -V | tail -n 1) != "$new" ]]; then
		die "$spec changed since the release of info.version $old: raise info.version above it (the minor for additions, the major for a break)"
	fi
	env -u BASE bash "$here/scripts/check-breaking.sh" || die "not released: check-breaking failed against $released"
fi
mkdir -p "$(dirname "$released")"
cp "$spec" "$released"
say "$released is now info.version $new: commit it with the release, and tag it: git tag v$new"
