#!/usr/bin/env bash
# Lints api/openapi.yaml with Redocly CLI (pinned in tools/speclint) and the config
# tools/speclint/redocly.yaml: the run fails on any error or warning. Skips when node or
# tools/speclint/node_modules are missing, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh

require_tools lint-spec "apt-get install -y nodejs npm" node
require_path lint-spec "npm ci --prefix tools/speclint" tools/speclint/node_modules/.bin/redocly

# No telemetry and no update check: the lint must not reach the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
tools/speclint/node_modules/.bin/redocly lint --format=json \
	--config tools/speclint/redocly.yaml api/openapi.yaml >"$out" 2>/dev/null || status=$?

# The JSON report counts problems; a non-zero count of either kind fails.
# shellcheck disable=SC2016 # the single quotes hold JavaScript, not shell
if ! totals=$(node -e '
	const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const t = r.totals;
	console.log(`errors=${t.errors} warnings=${t.warnings} ignored=${t.ignored}`);
	for (const p of r.problems) console.log(`${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map(l => l.pointer).join(", ")}`);
	process.exit(t.errors + t.warnings === 0 ? 0 : 1);
' "$out"); then
	echo "$totals" >&2
	echo "FAIL lint-spec: redocly lint found problems (exit $status)" >&2
	exit 1
fi
if ((status != 0)); then
	cat "$out" >&2
	echo "FAIL lint-spec: redocly lint exited $status" >&2
	exit 1
fi
echo "lint-spec: api/openapi.yaml $totals (ignored ones are listed in tools/speclint/.redocly.lint-ignore.yaml)"
echo "lint-spec: 1 passed, 0 failed"
