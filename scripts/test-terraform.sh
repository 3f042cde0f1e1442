#!/usr/bin/env bash
# Offline checks of the Terraform root module in terraform/: fmt, init (from the local provider
# mirror, never the registry), validate, the provider version constraint, the creation order on
# `terraform graph` (terraform/tests/dependencies.txt), and `terraform test`: with a mocked AWS
# provider, and plans with the real one (terraform/tests/*_real.tftest.hcl, which say how).
#
# Usage: scripts/test-terraform.sh [--lint] [terraform test flags...]
#   --lint  stop after fmt and validate (for make lint)
# Skips (exit 0) when terraform or the provider mirror is missing, except under CI=true where that
# is a failure. Env: TF_PLUGIN_MIRROR (default /opt/tf-plugins).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/terraform-offline.sh"
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

command -v terraform >/dev/null 2>&1 || skip "terraform is not installed (need >= 1.9)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Our own CLI config: providers from the mirror only, the registry never contacted.
tf_cli_config "$mirror" >"$tmp/cli.tfrc"
sed "s|$mirror|$tmp/fake-mirror|" "$tmp/cli.tfrc" >"$tmp/fake.tfrc"
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" TF_DATA_DIR="$tmp/data"
# CHECKPOINT_DISABLE: no version-check call to HashiCorp (offline, and it would only slow us down).
version=$(terraform version | sed -n '1s/^Terraform v\([0-9]*\.[0-9]*\).*/\1/p')
if [[ -z "$version" ]] || (( ${version%%.*} == 1 && ${version#*.} < 9 )); then
  skip "terraform ${version:-(unknown version)} is older than 1.9 (the module's required_version)"
fi
compgen -G "$mirror/registry.terraform.io/hashicorp/aws/*/*" >/dev/null ||
  skip "no hashicorp/aws provider in the mirror $mirror (set TF_PLUGIN_MIRROR)"

export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE

# Nothing here may reach the network. The real-provider plans (tests/*_real.tftest.hcl) must not
# call AWS: any request they still make goes to a closed local port and fails at once, instead of
# waiting on a real endpoint or on credentials; so does anything else that tries.
closed=127.0.0.1:9 # the discard port: nothing listens there
if (exec 3<>"/dev/tcp/${closed%:*}/${closed#*:}") 2>/dev/null; then
  echo "test-terraform: FAIL: something listens on $closed, which must be closed (it stands in for the network)" >&2
  exit 1
fi
export HTTP_PROXY=http://$closed HTTPS_PROXY=http://$closed http_proxy=http://$closed https_proxy=http://$closed \
  NO_PROXY="" no_proxy="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

echo "test-terraform: terraform fmt -check -recursive"
terraform -chdir="$module" fmt -check -recursive -diff

# Work on a copy so that init's lock file and any local state or tfvars of the developer stay out
# of the picture (and out of the work tree). The spec goes beside it, where the module reads it
# (../api/openapi.yaml): its operations name the alarms.
mkdir "$tmp/module" "$tmp/api"
tar -C "$module" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude=./terraform.tfvars --exclude='*.auto.tfvars' --exclude=./backend.tf -cf - . | tar -C "$tmp/module" -xf -
spec="$root/api/openapi.yaml"
cp "$spec" "$tmp/api/openapi.yaml"

# Copies of the spec, changed, for tests/alarms.tftest.hcl: one more operation (its alarms must
# appear with no Terraform change), an operation without an operationId, and an operationId given
# twice (both refused with a clear error).
generated="$tmp/module/tests/generated"
mkdir "$generated"
sed '/^paths:$/a\
  /actors/{id}/roles:\
    get:\
      operationId: listActorRoles\
      summary: The roles an actor played\
      responses:\
        "200":\
          description: The roles' "$spec" >"$generated/openapi-one-more-operation.yaml"
sed '/^ *operationId: getActor$/d' "$spec" >"$generated/openapi-without-an-operation-id.yaml"
sed 's/^\( *operationId:\) patchActor$/\1 replaceActor/' "$spec" >"$generated/openapi-duplicate-operation-id.yaml"
for f in one-more-operation without-an-operation-id duplicate-operation-id; do
  if cmp -s "$spec" "$generated/openapi-$f.yaml"; then
    echo "test-terraform: FAIL: could not make the $f copy of api/openapi.yaml (paths:, getActor and patchActor must be where this script expects them)" >&2
    exit 1
  fi
done

echo "test-terraform: terraform init -backend=false (mirror: $mirror)"
terraform -chdir="$tmp/module" init -backend=false -input=false -no-color >"$tmp/init.log" 2>&1 || {
  cat "$tmp/init.log" >&2
  exit 1
}

echo "test-terraform: terraform validate"
terraform -chdir="$tmp/module" validate -no-color

if ((lint_only)); then exit 0; fi

# What a refusal says, which terraform test cannot see (expect_failures only counts refusals):
# terraform console evaluates the variables' validations offline, with no provider configured,
# and prints their messages (it exits 0 all the same). expect_refusal PHRASE -var...: the values
# are refused, and the message says PHRASE.
echo "test-terraform: what the refusals of allowed_cidrs say (terraform console)"
expect_refusal() {
  local want=$1 out
  shift
  out=$(echo 'var.name' | terraform -chdir="$tmp/module" console -no-color "$@" 2>&1 | tr -s ' \n' '  ')
  if [[ "$out" != *"Error: Invalid value for variable"* || "$out" != *"$want"* ]]; then
    echo "test-terraform: FAIL: with $*, want a refusal saying \"$want\"; terraform console says: $out" >&2
    exit 1
  fi
}
expect_refusal "203.0.113.7/24 has host bits set, its network is 203.0.113.0/24 (or give 203.0.113.7/32 for the one address)" \
  -var front_door=public_ip -var 'allowed_cidrs=["198.51.100.7/32", "203.0.113.7/24"]'
expect_refusal "allowed_cidrs must not list an address twice: 203.0.113.0/24 is given twice." \
  -var front_door=public_ip -var 'allowed_cidrs=["203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"]'
expect_refusal "allowed_cidrs must not list an address twice: 198.51.100.7/32 is inside 198.51.100.0/24." \
  -var front_door=public_ip -var 'allowed_cidrs=["198.51.100.7/32", "198.51.100.0/24"]'

# The constraint must select the provider major version these tests run, and nothing newer: a
# mirror that also offers a later minor and the next major (empty stand-ins: init only copies
# them) must give the later minor of the tested major.
tested=$(compgen -G "$mirror/registry.terraform.io/hashicorp/aws/*" | sort -V | tail -n1)
tested=${tested##*/}
major=${tested%%.*}
platform=$(terraform version -json | sed -n 's/.*"platform": *"\([^"]*\)".*/\1/p')
echo "test-terraform: provider constraint selects aws $major.x (the mirror's $tested), not $((major + 1)).x"
fake="$tmp/fake-mirror/registry.terraform.io/hashicorp/aws"
for v in "$tested" "$major.999.0" "$((major + 1)).0.0"; do
  mkdir -p "$fake/$v/$platform"
  : >"$fake/$v/$platform/terraform-provider-aws_v${v}_x5"
done
mkdir "$tmp/constraint"
cp "$module/versions.tf" "$tmp/constraint/"
TF_CLI_CONFIG_FILE="$tmp/fake.tfrc" TF_DATA_DIR="$tmp/constraint/.terraform" \
  terraform -chdir="$tmp/constraint" init -backend=false -input=false -no-color >"$tmp/constraint.log" 2>&1 || {
  cat "$tmp/constraint.log" >&2
  exit 1
}
selected=$(sed -n 's/^ *version *= *"\([^"]*\)".*/\1/p' "$tmp/constraint/.terraform.lock.hcl")
if [[ "$selected" != "$major.999.0" ]]; then
  echo "test-terraform: FAIL: hashicorp/aws constraint in versions.tf selects $selected from $tested, $major.999.0 and $((major + 1)).0.0; want $major.999.0 (pin to the tested major, ~> $tested)" >&2
  exit 1
fi

# Creation order: each line of tests/dependencies.txt names a resource and one it must wait for.
echo "test-terraform: creation order on terraform graph (tests/dependencies.txt)"
terraform -chdir="$tmp/module" graph >"$tmp/graph.dot"
declare -A edges=()
while read -r from _ to _; do
  from=${from//\"/} to=${to%;}
  to=${to//\"/}
  edges[$from]+=" $to"
done < <(grep -- '->' "$tmp/graph.dot")
# reaches A B: B is reachable from A along the graph's edges (which terraform graph reduces).
reaches() {
  local -A seen=()
  local queue=("$1") node next
  while ((${#queue[@]})); do
    node=${queue[0]}
    queue=("${queue[@]:1}")
    for next in ${edges[$node]:-}; do
      [[ "$next" == "$2" ]] && return 0
      [[ -n "${seen[$next]:-}" ]] && continue
      seen[$next]=1
      queue+=("$next")
    done
  done
  return 1
}
order_failed=0
while read -r from to why; do
  [[ -z "$from" || "$from" == \#* ]] && continue
  if ! reaches "$from" "$to"; then
    echo "test-terraform: FAIL: $from does not wait for $to: $why" >&2
    order_failed=1
  fi
done <"$module/tests/dependencies.txt"
((order_failed == 0)) || exit 1

# What terraform test cannot see, read from the configuration itself: replacements that must
# create the new object first, a target group (a port change replaces it; a fixed name would
# collide with itself) and a certificate (the listener holds the old one until the new one is
# issued); and the refusal of a private hosted zone (a test's override cannot set private_zone,
# which is an argument as well as a result).
# block_has KIND ADDRESS REGEX: the block `KIND "type" "name" {` of the module has a line matching REGEX.
block_has() {
  local type=${2%%.*} name=${2#*.}
  awk -v start="$1 \"$type\" \"$name\" {" -v want="$3" '
    $0 == start { inside = 1 }
    inside && $0 ~ want { found = 1 }
    inside && /^}/ { exit }
    END { exit !found }' "$module"/*.tf
}
for address in aws_lb_target_group.this aws_acm_certificate.this; do
  if ! block_has resource "$address" 'create_before_destroy *= *true'; then
    echo "test-terraform: FAIL: $address must have lifecycle { create_before_destroy = true }" >&2
    exit 1
  fi
done
if ! block_has data aws_route53_zone.this 'condition *= *self[.]private_zone != true$'; then
  echo "test-terraform: FAIL: data.aws_route53_zone.this must refuse a private zone (postcondition self.private_zone != true)" >&2
  exit 1
fi

echo "test-terraform: terraform test"
terraform -chdir="$tmp/module" test -no-color "$@"
