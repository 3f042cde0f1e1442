#!/usr/bin/env bash
# make deploy: build and push the image of the current commit under an immutable tag
# (<commit>-<arch>), apply the stack with it, follow the rollout, smoke-test the new revision
# through the front door, print the URL. Exit status 0 means exactly that: deployed and
# smoke-tested. Otherwise 1, saying what failed and what serves now:
# - a new revision that fails its smoke test is rolled back to the revision that ran before (the
#   stack keeps it ACTIVE), and make deploy waits for that rollback;
# - a deployment ECS rolls back (its circuit breaker, or a rollback alarm during the rollout or the
#   bake time after it) is reported as a rollback, with ECS's reason.
# Terraform's state then still names the new revision: the next make deploy replaces it
# (docs/deploy.md, "When a deploy rolls back").
#
# Env: AWS_REGION / AWS_PROFILE as for the AWS CLI; CONTAINER_TOOL (docker|podman, auto-detected);
# ALLOW_DIRTY=1 to deploy uncommitted changes under a unique tag; IMAGE_TAG=<tag> to deploy an
# image already in ECR instead of building one; AUTO_APPROVE=0 to review the plan; ROLLBACK=off
# for a hotfix: neither the alarms (-var rollback_on_alarms=false) nor a failed smoke test roll it
# back; ROLLOUT_TIMEOUT (seconds, 1800); SMOKE_RETRY_SECONDS (30: a failed smoke test runs once
# more after it); DNS_CHECK=off; TF_BACKEND_CONFIG=<file> (lib.sh). Under
# GitHub Actions, a summary of the deploy goes to $GITHUB_STEP_SUMMARY, and its url, image_tag and
# result (deployed, rolled_back or failed) to $GITHUB_OUTPUT.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rollback=${ROLLBACK:-on}
case "$rollback" in
  on | off) ;;
  *) die "ROLLBACK must be on or off, not '$rollback'" ;;
esac

# ---- what CI reads: a Markdown summary and the step's outputs, written however the deploy ends --
result=failed applied=0 stack="" tag="" new_td="" url="" smoke="not run" rolled="" serving="" dns_note=""

# md_cell TEXT: TEXT as one cell of a Markdown table.
md_cell() {
  local s=${1//|/\\|}
  printf '%s' "${s//$'\n'/<br>}"
}
row() { if [[ -n "$2" ]]; then printf '| %s | %s |\n' "$1" "$(md_cell "$2")"; fi; }

write_summary() {
  local title=failed
  case "$result" in
    deployed) title=deployed ;;
    rolled_back) title="rolled back" ;;
    *) ((applied)) || title="failed, nothing applied" ;;
  esac
  printf '### make deploy: %s\n\n| | |\n| --- | --- |\n' "$title"
  row Stack "${stack:+$stack, }AWS account ${ACCOUNT:-unknown}, ${REGION:-region unknown}"
  row URL "$url"
  row Image "$tag${new_td:+ (task definition $(revision "$new_td"))}"
  row "Smoke test" "$smoke"
  row Rollback "$rolled"
  row "Serving now" "$serving"
  row DNS "$dns_note"
  if [[ -n "$DIED" ]]; then printf '\n```\n%s\n```\n' "$DIED"; fi
}

finish() {
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then write_summary >>"$GITHUB_STEP_SUMMARY" || true; fi
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'url=%s\nimage_tag=%s\nresult=%s\n' "$url" "$tag" "$result" >>"$GITHUB_OUTPUT" || true
  fi
}
trap finish EXIT

# ---- 0. who, where, what ------------------------------------------------------------------------
if [[ -n "${IMAGE_TAG:-}" ]]; then
  preflight
else
  tool=$(container_tool)
  preflight git "$tool"
fi

tf_init
load_outputs
check_placement
read_settings
# With a name of yours, the smoke test may have to reach the front door by its own address.
[[ -z "$DOMAIN" ]] || need curl
check_delegation stop

# ---- 1. the tag: one commit and architecture, one image, forever -----------------------------
if [[ -n "${IMAGE_TAG:-}" ]]; then
  tag=$IMAGE_TAG
  case "$tag" in
    *-amd64 | *-arm64) [[ "$tag" == *"-$ARCH" ]] || die "image $tag was built for ${tag##*-}, but the tasks run on $ARCH (cpu_architecture): they would fail with \"exec format error\". Pick a tag ending in -$ARCH." ;;
  esac
else
  tag=$(new_image_tag "$ARCH")
  [[ "$tag" != *-dirty-* ]] || log "uncommitted changes: deploying them as $tag (ALLOW_DIRTY=1)"
fi

# ---- 2. the repository must exist before anything can be pushed to it -----------------------
if [[ -z "$(tf state list aws_ecr_repository.this 2>/dev/null || true)" ]]; then
  [[ -z "${IMAGE_TAG:-}" ]] || die "there is no ECR repository yet, so no image $tag to deploy: run make deploy without IMAGE_TAG first"
  log "creating the ECR repository"
  applied=1
  tf apply -input=false -auto-approve -var "region=$REGION" -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this >&2 ||
    die "creating the ECR repository failed"
  load_outputs
fi
repo_url=$(tf_output ecr_repository_url)
registry=${repo_url%%/*} # <account>.dkr.ecr.<region>.amazonaws.com
repo_name=${repo_url#*/}
image="$repo_url:$tag"
stack=$repo_name

# What the service runs now, read from ECS (after a rollback it is not what the state says): the
# revision to go back to, and the image ECR must keep for it (previous_image_tag).
previous_td="" previous_tag=""
cluster=$(tf_output_if_any cluster_name)
service=$(tf_output_if_any service_name)
if [[ -n "$cluster" && -n "$service" ]]; then
  running_revision "$cluster" "$service" "$repo_url"
  previous_td=$RUNNING_TD previous_tag=$RUNNING_TAG
fi

# ---- 3. build and push, unless this exact tag is already there -------------------------------
if image_in_ecr "$repo_name" "$tag"; then
  log "$image is already in ECR: not rebuilding"
elif [[ -n "${IMAGE_TAG:-}" ]]; then
  recent=$(aws ecr describe-images --region "$REGION" --repository-name "$repo_name" \
    --query 'reverse(sort_by(imageDetails, &imagePushedAt))[:10].imageTags[]' --output text 2>/dev/null || true)
  die "there is no image $tag in $repo_url. The most recently pushed tags: ${recent:-(none)}"
else
  log "building $image for linux/$ARCH with $tool"
  "${MAKE:-make}" -C "$ROOT" image IMAGE="$image" VERSION="$tag" CONTAINER_TOOL="$tool" PLATFORM="linux/$ARCH" >&2 ||
    die "building $image failed"
  log "logging in to $registry"
  aws ecr get-login-password --region "$REGION" | "$tool" login --username AWS --password-stdin "$registry" >&2 ||
    die "could not log in to $registry (are AWS credentials configured?)"
  log "pushing $image"
  "$tool" push "$image" >&2 || die "could not push $image"
fi

# ---- 4. roll it out ---------------------------------------------------------------------------
alarms_var=""
[[ "$rollback" != off ]] || alarms_var="rollback_on_alarms=false"
approve="-auto-approve"
[[ "${AUTO_APPROVE:-1}" != "0" ]] || approve=""
log "terraform apply (image_tag=$tag${previous_tag:+, previous_image_tag=$previous_tag}${alarms_var:+, $alarms_var for ROLLBACK=off})"
applied=1
tf apply -input=false $approve -var "region=$REGION" -var "image_tag=$tag" \
  ${previous_tag:+-var "previous_image_tag=$previous_tag"} ${alarms_var:+-var "$alarms_var"} >&2 ||
  die "terraform apply failed"
load_outputs
cluster=$(tf_output cluster_name)
service=$(tf_output service_name)
new_td=$(tf_output task_definition_arn)
stack_front_door
door=$DOOR

# hint: how to go back by hand, for a failure not rolled back here.
hint() {
  if [[ -n "$previous_tag" && "$previous_tag" != "$tag" ]]; then
    printf 'To go back to the image that ran before: make deploy IMAGE_TAG=%s' "$previous_tag"
  else
    printf 'There is no earlier deployment to go back to: fix and make deploy again, or make delete'
  fi
}
# state_note: what the state says after a rollback, and why nothing needs doing about it now.
state_note() {
  printf "Terraform's state still names %s (image %s), which no longer runs: the next make deploy replaces it, and until then make plan shows the service going back to it (docs/deploy.md, \"When a deploy rolls back\")." \
    "$(revision "$new_td")" "$tag"
}
# tag_of TASK_DEFINITION: the tag of its image, known or read.
tag_of() {
  if [[ "$1" == "$previous_td" ]]; then
    printf '%s' "$previous_tag"
  elif [[ "$1" == "$new_td" ]]; then
    printf '%s' "$tag"
  else
    image_tag_of "$1" "$repo_url"
  fi
}

# after_rollout: what watch_rollout found for the new revision's deployment: go on (serving,
# completed), or stop, saying what ECS did and why.
after_rollout() {
  local events serving_tag reason=${REASON%.}
  case "$ROLLOUT" in
    serving | completed) return 0 ;;
    rolled_back)
      serving_tag=$(tag_of "$PRIMARY_TD")
      result=rolled_back
      rolled="by ECS: ${REASON:-no reason given (make status shows its events)}"
      serving="$(revision "$PRIMARY_TD") (image ${serving_tag:-unknown})"
      [[ "$ROLLBACK_STATE" == COMPLETED ]] || serving+=", whose own rollout ended $ROLLBACK_STATE"
      events=$(deployment_events "$cluster" "$service" "${DEPLOYMENT:-none}")
      [[ -z "$events" ]] || events=$'\nThe service events about it, newest first:\n'"$events"
      die "ECS rolled back the deployment of $tag (task definition $(revision "$new_td")${DEPLOYMENT:+, deployment $DEPLOYMENT}): ${reason:-ECS gave no reason}. Serving now: $serving.$events
$(state_note) Why it failed: make logs, make status."
      ;;
    failed)
      serving="$(revision "$new_td") (image $tag), failed"
      die "the deployment of $tag (task definition $(revision "$new_td")${DEPLOYMENT:+, deployment $DEPLOYMENT}) failed, and ECS could not roll it back (no deployment had completed before it): ${reason:-see make status}. $(hint)."
      ;;
    *)
      die "the deployment of $tag (task definition $(revision "$new_td")${DEPLOYMENT:+, deployment $DEPLOYMENT}) is still in progress after ${ROLLOUT_TIMEOUT:-1800} s (ROLLOUT_TIMEOUT): ECS goes on with it, make deploy does not wait longer. Follow it with make status."
      ;;
  esac
}

watch_rollout "$cluster" "$service" "$new_td" serving
after_rollout

# ---- 5. the smoke test, through the front door, with the deployed credentials ----------------
secret=$(tf_output secret_arn)
credentials=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$secret" --query SecretString --output text) ||
  die "cannot read the credentials from $secret for the smoke test"
username=$(json_string username "$credentials") || die "the secret $secret has no username"
password=$(json_string password "$credentials") || die "the secret $secret has no password"
unset credentials

# probe URL: the contract probe (make smoke), with the credentials in its environment, never in
# argv.
probe() {
  log "smoke test: make smoke URL=$1"
  ACTORS_USERNAME="$username" ACTORS_PASSWORD="$password" "${MAKE:-make}" -C "$ROOT" smoke URL="$1" >&2
}

# https_status CURL_ARGS...: the status code of one HTTPS request (000 when none came); curl's
# exit status.
https_status() { curl --silent --show-error --output /dev/null --write-out '%{http_code}' --max-time 20 "$@"; }

# curl_problem STATUS: what curl's exit status means here.
curl_problem() {
  case "$1" in
    6) printf 'the name does not resolve' ;;
    7) printf 'no connection' ;;
    28) printf 'timed out' ;;
    35 | 51 | 53 | 54 | 58 | 59 | 60 | 77 | 80 | 82 | 83 | 90 | 91) printf 'the TLS handshake or the certificate check failed' ;;
    *) printf 'curl exit status %s' "$1" ;;
  esac
}

# through_front_door NAME TARGET: reach the front door at its own address TARGET as NAME (TLS for
# NAME, Host NAME), as clients will once NAME leads there: /healthz answers 200, /actors 401
# without credentials and 200 with them. Prints what failed.
through_front_door() {
  local check path want rc code quoted
  for check in healthz:200 actors:401 actors+credentials:200; do
    path=${check%:*} want=${check#*:} rc=0
    if [[ "$path" == *+credentials ]]; then
      # curl's config syntax: a quoted string, \ and " escaped. Never on the command line.
      quoted="$username:$password"
      quoted=${quoted//\\/\\\\}
      quoted=${quoted//\"/\\\"}
      code=$(printf 'user = "%s"\n' "$quoted" | https_status --connect-to "$1:443:$2:443" --config - "https://$1/${path%+*}") || rc=$?
    else
      code=$(https_status --connect-to "$1:443:$2:443" "https://$1/$path") || rc=$?
    fi
    if ((rc != 0)); then
      printf 'GET https://%s/%s through %s failed: %s' "$1" "${path%+*}" "$2" "$(curl_problem "$rc")"
      return 1
    fi
    if [[ "$code" != "$want" ]]; then
      printf 'GET https://%s/%s%s through %s answered %s, want %s' "$1" "${path%+*}" \
        "$([[ "$path" != *+credentials ]] || printf ' with credentials')" "$2" "$code" "$want"
      return 1
    fi
  done
  log "https://$1 answers through $2: /healthz, and /actors without and with credentials"
}

# smoke_test: the smoke test of the new revision, through the front door. Sets url, smoke and
# dns_note; on failure sets failure (what failed) and returns 1. It runs where set -e does not
# apply (if !, ||): a step that cannot run at all exits explicitly.
smoke_test() {
  local rc=0 problem target endpoint
  if [[ -z "$DOMAIN" || "$door" == public_ip ]]; then
    url=$(service_url "$REGION") || exit 1
    probe "$url" || { failure="the contract probe failed against $url (its report is above)"; return 1; }
    smoke="passed: make smoke URL=$url"
    return 0
  fi
  url="https://$DOMAIN"
  target=$(tf_output cname_target) || exit 1
  if [[ -z "$ZONE_ID" && -z "$ZONE_NAME" ]]; then
    dns_note="$DOMAIN must be a CNAME record to $target, at your DNS provider (this stack manages no DNS outside Route 53)"
    log "DNS: $dns_note"
  fi
  https_status "$url/healthz" >/dev/null 2>&1 || rc=$?
  if ((rc == 0)); then
    probe "$url" || { failure="the contract probe failed against $url (its report is above)"; return 1; }
    smoke="passed: make smoke URL=$url"
    return 0
  fi
  # The name does not lead to the front door from here (yet): a new name takes a while to
  # resolve everywhere, or its CNAME is still to be created. That is no fault of the revision:
  # test it through the front door's own address, with the name, as clients will reach it.
  problem=$(curl_problem "$rc")
  log "$url is not reachable from here ($problem): smoke-testing the front door at its own address instead, as $DOMAIN"
  if [[ -n "$dns_note" ]]; then
    dns_note="create the CNAME record $DOMAIN -> $target at your DNS provider: $url is not reachable yet ($problem)"
    log "DNS: $dns_note"
  else
    dns_note="$url was not reachable from here yet ($problem); the stack's Route 53 record points it at $target"
  fi
  if [[ "$door" == api_gateway ]]; then
    failure=$(through_front_door "$DOMAIN" "$target") || return 1
    endpoint=$(tf_output api_endpoint) || exit 1
    probe "$endpoint" || { failure="the contract probe failed against $endpoint (its report is above)"; return 1; }
    smoke="passed: make smoke URL=$endpoint (the API's own address), and $url through $target"
  else
    target=$(tf_output alb_dns_name) || exit 1
    failure=$(through_front_door "$DOMAIN" "$target") || return 1
    smoke="passed: $url through $target (/healthz, /actors); make smoke URL=$url once the name resolves"
  fi
}

# roll_back: the smoke test failed ($failure): put back the revision that ran before, wait for
# it, and stop.
roll_back() {
  local deployment what
  what="the smoke test of $tag (task definition $(revision "$new_td")) failed: $failure"
  smoke="failed: $failure"
  if [[ "$rollback" == off ]]; then
    serving="$(revision "$new_td") (image $tag), left serving: ROLLBACK=off"
    die "$what. ROLLBACK=off: it is left serving. $(hint)."
  fi
  if [[ -z "$previous_td" || "$previous_td" == "$new_td" ]]; then
    serving="$(revision "$new_td") (image $tag)"
    local why="it is the first deployment of the stack"
    [[ -z "$previous_td" ]] || why="the service ran this revision before this deploy too"
    die "$what. There is nothing to roll back to: $why. $(hint)."
  fi
  log "the smoke test failed: rolling the service back to $(revision "$previous_td") (image $previous_tag)"
  deployment=$(aws ecs update-service --region "$REGION" --cluster "$cluster" --service "$service" --task-definition "$previous_td" \
    --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text) ||
    die "$what. Rolling back to $(revision "$previous_td") failed too (the AWS CLI's error is above): $(revision "$new_td") is serving. $(hint)."
  watch_rollout "$cluster" "$service" "$deployment" end
  serving="$(revision "$PRIMARY_TD") (image $(tag_of "$PRIMARY_TD"))"
  if [[ "$ROLLOUT" == completed ]]; then
    result=rolled_back
    rolled="by make deploy, as the smoke test failed: back to $(revision "$previous_td") (image $previous_tag)"
    die "$what. Rolled back: the service runs $(revision "$previous_td") (image $previous_tag) again, as before this deploy. $(state_note)"
  fi
  die "$what. The rollback to $(revision "$previous_td") (deployment $deployment) ended ${ROLLOUT/_/ }${REASON:+ ($REASON)}: the service runs $serving. See make status and make logs."
}

# Once more before going back: right after a rollout the front door can still send a request to a
# task being replaced (Cloud Map and load balancers let go of it after a while).
failure=""
if ! smoke_test; then
  log "the smoke test failed ($failure): once more in ${SMOKE_RETRY_SECONDS:-30} s, in case the front door still reached the tasks being replaced"
  sleep "${SMOKE_RETRY_SECONDS:-30}"
  failure=""
  smoke_test || roll_back
fi

# ---- 6. the rest of the rollout: ECS's bake time, during which an alarm can still roll it back --
if [[ "$ROLLOUT" == serving ]]; then
  watch_rollout "$cluster" "$service" "$DEPLOYMENT" end
  after_rollout
fi

result=deployed serving="$(revision "$new_td") (image $tag)"
log "deployed $image ($(revision "$new_td")) at $url, smoke test passed"
printf '%s\n' "$url"
