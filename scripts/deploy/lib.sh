# shellcheck shell=bash
# Shared by the deploy verbs (sourced, not run): paths, logging, the preflight, the terraform
# wrapper, stack outputs, image tags and container-tool detection. Each verb is a thin script so
# `make <verb>` stays readable. Written for bash 3.2 too (macOS): no empty "${array[@]}" under
# set -u, no mapfile, no associative arrays.
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
  log "terraform init"
  # Optional remote state: see terraform/backend.hcl.example.
  if [[ -f "$TF_DIR/backend.hcl" ]]; then
    tf init -input=false -backend-config=backend.hcl >&2 || die "terraform init failed"
  else
    tf init -input=false >&2 || die "terraform init failed"
  fi
}

# Outputs are read with `output -json NAME`, never -raw: when the state has no outputs at all
# (nothing deployed yet, or deleted), Terraform's `output -raw NAME` exits 0 and prints a warning
# box on stdout, which would be taken for the value. `output -json NAME` fails instead.

# tf_output NAME: a string or number output of the deployed stack, or a plain error when there is
# none: nothing deployed, or a stack without that output.
tf_output() {
  local json all
  if json=$(tf output -json "$1" 2>/dev/null); then
    json_scalar "$json" || die "the Terraform output '$1' is not a single value: $json"
    return
  fi
  all=$(tf output -json 2>&1) || die "cannot read the Terraform state of ${TF_DIR#"$ROOT"/}: $all"
  [[ "$all" != "{}" ]] || die "nothing is deployed here: run make deploy (the Terraform state of ${TF_DIR#"$ROOT"/} is empty)"
  die "the Terraform state of ${TF_DIR#"$ROOT"/} has no output '$1': the stack is only partly deployed (did a make deploy stop early?), or was deployed by an older version of terraform/. Run make deploy."
}

# tf_output_if_any NAME: the output's value, or nothing when the state has none (or no state).
tf_output_if_any() {
  local json
  json=$(tf output -json "$1" 2>/dev/null) || return 0
  json_scalar "$json" || die "the Terraform output '$1' is not a single value: $json"
}

# The region Terraform's AWS provider would use: the region variable (TF_VAR_region, or
# terraform.tfvars), else the AWS CLI's own resolution (AWS_REGION, AWS_DEFAULT_REGION, the
# profile). The verbs pass it to Terraform as -var region=..., so both always agree.
resolve_region() {
  local r="${TF_VAR_region:-}"
  if [[ -z "$r" && -f "$TF_DIR/terraform.tfvars" ]]; then
    r=$(sed -n 's/^[[:space:]]*region[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$TF_DIR/terraform.tfvars" | tail -n 1)
  fi
  [[ -n "$r" ]] || r="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
  [[ -n "$r" ]] || r=$(aws configure get region 2>/dev/null || true)
  [[ -n "$r" ]] || die "no AWS region: set region = \"<region>\" in terraform/terraform.tfvars, or export AWS_REGION=<region>"
  printf '%s' "$r"
}

# preflight: before anything is created or changed: the tools, who we are (account and ARN) and
# where (region), printed; stops on missing or expired credentials before terraform init.
# Sets REGION and ACCOUNT.
preflight() {
  need terraform aws
  if (($# > 0)); then need "$@"; fi
  REGION=$(resolve_region)
  local out rc=0
  out=$(aws sts get-caller-identity --region "$REGION" --query '[Account, Arn]' --output text 2>&1) || rc=$?
  if ((rc != 0)); then
    case "$out" in
      *[Ee]xpired*)
        die "the AWS credentials have expired. Renew them (aws sso login --profile <profile>, or new session credentials) and try again. The AWS CLI said: $out" ;;
      *"Unable to locate credentials"* | *"could not be found"* | *"NoCredentialProviders"*)
        die "no AWS credentials. Configure some (aws configure, or aws sso login --profile <profile> and export AWS_PROFILE=<profile>), check with aws sts get-caller-identity, and try again." ;;
      *)
        die "aws sts get-caller-identity failed, so the AWS account is unknown: $out" ;;
    esac
  fi
  ACCOUNT=${out%%[[:space:]]*}
  local arn=${out##*[[:space:]]}
  log "AWS account $ACCOUNT ($arn), region $REGION"
}

# check_placement: after terraform init: the stack, if it exists, must be in $ACCOUNT and $REGION.
# Elsewhere Terraform would find none of its resources and build a second stack
# (terraform/placement.tf checks this too; this check also covers make delete, where Terraform's
# cannot run).
check_placement() {
  local recorded
  recorded=$(tf_output_if_any account_id)
  if [[ -n "$recorded" && "$recorded" != "$ACCOUNT" ]]; then
    die "this stack is in AWS account $recorded, but these credentials are for account $ACCOUNT. Use credentials (AWS_PROFILE) for account $recorded."
  fi
  recorded=$(tf_output_if_any region)
  if [[ -n "$recorded" && "$recorded" != "$REGION" ]]; then
    die "this stack is in $recorded, but the region here is $REGION. Use AWS_REGION=$recorded (or region = \"$recorded\" in terraform/terraform.tfvars); to move the stack, run make delete in $recorded first."
  fi
}

# image_arch: the architecture suffix of image tags (amd64 or arm64), from var.cpu_architecture.
image_arch() {
  local arch
  arch=$(tf console -var "region=$REGION" <<<'var.cpu_architecture' | tr -d '"[:space:]') || die "cannot read var.cpu_architecture"
  case "$arch" in
    X86_64) printf amd64 ;;
    ARM64) printf arm64 ;;
    *) die "unexpected cpu_architecture '$arch'" ;;
  esac
}

# new_image_tag ARCH: the tag for an image of the current commit: <commit>-<arch>, one image per
# commit and architecture, forever (the repository's tags are immutable). A dirty work tree gets
# <commit>-dirty-<UTC time>-<arch> with ALLOW_DIRTY=1 (or for a plan) and is refused otherwise.
new_image_tag() {
  local sha changes
  sha=$(git -C "$ROOT" rev-parse --short=12 HEAD) || die "cannot read the current commit: deploy from a git checkout with at least one commit"
  changes=$(git -C "$ROOT" status --porcelain) || die "git status failed"
  if [[ -z "$changes" ]]; then
    printf '%s-%s' "$sha" "$1"
  elif [[ "${ALLOW_DIRTY:-0}" == "1" ]]; then
    printf '%s-dirty-%s-%s' "$sha" "$(date -u +%Y%m%d%H%M%S)" "$1"
  else
    die "the work tree has uncommitted changes, so an image tagged $sha-$1 would not be commit $sha. Commit them, or run with ALLOW_DIRTY=1 to deploy a uniquely tagged dirty build."
  fi
}

# image_in_ecr REPOSITORY TAG: true when the tag is in the repository, false when ECR says it is
# not; any other failure (no access, throttling, no repository) stops the verb.
image_in_ecr() {
  local err
  if err=$(aws ecr describe-images --region "$REGION" --repository-name "$1" --image-ids "imageTag=$2" 2>&1 >/dev/null); then
    return 0
  fi
  [[ "$err" == *ImageNotFoundException* ]] && return 1
  die "cannot tell whether $1:$2 is in ECR: $err"
}

# json_string NAME JSON: the string value of NAME in a flat JSON object, unescaped (the secret's
# {"username": ..., "password": ...}).
json_string() {
  local re="\"$1\"[[:space:]]*:[[:space:]]*\"(([^\"\\\\]|\\\\.)*)\""
  [[ "$2" =~ $re ]] || return 1
  json_unescape "${BASH_REMATCH[1]}"
}

# json_scalar JSON: a JSON string (unescaped), number or boolean as text; fails on anything else.
json_scalar() {
  case "$1" in
    \"*\") json_unescape "${1:1:${#1}-2}" ;;
    true | false | -[0-9]* | [0-9]*) printf '%s' "$1" ;;
    *) return 1 ;;
  esac
}

# json_unescape TEXT: the characters of a JSON string's TEXT (between its quotes). Go's JSON (the
# secret, written by Terraform's jsonencode, and Terraform's outputs) writes \uXXXX only for
# control characters, <, > and & (and U+2028/U+2029, which no output or secret here holds), so
# each is below 0x80.
json_unescape() {
  local s=$1 out="" c
  while [[ -n "$s" ]]; do
    c=${s:0:1}
    if [[ "$c" != "\\" ]]; then
      out+=$c
      s=${s:1}
      continue
    fi
    case "${s:1:1}" in
      u) out+=$(printf "\\x${s:4:2}"); s=${s:6} ;;
      b) out+=$'\b'; s=${s:2} ;;
      f) out+=$'\f'; s=${s:2} ;;
      n) out+=$'\n'; s=${s:2} ;;
      r) out+=$'\r'; s=${s:2} ;;
      t) out+=$'\t'; s=${s:2} ;;
      *) out+=${s:1:1}; s=${s:2} ;;
    esac
  done
  printf '%s' "$out"
}

# wait_stable CLUSTER SERVICE: until the service's tasks are replaced (up to 10 minutes), or die.
# Stable is not success: the circuit breaker rolls a failed deployment back, and a rolled-back
# service is stable too, so callers then wait_rollout and compare with what they rolled out.
wait_stable() {
  log "waiting for service $2 to be stable (up to 10 minutes)"
  aws ecs wait services-stable --region "$REGION" --cluster "$1" --services "$2" ||
    die "service $2 did not become stable; see make logs, make status and the ECS console. ${3:-}"
}

# wait_rollout CLUSTER SERVICE: until the rollout of the service's deployment (its PRIMARY one) is
# over, then prints "<rolloutState> <id> <taskDefinition>". With deployment alarms
# (terraform/alarms.tf) ECS keeps a deployment IN_PROGRESS for a bake time after the service is
# stable, watching the alarms, and may still roll it back then: the rolled-back deployment is then
# the previous task definition's, which the caller compares with what it rolled out. Polls every
# ROLLOUT_POLL_SECONDS (15) for up to ROLLOUT_TIMEOUT seconds (1800).
wait_rollout() {
  local deadline=$((SECONDS + ${ROLLOUT_TIMEOUT:-1800})) primary state id definition said=""
  while :; do
    primary=$(aws ecs describe-services --region "$REGION" --cluster "$1" --services "$2" \
      --query "services[0].deployments[?status=='PRIMARY'] | [0].[rolloutState, id, taskDefinition]" --output text) ||
      die "cannot read the deployments of service $2"
    read -r state id definition <<<"$primary"
    if [[ "$state" != IN_PROGRESS ]]; then
      printf '%s %s %s\n' "$state" "$id" "$definition"
      return
    fi
    if ((SECONDS >= deadline)); then
      die "deployment $id of service $2 is still in progress after ${ROLLOUT_TIMEOUT:-1800} s; follow it with make status"
    fi
    if [[ "$said" != "$id" ]]; then
      log "deployment $id is in progress: ECS watches its alarms for a while after the service is stable (make status shows them)"
      said=$id
    fi
    sleep "${ROLLOUT_POLL_SECONDS:-15}"
  done
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
