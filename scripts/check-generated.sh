#!/usr/bin/env bash
# Regenerates gen/ from api/openapi.yaml in a scratch copy of the module and fails when the
# committed code differs: generated code is regenerated, never edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/go-toolchain.sh

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r go.mod go.sum api gen "$scratch"/
mkdir "$scratch/tools" && cp tools/go.mod tools/go.sum "$scratch/tools"/ # oapi-codegen's module
(cd "$scratch" && go generate ./gen/...)
if ! diff -ru gen "$scratch/gen"; then
	echo "gen/ is stale: run 'make generate' and commit the result" >&2
	exit 1
fi
echo "gen/ is up to date with api/openapi.yaml"
