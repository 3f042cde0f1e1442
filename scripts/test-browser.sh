#!/usr/bin/env bash
# Real-browser test of Swagger UI at /docs (tests/browser): builds and starts the server,
# then drives Debian's chromium through playwright-core (never a downloaded browser).
# Skips when node, chromium or tests/browser/node_modules are missing, except under CI=true.
#
#   UPDATE_SCREENSHOT=1 scripts/test-browser.sh   also refreshes docs/swagger-ui.png
#   CHROMIUM=/path/to/chromium                    another executable (default /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh

export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
require_tools test-browser "apt-get install -y nodejs npm chromium" node go "$CHROMIUM"
require_path test-browser "npm ci --prefix tests/browser" tests/browser/node_modules/playwright-core

tmp=$(mktemp -d)
shots=$(mktemp -d -t actors-browser-shots.XXXXXX)
passed=false
cleanup() {
	stop_actors_server
	rm -rf "$tmp"
	if [[ $passed == true ]]; then
		rm -rf "$shots"
	else
		echo "test-browser: screenshots kept in $shots" >&2
	fi
}
trap cleanup EXIT

start_actors_server "$tmp"
ACTORS_URL=$ACTORS_URL SCREENSHOT_DIR=$shots node --test tests/browser/*.test.mjs
passed=true
if [[ ${UPDATE_SCREENSHOT:-} == 1 ]]; then
	mkdir -p docs
	cp "$shots/swagger-ui.png" docs/swagger-ui.png
	echo "test-browser: updated docs/swagger-ui.png"
fi
