#!/usr/bin/env bash
# TypeScript client test (clients/typescript): the generated types are fresh, `tsc --noEmit`
# is clean, then the node:test suite, compiled to a temporary folder, runs against a live
# server this script builds and starts. Skips when node or the npm packages are missing,
# except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh

ts=clients/typescript
require_tools test-typescript "apt-get install -y nodejs npm" node go
require_path test-typescript "npm ci --prefix $ts" "$ts/node_modules/.bin/tsc"

tmp=$(mktemp -d)
cleanup() {
	stop_actors_server
	rm -rf "$tmp"
}
trap cleanup EXIT

scripts/check-ts-types.sh
"$ts/node_modules/.bin/tsc" --noEmit -p "$ts"

# The compiled tests import openapi-fetch: node resolves it through this symlink, and the
# package.json makes the .js files ES modules as in the source package.
"$ts/node_modules/.bin/tsc" -p "$ts" --outDir "$tmp/dist"
ln -s "$PWD/$ts/node_modules" "$tmp/node_modules"
echo '{"type": "module"}' >"$tmp/package.json"

start_actors_server "$tmp"
ACTORS_URL=$ACTORS_URL node --test "$tmp"/dist/test/*.test.js
