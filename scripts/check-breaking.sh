#!/usr/bin/env bash
# make check-breaking [BASE=<git ref>]: compares api/openapi.yaml in the working tree with the
# contract clients were given, using oasdiff (pinned by tools/go.mod). A breaking change
# (oasdiff level ERR) fails, unless info.version's major went up: that is how a deliberate
# break is declared (docs/contract.md). Warnings are printed and pass.
#
# The base is api/released/openapi.yaml, the last release's contract, committed, so that
# every clone has it, shallow or without tags (make release-contract moves it). BASE=<git
# ref> compares with the spec at that ref instead. A repository without the file falls back
# to the latest v* tag, then to the spec's last committed state: HEAD when the working
# tree's spec differs from it, else the commit before the spec's last change, so that the
# last change is what gets checked. The output says which.
#
# It works on the git repository of the current directory (its test makes scratch ones).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/go-toolchain.sh"
spec=api/openapi.yaml
released=api/released/openapi.yaml

say() { echo "check-breaking: $*"; }
die() {
	echo "check-breaking: $*" >&2
	exit 1
}

root=$(git rev-parse --show-toplevel 2>/dev/null) || die "$PWD is not in a git repository"
cd "$root"
[[ -f $spec ]] || die "no $spec in $root"

from=
if [[ -z ${BASE:-} && -f $released ]]; then
	from=$released
	why="the last release's contract, info.version $(sed -n 's/^  version: *//p' "$released" | head -n 1); BASE=<git ref> to compare with another"
elif ! git rev-parse -q --verify HEAD >/dev/null; then
	say "no commit yet: nothing to compare $spec with"
	exit 0
elif [[ -n ${BASE:-} ]]; then
	base=$BASE why="BASE=$BASE"
elif tag=$(git describe --tags --abbrev=0 --match 'v*' 2>/dev/null); then
	base=$tag why="the latest v* tag; BASE=<git ref> to compare with another"
elif ! git diff --quiet HEAD -- "$spec"; then
	base=HEAD why="no v* tag, and the working tree's spec differs from HEAD's"
else
	last=$(git log -1 --format=%h -- "$spec")
	[[ -n $last ]] || {
		say "no v* tag, and $spec was never committed: nothing to compare it with"
		exit 0
	}
	if ! git rev-parse -q --verify "$last^" >/dev/null; then
		[[ $(git rev-parse --is-shallow-repository) == false ]] ||
			die "this clone is shallow, so the spec's earlier versions are missing: git fetch --unshallow --tags, or pass BASE=<git ref>"
		say "no v* tag, and $spec has no earlier version (it was added by $last, the first commit): nothing to compare"
		exit 0
	fi
	base=$last^ why="no v* tag: the spec before its last change, $last \"$(git log -1 --format=%s "$last")\""
fi
if [[ -z $from ]]; then
	git rev-parse -q --verify "$base^{commit}" >/dev/null ||
		die "BASE $base is not a commit in this clone (a shallow clone? git fetch --tags, or pass BASE=<git ref>)"
	git cat-file -e "$base:$spec" 2>/dev/null || die "$spec does not exist at $base"
	from=$base:$spec
fi
say "comparing $spec with $from ($why)"

# go tool -n builds oasdiff once (cached) and prints its path; it then runs here, in the
# repository, where it reads the base spec from git itself.
oasdiff=$(go -C "$here" tool -modfile=tools/go.mod -n oasdiff)
args=(breaking "$from" "$spec" --color never --allow-external-refs=false)
rc=0
report=$("$oasdiff" "${args[@]}" --fail-on ERR) || rc=$?
echo "$report"
case $rc in
0)
	if grep -q '^warning' <<<"$report"; then
		say "no breaking change; the warnings above may still affect some clients, and do not fail"
	else
		say "no breaking change"
	fi
	exit 0
	;;
1) ;;
*) die "oasdiff failed (exit $rc)" ;;
esac

# Breaking changes: allowed only with a major version increase, which oasdiff judges too.
if policy=$("$oasdiff" "${args[@]}" --fail-on MISSING-VERSION-BUMP 2>&1 >/dev/null); then
	say "the breaking changes above are declared: $policy"
	exit 0
fi
policy=${policy%.}
echo "check-breaking: FAIL: the changes marked 'error' above break clients of the contract in $from ($policy)." >&2
echo "check-breaking: Make them compatible (docs/contract.md says how), or, to break it deliberately, raise" >&2
echo "check-breaking: info.version's major in $spec (e.g. 1.4.0 -> 2.0.0) and say so in the commit message." >&2
exit 1
