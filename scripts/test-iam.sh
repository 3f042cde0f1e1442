#!/usr/bin/env bash
# Offline checks of the IAM set-up (terraform/iam): terraform fmt, init from the local provider
# mirror, validate and `terraform test` (mocked and real-provider plans); then the policies it
# makes, rendered by the real terraform for several stacks (the default, and 32-character names in
# the longest partition and region; two with a GitHub repository and a remote state), and the
# names the stack itself gives its resources in each (terraform/ applied with a mocked provider),
# evaluated by tests/iam with an IAM policy simulator: IAM's size limits, every call the stack, the
# scripts and the remote state make allowed, on the stack's own names, escalation and calls outside
# the stack denied (the CI role included), a stack role held to the boundary, and the CI role's
# trust: GitHub's token for the deploy job allowed, every other one denied.
#
# Skips (exit 0) when terraform, node or the provider mirror is missing, or tests/iam has not been
# installed (make npm-ci), except under CI=true where that is a failure.
# Env: TF_PLUGIN_MIRROR (default /opt/tf-plugins).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/terraform-offline.sh"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"

skip() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-iam: FAIL: $1 (required when CI=true)" >&2
    exit 1
  fi
  echo "test-iam: SKIP: $1"
  exit 0
}

command -v terraform >/dev/null 2>&1 || skip "terraform is not installed (need >= 1.9)"
command -v node >/dev/null 2>&1 || skip "node is not installed"
[[ -d "$root/tests/iam/node_modules/@cloud-copilot/iam-simulate" ]] || skip "tests/iam has no node_modules: run make npm-ci"
compgen -G "$mirror/registry.terraform.io/hashicorp/aws/*/*" >/dev/null ||
  skip "no hashicorp/aws provider in the mirror $mirror (set TF_PLUGIN_MIRROR)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tf_cli_config "$mirror" >"$tmp/cli.tfrc"
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" TF_DATA_DIR="$tmp/data" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE
# Any AWS call that slipped past the overrides fails at once instead of waiting for a timeout.
export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 NO_PROXY= no_proxy=

echo "test-iam: terraform fmt -check (terraform/iam)"
terraform -chdir="$root/terraform/iam" fmt -check -recursive -diff

# A copy, so that init's lock file and any state of an administrator stay out of the picture.
mkdir "$tmp/iam"
tar -C "$root/terraform/iam" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude='*.tfvars' -cf - . | tar -C "$tmp/iam" -xf -
echo "test-iam: terraform init -backend=false (mirror: $mirror)"
terraform -chdir="$tmp/iam" init -backend=false -input=false -no-color >"$tmp/init.log" 2>&1 || {
  cat "$tmp/init.log" >&2
  exit 1
}
echo "test-iam: terraform validate"
terraform -chdir="$tmp/iam" validate -no-color
echo "test-iam: terraform test"
terraform -chdir="$tmp/iam" test -no-color

# render FILE VARS...: the policies for one stack, as terraform/iam/policies makes them, with the
# stack's parameters beside them for the evaluation.
mkdir "$tmp/renders"
render() {
  local file=$1 out
  shift
  out=$(echo 'jsonencode({ deployer = local.deployer_json, boundary = local.boundary_json, task = local.task_json, trust = local.trust_json, vars = { N = var.name, P = var.partition, R = var.region, A = var.account_id, zone = try(var.route53_zone_ids[0], "Z0123456789ABCDEFGHIJ"), repo = var.github_repository, env = var.github_environment, ref = var.github_ref, provider = local.github_provider_arn, bucket = var.state_bucket, key = local.state_key } })' |
    terraform -chdir="$tmp/iam/policies" console -no-color "$@") || {
    echo "test-iam: FAIL: terraform console on terraform/iam/policies with $*: $out" >&2
    exit 1
  }
  # The console prints an HCL string: JSON's escapes, and none of HCL's own in these documents.
  node -e '
    const v = JSON.parse(JSON.parse(process.argv[1]))
    process.stdout.write(JSON.stringify({ stack: v.vars, deployer: v.deployer, boundary: v.boundary, task: v.task, trust: v.trust }))
  ' "$out" >"$tmp/renders/$file"
}
long=abcdefghij-abcdefghij-abcdefghij # 32 characters, the longest name the stack takes
render default.json -var name=actors -var account_id=123456789012 -var region=us-east-1 \
  -var 'route53_zone_ids=["Z0123456789ABCDEFGHIJ"]' -var github_repository=octo-org/actors -var state_bucket=octo-terraform-state
render longest-name.json -var name=$long -var account_id=210987654321 -var region=ap-southeast-2 \
  -var 'route53_zone_ids=["Z0123456789ABCDEFGHIJ","Z9876543210ZYXWVUTSRQ"]' \
  -var 'task_role_statements=[{actions=["s3:GetObject"],resources=["arn:aws:s3:::abcdefghij-abcdefghij-abcdefghij-assets/*"]}]' \
  -var github_repository=Octo-Org/actors.api -var github_environment=prod-eu -var github_ref=refs/tags/v1.2.0 \
  -var github_oidc_provider_arn=arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com \
  -var state_bucket=octo.terraform.state -var state_key=stacks/$long/terraform.tfstate
render longest-partition.json -var name=$long -var partition=aws-us-gov -var account_id=123456789012 \
  -var region=us-gov-west-1 -var 'route53_zone_ids=["Z0123456789ABCDEFGHIJ"]'

# The stack's own names, for each render: the stack (terraform/) applied with a mocked provider in
# the render's name, partition, region and account (tests/iam/stack.mjs writes the runs), its
# state read from terraform test's JSON, so that the policies are held to the names the stack
# really gives its log groups, repository, cluster, secret, table, alarms and the rest.
echo "test-iam: the stack's names (terraform test on terraform/, mocked, one file a render)"
mkdir -p "$tmp/stack/module" "$tmp/stack/api"
tar -C "$root/terraform" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude=./terraform.tfvars --exclude='*.auto.tfvars' --exclude=./backend.tf --exclude=./iam \
  --exclude='./tests/*.tftest.hcl' -cf - . | tar -C "$tmp/stack/module" -xf -
cp "$root/api/openapi.yaml" "$tmp/stack/api/openapi.yaml" # the alarms are read from the spec
for f in "$tmp"/renders/*.json; do
  node "$root/tests/iam/stack.mjs" hcl "$f" >"$tmp/stack/module/tests/iam-$(basename "$f" .json).tftest.hcl"
done
TF_DATA_DIR="$tmp/stack/data" terraform -chdir="$tmp/stack/module" init -backend=false -input=false -no-color >"$tmp/stack/init.log" 2>&1 || {
  cat "$tmp/stack/init.log" >&2
  exit 1
}
if ! TF_DATA_DIR="$tmp/stack/data" terraform -chdir="$tmp/stack/module" test -json -verbose -no-color >"$tmp/stack/test.json" 2>"$tmp/stack/test.err"; then
  cat "$tmp/stack/test.err" >&2
  node "$root/tests/iam/stack.mjs" collect "$tmp/renders" <"$tmp/stack/test.json" >&2 || true
  echo "test-iam: FAIL: terraform test on the stack, for its names" >&2
  exit 1
fi
node "$root/tests/iam/stack.mjs" collect "$tmp/renders" <"$tmp/stack/test.json"

echo "test-iam: evaluating the rendered policies (tests/iam, @cloud-copilot/iam-simulate)"
IAM_RENDERS="$tmp/renders" node --test --test-reporter=spec "$root/tests/iam/"
