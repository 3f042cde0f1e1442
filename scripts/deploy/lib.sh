# shellcheck shell=bash disable=SC2034 # the verbs read the variables these functions set
# Shared by the deploy verbs (sourced, not run): paths, logging, the preflight, the terraform
# wrapper, stack outputs and settings, image tags, the service's revisions and rollouts, the front
# door's address, the DNS delegation check and container-tool detection. Each verb is a thin
# script so `make <verb>` stays readable. Written for bash 3.2 too (macOS): no empty "${array[@]}" under
# set -u, no mapfile, no associative arrays.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TF_DIR="${TF_DIR:-$ROOT/terraform}"

# Progress goes to stderr so that stdout carries only a verb's answer (an IP, a URL, a secret).
log() { printf '==> %s\n' "$*" >&2; }
# DIED keeps the message for an EXIT trap (make deploy's step summary).
DIED=""
die() {
  DIED="$*"
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

# tf_init: terraform init, with the backend settings of TF_BACKEND_CONFIG (a file, e.g. in CI),
# else of terraform/backend.hcl when it exists (see terraform/backend.hcl.example). A backend
# needs a backend block: when TF_BACKEND_CONFIG is set and no .tf file of the stack declares one,
# an S3 one is written to terraform/backend.tf (git-ignored), so that a fresh clone in CI needs
# nothing else.
tf_init() {
  local config=""
  if [[ -n "${TF_BACKEND_CONFIG:-}" ]]; then
    [[ -f "$TF_BACKEND_CONFIG" && -r "$TF_BACKEND_CONFIG" ]] ||
      die "TF_BACKEND_CONFIG=$TF_BACKEND_CONFIG is not a readable file (the backend settings, e.g. bucket, key, region: see terraform/backend.hcl.example)"
    # terraform -chdir reads paths from terraform/: make it absolute.
    config="$(cd "$(dirname "$TF_BACKEND_CONFIG")" && pwd)/$(basename "$TF_BACKEND_CONFIG")"
    if ! grep -qsE '^[[:space:]]*backend[[:space:]]+"' "$TF_DIR"/*.tf; then
      log "TF_BACKEND_CONFIG is set and no backend block is declared: writing ${TF_DIR#"$ROOT"/}/backend.tf (S3)"
      printf 'terraform {\n  backend "s3" {}\n}\n' >"$TF_DIR/backend.tf" || die "cannot write $TF_DIR/backend.tf"
    fi
  elif [[ -f "$TF_DIR/backend.hcl" ]]; then
    config=backend.hcl
  fi
  log "terraform init${config:+ (backend settings: $config)}"
  tf init -input=false ${config:+"-backend-config=$config"} >&2 || die "terraform init failed"
}

# The stack's outputs are read at once (load_outputs: one terraform output -json) into shell
# variables; tf_output and tf_output_if_any read those. Verbs call load_outputs first, and again
# after an apply. Never terraform output -raw: when the state has no outputs at all (nothing
# deployed yet, or deleted), it exits 0 and prints a warning box on stdout, which would be taken
# for the value.

# load_outputs: every output of the stack into OUT_<name>: a string, number or boolean as text, a
# list of strings as one string a line; OUTPUTS names them all (" name name "), VALUES those it
# could store. Outputs whose value is null are not in the state. Reads terraform output -json as
# Terraform prints it (indented by two spaces a level, one value a line).
load_outputs() {
  local json err line key="" value list=0 re_key='^  "([A-Za-z0-9_]+)": \{$' re_value='^    "value": (.*)$' re_item='^      ("([^"\\]|\\.)*"),?$'
  if ! json=$(tf output -json 2>/dev/null); then
    err=$(tf output -json 2>&1 >/dev/null || true)
    die "cannot read the Terraform state of ${TF_DIR#"$ROOT"/}: $err"
  fi
  OUTPUTS=" " VALUES=" "
  while IFS= read -r line; do
    if ((list)); then
      if [[ "$line" == "    ]" ]]; then
        printf -v "OUT_$key" '%s' "$value"
        VALUES+="$key "
        list=0 key=""
      elif [[ "$line" =~ $re_item ]]; then
        [[ -z "$value" ]] || value+=$'\n'
        value+=$(json_scalar "${BASH_REMATCH[1]}")
      fi
    elif [[ "$line" =~ $re_key ]]; then
      key=${BASH_REMATCH[1]}
      OUTPUTS+="$key "
    elif [[ -n "$key" && "$line" =~ $re_value ]]; then
      value=${BASH_REMATCH[1]}
      case "$value" in
        "[]") printf -v "OUT_$key" '%s' "" && VALUES+="$key " ;;
        "[") value="" list=1; continue ;;
        *) if value=$(json_scalar "$value"); then printf -v "OUT_$key" '%s' "$value" && VALUES+="$key "; fi ;;
      esac
      key=""
    fi
  done <<<"$json"
  OUTPUTS_LOADED=1
}

# tf_output NAME: an output of the deployed stack, or a plain error when there is none: nothing
# deployed, or a stack without that output.
tf_output() {
  [[ -n "${OUTPUTS_LOADED:-}" ]] || die "internal: tf_output $1 before load_outputs"
  if [[ "$OUTPUTS" == *" $1 "* ]]; then
    local var="OUT_$1"
    [[ "$VALUES" == *" $1 "* ]] || die "the Terraform output '$1' is not a single value or a list of strings"
    printf '%s' "${!var}"
    return
  fi
  [[ "$OUTPUTS" != " " ]] || die "nothing is deployed here: run make deploy (the Terraform state of ${TF_DIR#"$ROOT"/} is empty)"
  die "the Terraform state of ${TF_DIR#"$ROOT"/} has no output '$1': the stack is only partly deployed (did a make deploy stop early?), or was deployed by an older version of terraform/. Run make deploy."
}

# tf_output_if_any NAME: the output's value, or nothing when the state has none (or no state).
tf_output_if_any() {
  if [[ "${OUTPUTS:-}" == *" $1 "* ]]; then tf_output "$1"; fi
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

# read_settings: the stack's settings that decide what the verbs do before anything is applied,
# from the variables as Terraform sees them (terraform.tfvars, TF_VAR_*; one terraform console):
# ARCH (amd64 or arm64: image tags and platforms), FRONT_DOOR, DOMAIN, ZONE_ID, ZONE_NAME (the
# Route 53 zone, if any) and CERTIFICATE (certificate_arn), empty when unset.
read_settings() {
  local line arch
  # shellcheck disable=SC2016 # a Terraform template, not the shell's
  line=$(tf console -var "region=$REGION" <<<'"${var.cpu_architecture} ${var.front_door} ${coalesce(var.domain_name, "-")} ${coalesce(var.route53_zone_id, "-")} ${coalesce(var.route53_zone_name, "-")} ${coalesce(var.certificate_arn, "-")}"') ||
    die "cannot read the stack's variables (terraform console failed: see above)"
  line=${line//\"/}
  read -r arch FRONT_DOOR DOMAIN ZONE_ID ZONE_NAME CERTIFICATE <<<"$line"
  case "$arch" in
    X86_64) ARCH=amd64 ;;
    ARM64) ARCH=arm64 ;;
    *) die "unexpected cpu_architecture '$arch'" ;;
  esac
  [[ "$DOMAIN" != - ]] || DOMAIN=""
  [[ "$ZONE_ID" != - ]] || ZONE_ID=""
  [[ "$ZONE_NAME" != - ]] || ZONE_NAME=""
  [[ "$CERTIFICATE" != - ]] || CERTIFICATE=""
  ZONE_NAME=${ZONE_NAME%.}
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

# ---- the service: its revisions and rollouts ----------------------------------------------------

# running_revision CLUSTER SERVICE REPOSITORY_URL: what the service runs now, from ECS (not from
# the state, which names what was last applied: after a rollback, ECS runs another revision):
# RUNNING_TD, its task definition ARN, and RUNNING_TAG, the tag of its image from the repository
# (both empty when there is no such service).
running_revision() {
  RUNNING_TD="" RUNNING_TAG=""
  RUNNING_TD=$(aws ecs describe-services --region "$REGION" --cluster "$1" --services "$2" \
    --query 'services[0].taskDefinition' --output text) || die "cannot read what service $2 runs now"
  [[ "$RUNNING_TD" != None ]] || RUNNING_TD=""
  [[ -n "$RUNNING_TD" ]] || return 0
  RUNNING_TAG=$(image_tag_of "$RUNNING_TD" "$3") || exit 1
}

# image_tag_of TASK_DEFINITION REPOSITORY_URL: the tag of the image the task definition runs from
# the repository (empty if none).
image_tag_of() {
  local image
  image=$(aws ecs describe-task-definition --region "$REGION" --task-definition "$1" \
    --query "taskDefinition.containerDefinitions[?starts_with(image, '$2:')].image | [0]" --output text) ||
    die "cannot read the task definition $1"
  if [[ "$image" == "$2:"* ]]; then printf '%s' "${image#"$2:"}"; fi
}

# revision ARN: a task definition's family:revision, as ECS's console names it.
revision() { printf '%s' "${1##*/}"; }

# watch_rollout CLUSTER SERVICE KEY UNTIL: follows one deployment of the service, found by its id
# (ecs-svc/...) or by its task definition ARN (the deployment of it an apply started), polling
# DescribeServices every ROLLOUT_POLL_SECONDS (15) for up to ROLLOUT_TIMEOUT seconds (1800: a
# circuit-breaker rollback alone takes 8 to 11 minutes, beyond the 10 of `aws ecs wait
# services-stable`). UNTIL is serving (return once its tasks alone run, before ECS's bake time
# ends) or end (wait for the end of its rollout). Sets:
#   ROLLOUT      serving, completed, failed (its rollout FAILED and ECS could not roll it back),
#                rolled_back (ECS replaced it: the circuit breaker or an alarm; ROLLBACK_STATE is
#                how the rollback's own rollout ended), or timeout
#   DEPLOYMENT   its id; REASON its rolloutStateReason once it failed (ECS's reason)
#   PRIMARY_TD   the task definition of the service's primary deployment at the end: what serves
watch_rollout() {
  local deadline=$((SECONDS + ${ROLLOUT_TIMEOUT:-1800})) lines said="" progress="" rolling="" seen=0 unseen=0
  local status state td desired running pending failed id reason
  local p_id p_state p_td o_id o_state o_desired o_running o_pending o_failed others
  ROLLOUT="" DEPLOYMENT="" REASON="" PRIMARY_TD="" ROLLBACK_STATE=""
  if [[ "$3" == ecs-svc/* ]]; then DEPLOYMENT=$3; fi
  while :; do
    lines=$(aws ecs describe-services --region "$REGION" --cluster "$1" --services "$2" \
      --query 'services[0].deployments[].[status, rolloutState, taskDefinition, desiredCount, runningCount, pendingCount, failedTasks, id, rolloutStateReason]' \
      --output text) || die "cannot read the deployments of service $2"
    p_id="" p_state="" p_td="" o_id="" o_state="" others=0
    # Found by its task definition: the primary deployment of it, else another (ECS made the
    # primary one of another: a rollback).
    if [[ -z "$DEPLOYMENT" ]]; then
      while IFS=$'\t' read -r status _ td _ _ _ _ id _; do
        if [[ "$td" == "$3" ]] && [[ -z "$DEPLOYMENT" || "$status" == PRIMARY ]]; then DEPLOYMENT=$id; fi
      done <<<"$lines"
    fi
    while IFS=$'\t' read -r status state td desired running pending failed id reason; do
      [[ -n "$status" ]] || continue
      # Counts are numbers; a missing one (failedTasks of an old deployment) reads None.
      [[ "$running" =~ ^[0-9]+$ ]] || running=0
      [[ "$pending" =~ ^[0-9]+$ ]] || pending=0
      [[ "$failed" =~ ^[0-9]+$ ]] || failed=0
      if [[ "$status" == PRIMARY ]]; then p_id=$id p_state=$state p_td=$td; fi
      if [[ -n "$DEPLOYMENT" && "$id" == "$DEPLOYMENT" ]]; then
        o_id=$id o_state=$state o_desired=$desired o_running=$running o_pending=$pending o_failed=$failed seen=1
        [[ "$state" != FAILED || "$reason" == None ]] || REASON=$reason
      else
        others=$((others + running + pending))
      fi
    done <<<"$lines"
    [[ -n "$p_id" ]] || die "service $2 has no deployment (is it deployed? make status)"
    PRIMARY_TD=$p_td

    if [[ -n "$o_id" && "$o_id" == "$p_id" ]]; then
      case "$o_state" in
        COMPLETED) ROLLOUT=completed; return ;;
        FAILED) ROLLOUT=failed; return ;;
      esac
      if [[ "$4" == serving && "$o_running" == "$o_desired" && "$o_pending" == 0 && "$others" == 0 ]]; then
        ROLLOUT=serving
        return
      fi
      if [[ "$progress" != "$o_running $o_pending $o_failed $others" ]]; then
        progress="$o_running $o_pending $o_failed $others"
        if [[ "$o_running" == "$o_desired" && "$o_pending" == 0 && "$others" == 0 ]]; then
          log "deployment $o_id: its tasks alone serve; ECS watches the rollback alarms for a while (its bake time) before it calls it done"
        else
          log "deployment $o_id: $o_running of $o_desired tasks running, $o_pending pending$([[ "$o_failed" == 0 ]] || printf ', %s failed to start (make logs, make status)' "$o_failed"); the previous revision still has $others"
        fi
      fi
    else
      # Not the primary deployment (or gone): ECS rolled it back, or another deployment replaced
      # it. A deployment never seen may just not show yet (ECS's reads are eventually
      # consistent, and a rollback takes minutes): three reads before it counts as gone.
      if ((!seen && unseen < 2)); then
        unseen=$((unseen + 1))
      elif [[ "$p_state" != IN_PROGRESS ]]; then
        ROLLOUT=rolled_back ROLLBACK_STATE=$p_state
        return
      elif [[ "$rolling" != "$p_id" ]]; then
        log "ECS is rolling deployment ${DEPLOYMENT:-of $(revision "$3")} back to $(revision "$p_td")${REASON:+: $REASON}"
        rolling=$p_id
      fi
    fi
    if ((SECONDS >= deadline)); then
      ROLLOUT=timeout
      return
    fi
    [[ -n "$said" ]] || { log "waiting for the rollout of service $2 (up to ${ROLLOUT_TIMEOUT:-1800} s, ROLLOUT_TIMEOUT)"; said=1; }
    sleep "${ROLLOUT_POLL_SECONDS:-15}"
  done
}

# deployment_events CLUSTER SERVICE DEPLOYMENT: ECS's last events about the deployment, newest
# first, one a line ("<time>  <message>"): where it says why it failed or rolled back.
deployment_events() {
  aws ecs describe-services --region "$REGION" --cluster "$1" --services "$2" \
    --query "services[0].events[?contains(message, '(deployment $3)')] | [:5].[createdAt, message]" --output text |
    sed 's/\t/  /' || true
}

# ---- the front door ------------------------------------------------------------------------------

# task_public_ip REGION CLUSTER SERVICE: the public IP of the service's running task (list tasks ->
# describe the task -> its ENI -> the ENI's public IP): where clients connect with
# front_door = "public_ip".
task_public_ip() {
  local task eni ip
  task=$(aws ecs list-tasks --region "$1" --cluster "$2" --service-name "$3" \
    --desired-status RUNNING --query 'taskArns[0]' --output text) || die "cannot list the tasks of service $3"
  [[ -n "$task" && "$task" != "None" ]] || die "service $3 has no running task (see make logs)"
  eni=$(aws ecs describe-tasks --region "$1" --cluster "$2" --tasks "$task" \
    --query "tasks[0].attachments[?type=='ElasticNetworkInterface'] | [0].details[?name=='networkInterfaceId'].value | [0]" \
    --output text) || die "cannot describe task $task"
  [[ -n "$eni" && "$eni" != "None" ]] || die "task $task has no network interface yet (still provisioning?)"
  ip=$(aws ec2 describe-network-interfaces --region "$1" --network-interface-ids "$eni" \
    --query 'NetworkInterfaces[0].Association.PublicIp' --output text) || die "cannot describe network interface $eni"
  [[ -n "$ip" && "$ip" != "None" ]] || die "network interface $eni has no public IP"
  printf '%s' "$ip"
}

# stack_front_door: sets DOOR to the deployed stack's front door (its front_door output; a stack
# deployed before it had none, and no URL without the ALB: the task's public IP).
# (Functions that may die, called in $(...), run in a subshell where die ends only that subshell:
# each such assignment here is followed by || exit.)
stack_front_door() {
  local url
  DOOR=$(tf_output_if_any front_door) || exit 1
  if [[ -z "$DOOR" ]]; then
    url=$(tf_output url) || exit 1
    if [[ -n "$url" ]]; then DOOR=alb; else DOOR=public_ip; fi
  fi
}

# service_url REGION: the service's base URL: the url output, or with front_door = "public_ip"
# http://<the running task's public IP>:<port>.
service_url() {
  local cluster service port ip
  stack_front_door
  if [[ "$DOOR" == public_ip ]]; then
    cluster=$(tf_output cluster_name) || exit 1
    service=$(tf_output service_name) || exit 1
    port=$(tf_output container_port) || exit 1
    ip=$(task_public_ip "$1" "$cluster" "$service") || exit 1
    printf 'http://%s:%s' "$ip" "$port"
  else
    tf_output url
  fi
}

# ---- DNS -------------------------------------------------------------------------------------------

# check_delegation stop|warn: with domain_name in a Route 53 hosted zone, compare the zone's name
# servers (route53 get-hosted-zone) with those the public DNS gives for the zone's name (dig, through
# the machine's resolver). When they disagree the zone is not the one the name is delegated to:
# ACM would never see the certificate's validation record (Terraform waits for it for up to 75
# minutes) and the name would not resolve. stop: die then; warn: say so. Skips, saying why, without
# dig, with DNS_CHECK=off, or when the resolver gives no clear answer.
check_delegation() {
  local mode=$1 zone="$ZONE_ID" zones name private servers answer rc=0 status ns public="" mismatch="" want
  [[ -n "$DOMAIN" && ( -n "$ZONE_ID" || -n "$ZONE_NAME" ) ]] || return 0
  if [[ "${DNS_CHECK:-on}" == off ]]; then
    log "DNS_CHECK=off: not checking that the hosted zone is the one $DOMAIN is delegated to"
    return 0
  fi
  if ! command -v dig >/dev/null 2>&1; then
    log "dig not found: not checking that the Route 53 zone is the one $DOMAIN is delegated to (install dig: the bind9-dnsutils or bind-utils package; macOS has it)"
    return 0
  fi
  if [[ -z "$zone" ]]; then
    zones=$(aws route53 list-hosted-zones-by-name --region "$REGION" --dns-name "$ZONE_NAME" \
      --query "HostedZones[?Name=='$ZONE_NAME.' && Config.PrivateZone==\`false\`].Id" --output text) ||
      die "cannot look up the Route 53 hosted zone $ZONE_NAME"
    set -f
    # shellcheck disable=SC2086 # one word an ID
    set -- $zones
    set +f
    (($# > 0)) || die "there is no public Route 53 hosted zone named $ZONE_NAME in account $ACCOUNT (route53_zone_name): create it, or give route53_zone_id"
    (($# == 1)) || die "there are $# public Route 53 hosted zones named $ZONE_NAME in account $ACCOUNT: say which with route53_zone_id (one of ${zones//$'\t'/, })"
    zone=${1##*/}
  fi
  answer=$(aws route53 get-hosted-zone --region "$REGION" --id "$zone" \
    --query "[HostedZone.Name, HostedZone.Config.PrivateZone, join(' ', DelegationSet.NameServers || \`[]\`)]" --output text) ||
    die "cannot read the Route 53 hosted zone $zone"
  IFS=$'\t' read -r name private servers <<<"$answer"
  name=${name%.}
  [[ "$private" != True ]] || die "the Route 53 hosted zone $zone ($name) is private: domain_name needs a public one"

  answer=$(dig +noall +comments +answer NS "$name" 2>&1) || rc=$?
  status=""
  [[ "$answer" =~ status:\ ([A-Z]+), ]] && status=${BASH_REMATCH[1]}
  if ((rc != 0)) || [[ -z "$status" || "$status" == REFUSED ]]; then
    log "could not ask DNS for the name servers of $name (dig: ${status:-exit status $rc}): not checking that the zone $zone is the one it is delegated to"
    return 0
  fi
  while IFS= read -r ns; do
    # <name> <ttl> IN NS <server>
    [[ "$ns" =~ [[:space:]]IN[[:space:]]+NS[[:space:]]+([^[:space:]]+)$ ]] || continue
    ns=$(printf '%s' "${BASH_REMATCH[1]%.}" | tr '[:upper:]' '[:lower:]')
    public+="${public:+ }$ns"
    want=" $(printf '%s' "$servers" | tr '[:upper:]' '[:lower:]') "
    [[ "$want" == *" $ns "* ]] || mismatch+="${mismatch:+ }$ns"
  done <<<"$answer"

  local fix="Set the name servers of $name at its registrar (or, for a subdomain, its NS records in the parent zone) to the zone's: $servers. Or point route53_zone_id at the zone $name is delegated to. DNS_CHECK=off skips this check."
  local why="ACM could not validate the certificate (Terraform would wait up to 75 minutes for it) and $DOMAIN would not resolve."
  local problem=""
  if [[ "$status" != NOERROR ]]; then
    problem="the public DNS answers $status for the name servers of $name: it is not delegated to the Route 53 zone $zone (a zone deleted and created again gets new name servers, and the old ones answer for nothing)"
  elif [[ -z "$public" ]]; then
    problem="the public DNS has no name servers for $name: it is not delegated to the Route 53 zone $zone"
  elif [[ -n "$mismatch" ]]; then
    problem="$name is delegated to $public, but the Route 53 zone $zone is served by $servers"
  fi
  if [[ -z "$problem" ]]; then
    log "DNS: $name is delegated to its Route 53 zone $zone ($public)"
    return 0
  fi
  [[ "$mode" == warn ]] || die "$problem. $why $fix"
  log "warning: $problem. $why $fix"
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
