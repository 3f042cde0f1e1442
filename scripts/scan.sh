#!/usr/bin/env bash
# make scan: Trivy's built-in AWS misconfiguration checks over terraform/, in the default
# configuration and in each of terraform/tests/scan/*.tfvars. Fails on any HIGH or CRITICAL finding
# that .trivyignore does not justify.
#
# Offline: the checks compiled into the binary are used (--skip-check-update: their newer bundle is
# never fetched), and HTTP(S) goes to a closed local port, so anything that would still reach for
# the network fails at once, loudly. Trivy is built once from its Go module into
# ${XDG_CACHE_HOME:-~/.cache}/actors/trivy/<version>/ (about 13 minutes on 2 cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=v0.74.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/actors/trivy/$version"
trivy="$cache/trivy"

if [[ ! -x "$trivy" ]]; then
  command -v go >/dev/null 2>&1 || { echo "scan: go is required to build trivy $version" >&2; exit 1; }
  echo "scan: building trivy $version into $cache (once; about 13 minutes on 2 cores)"
  mkdir -p "$cache"
  # GOEXPERIMENT=jsonv2: trivy's code needs encoding/json/v2. GOTOOLCHAIN=auto fetches a newer Go
  # only if trivy's go.mod asks for one.
  GOBIN="$cache" GOEXPERIMENT=jsonv2 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    go install "github.com/aquasecurity/trivy/cmd/trivy@$version"
fi

# Every ignored check carries its reason: a comment on the line above it.
previous=""
while IFS= read -r line; do
  if [[ -n "$line" && "$line" != \#* && "$previous" != \#* ]]; then
    echo "scan: FAIL: .trivyignore ignores $line without a reason on the line above it" >&2
    exit 1
  fi
  previous=$line
done <"$root/.trivyignore"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The module alone: a developer's terraform.tfvars, state or .terraform must not change the result.
# The spec goes beside it, where the module reads it (../api/openapi.yaml) to name its alarms.
mkdir -p "$tmp/stack/terraform" "$tmp/stack/api"
tar -C "$root/terraform" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude=./terraform.tfvars --exclude='*.auto.tfvars' --exclude=./backend.tf --exclude=./tests -cf - . |
  tar -C "$tmp/stack/terraform" -xf -
cp "$root/api/openapi.yaml" "$tmp/stack/api/"

closed=127.0.0.1:9 # the discard port: nothing listens there
findings=3         # trivy's exit status for findings, told apart from its own errors (1)
# scan [TFVARS]: one configuration. Its debug log is kept aside: any mention of the closed port is
# an attempt to reach the network, which fails the scan.
scan() {
  echo "scan: trivy config terraform/${1:+ with ${1#"$root"/}}"
  local rc=0
  HTTP_PROXY=http://$closed HTTPS_PROXY=http://$closed http_proxy=http://$closed https_proxy=http://$closed \
    NO_PROXY="" no_proxy="" \
    "$trivy" config --debug --skip-check-update --skip-version-check --disable-telemetry \
    --misconfig-scanners terraform --cache-dir "$cache/cache" \
    --severity HIGH,CRITICAL --exit-code "$findings" --ignorefile "$root/.trivyignore" \
    ${1:+--tf-vars "$1"} "$tmp/stack" >"$tmp/report" 2>"$tmp/log" || rc=$?
  cat "$tmp/report"
  if grep -q "$closed" "$tmp/log"; then
    echo "scan: FAIL: trivy tried to reach the network, which this scan must never need:" >&2
    grep "$closed" "$tmp/log" >&2
    exit 1
  fi
  case "$rc" in
    0) ;;
    "$findings") return 1 ;;
    *)
      tail -n 20 "$tmp/log" >&2
      echo "scan: FAIL: trivy failed (exit status $rc)" >&2
      exit 1
      ;;
  esac
}

status=0
scan "" || status=1
for vars in "$root"/terraform/tests/scan/*.tfvars; do
  scan "$vars" || status=1
done
if ((status != 0)); then
  echo "scan: FAIL: HIGH or CRITICAL findings above: fix them, or justify each in .trivyignore (the reason on the line above its ID)" >&2
  exit 1
fi
echo "scan: no unjustified HIGH or CRITICAL findings"
