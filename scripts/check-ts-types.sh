#!/usr/bin/env bash
# Fails when clients/typescript/src/schema.d.ts is not what openapi-typescript generates
# from api/openapi.yaml now (run `npm run generate --prefix clients/typescript` to refresh).
# Skips when node or the npm packages are missing, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh

ts=clients/typescript
require_tools check-ts-types "apt-get install -y nodejs npm" node
require_path check-ts-types "npm ci --prefix $ts" "$ts/node_modules/.bin/openapi-typescript"

fresh=$(mktemp --suffix=.d.ts)
trap 'rm -f "$fresh"' EXIT
# The flags are package.json's generate script's: every schema is exported by name too.
"$ts/node_modules/.bin/openapi-typescript" api/openapi.yaml --root-types --root-types-no-schema-prefix -o "$fresh" >/dev/null
if ! diff -u "$ts/src/schema.d.ts" "$fresh"; then
	echo "FAIL check-ts-types: $ts/src/schema.d.ts is stale; run: npm run generate --prefix $ts" >&2
	exit 1
fi
echo "check-ts-types: $ts/src/schema.d.ts is up to date"
