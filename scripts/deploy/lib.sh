# shellcheck shell=bash
# Shared by the deploy verbs (sourced, not run): paths, logging, the terraform wrapper, stack
# outputs and container-tool detection. Each verb is a thin script so `make <verb>` stays readable.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TF_DIR="${TF_DIR:-$ROOT/terraform}"

# Progress goes to stderr so that stdout carries only a verb's answer (an IP, a URL, a secret).
log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is required but was not found on PATH (see docs/deploy.md)"
  done
}

tf() { terraform -chdir="$TF_DIR" "$@"; }

tf_init() {
  local args=(-input=false)
  # Optional remote state: see terraform/backend.hcl.example.
  if [[ -f "$TF_DIR/backend.hcl" ]]; then args+=(-backend-config=backend.hcl); fi
  log "terraform init"
  tf init "${args[@]}" >&2 || die "terraform init failed"
}

# tf_output NAME: one output of the deployed stack, or a clear error when there is none yet.
tf_output() {
  local value
  value=$(tf output -raw "$1" 2>/dev/null) || die "no '$1' in the Terraform state: is the stack deployed? (run make deploy)"
  printf '%s' "$value"
}

# The container CLI: $CONTAINER_TOOL, else docker, else podman (the same choice as make image).
container_tool() {
  if [[ -n "${CONTAINER_TOOL:-}" ]]; then
    printf '%s' "$CONTAINER_TOOL"
  elif command -v docker >/dev/null 2>&1; then
    printf docker
  elif command -v podman >/dev/null 2>&1; then
    printf podman
  else
    die "neither docker nor podman was found; install one or set CONTAINER_TOOL"
  fi
}
