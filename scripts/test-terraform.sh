#!/usr/bin/env bash
# Offline checks of the Terraform root module in terraform/: fmt, init (from the local provider
# mirror, never the registry), validate, and `terraform test` with a mocked AWS provider.
#
# Usage: scripts/test-terraform.sh [--lint] [terraform test flags...]
#   --lint  stop after fmt and validate (for make lint)
# Skips (exit 0) when terraform or the provider mirror is missing, except under CI=true where that
# is a failure. Env: TF_PLUGIN_MIRROR (default /opt/tf-plugins).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module="$root/terraform"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
lint_only=0
if [[ "${1:-}" == "--lint" ]]; then
  lint_only=1
  shift
fi

skip() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-terraform: FAIL: $1 (required when CI=true)" >&2
    exit 1
  fi
  echo "test-terraform: SKIP: $1"
  exit 0
}

command -v terraform >/dev/null 2>&1 || skip "terraform is not installed (need >= 1.7)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Our own CLI config: providers from the mirror only, the registry never contacted.
cat >"$tmp/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" TF_DATA_DIR="$tmp/data"
# CHECKPOINT_DISABLE: no version-check call to HashiCorp (offline, and it would only slow us down).
version=$(terraform version | sed -n '1s/^Terraform v\([0-9]*\.[0-9]*\).*/\1/p')
if [[ -z "$version" ]] || (( ${version%%.*} == 1 && ${version#*.} < 7 )); then
  skip "terraform ${version:-(unknown version)} is older than 1.7 (mock providers)"
fi
compgen -G "$mirror/registry.terraform.io/hashicorp/aws/*/*" >/dev/null ||
  skip "no hashicorp/aws provider in the mirror $mirror (set TF_PLUGIN_MIRROR)"

export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE

echo "test-terraform: terraform fmt -check -recursive"
terraform -chdir="$module" fmt -check -recursive -diff

# Work on a copy so that init's lock file and any local state or tfvars of the developer stay out
# of the picture (and out of the work tree).
mkdir "$tmp/module"
tar -C "$module" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude=./terraform.tfvars --exclude='*.auto.tfvars' --exclude=./backend.tf -cf - . | tar -C "$tmp/module" -xf -

echo "test-terraform: terraform init -backend=false (mirror: $mirror)"
terraform -chdir="$tmp/module" init -backend=false -input=false -no-color >"$tmp/init.log" 2>&1 || {
  cat "$tmp/init.log" >&2
  exit 1
}

echo "test-terraform: terraform validate"
terraform -chdir="$tmp/module" validate -no-color

if ((lint_only)); then exit 0; fi

echo "test-terraform: terraform test"
terraform -chdir="$tmp/module" test -no-color "$@"
