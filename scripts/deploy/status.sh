#!/usr/bin/env bash
# make status: how the deployed service is doing, changing nothing: its URL, its front door (the
# API Gateway's API, VPC link and Cloud Map registrations; the load balancer's name), its rollout,
# its running, pending and desired tasks, its deployments, the stack's alarms in ALARM and the
# last service events (where ECS says why tasks stopped or a deployment was rolled back).
#
# Env: EVENTS (how many service events, default 10, at most 100: ECS keeps the last 100).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

last=${EVENTS:-10}
if [[ ! "$last" =~ ^[0-9]{1,3}$ ]] || ((10#$last < 1 || 10#$last > 100)); then
  die "EVENTS must be a number from 1 to 100, not '$last'"
fi
last=$((10#$last))

preflight
tf_init
load_outputs
check_placement
cluster=$(tf_output cluster_name)
service=$(tf_output service_name)

# describe QUERY: one view of the service, as text.
describe() {
  aws ecs describe-services --region "$REGION" --cluster "$cluster" --services "$service" --query "$1" --output text
}

counts=$(describe 'services[0].[status, runningCount, pendingCount, desiredCount]') ||
  die "cannot describe service $service of cluster $cluster"
read -r state running pending desired <<<"$counts"
[[ "$state" == ACTIVE ]] ||
  die "service $service of cluster $cluster is ${state/None/not there} in $REGION: is the stack deployed? (make deploy)"
deployments=$(describe 'services[0].deployments[].[status, rolloutState, taskDefinition, runningCount, pendingCount, desiredCount, rolloutStateReason]')
events=$(describe "services[0].events[:$last].[createdAt, message]")

# alarms_in_alarm NAME...: those of the alarms in ALARM, one a line (DescribeAlarms takes 100 names
# a call).
alarms_in_alarm() {
  local n
  while (($# > 0)); do
    aws cloudwatch describe-alarms --region "$REGION" --state-value ALARM --alarm-names "${@:1:100}" \
      --query 'MetricAlarms[].[AlarmName, StateUpdatedTimestamp, StateReason]' --output text || return 1
    n=$#
    ((n <= 100)) || n=100
    shift "$n"
  done
}
# The stack's alarms by the names Terraform gave them: a prefix would also match another stack's.
watched=0
firing=""
if [[ "$OUTPUTS" == *" alarm_names "* ]]; then
  # Names of letters, digits and . _ ~ - (terraform/ecs.tf checks the operationIds), one a line.
  set -f
  # shellcheck disable=SC2046 # one word a name
  set -- $(tf_output alarm_names)
  set +f
  watched=$#
  if ((watched > 0)); then
    firing=$(alarms_in_alarm "$@") || die "cannot read the state of the stack's alarms"
  fi
fi

# No running task with public_ip means no address: say why instead of stopping.
if url=$(service_url "$REGION" 2>&1); then :; else url="unknown: ${url#error: }"; fi

# one_line TEXT: TEXT (an AWS CLI error) on one line.
one_line() {
  local s=${1//$'\n'/ }
  s=${s#"${s%%[! ]*}"}
  printf '%s' "${s%"${s##*[! ]}"}"
}

# The front door, as AWS sees it now; what cannot be read is said, not fatal.
stack_front_door
front=""
case "$DOOR" in
  api_gateway)
    front="api_gateway: API $(tf_output_if_any api_id), access log $(tf_output_if_any access_log_group_name)"
    link=$(tf_output_if_any vpc_link_id)
    if [[ -n "$link" ]]; then
      if answer=$(aws apigatewayv2 get-vpc-link --region "$REGION" --vpc-link-id "$link" \
        --query '[VpcLinkStatus, VpcLinkStatusMessage]' --output text 2>&1); then
        IFS=$'\t' read -r link_status link_message <<<"$answer"
        front+=$'\n'"VPC link $link: $link_status${link_message:+ ($link_message)}"
        [[ "$link_status" != INACTIVE ]] || front+=": unused for 60 days, it becomes AVAILABLE again at the next request, after a few minutes"
      else
        front+=$'\n'"VPC link $link: unknown ($(one_line "$answer"))"
      fi
    fi
    registry=$(tf_output_if_any service_discovery_service_id)
    if [[ -n "$registry" ]]; then
      if answer=$(aws servicediscovery get-instances-health-status --region "$REGION" --service-id "$registry" \
        --query 'sort(values(Status))' --output text 2>&1); then
        set -f
        # shellcheck disable=SC2086 # one word a status
        set -- $answer
        set +f
        healthy=0
        for h in "$@"; do if [[ "$h" == HEALTHY ]]; then healthy=$((healthy + 1)); fi; done
        front+=$'\n'"Cloud Map service $registry: $# task(s) registered, $healthy healthy (API Gateway sends requests to the healthy ones)"
      else
        front+=$'\n'"Cloud Map service $registry: unknown ($(one_line "$answer"))"
      fi
    fi
    ;;
  alb)
    front="alb: load balancer $(tf_output_if_any alb_dns_name)"
    ;;
  *)
    front="none (public_ip): clients connect to the task's public IP, in clear text"
    ;;
esac
target=$(tf_output_if_any cname_target)
[[ -z "$target" ]] || front+=$'\n'"${url#https://} points at $target (a Route 53 alias the stack manages, or your CNAME)"

rollout=unknown
while IFS=$'\t' read -r d_status d_state _ _ _ _ d_reason; do
  if [[ "$d_status" == PRIMARY ]]; then rollout="$d_state${d_reason:+ ($d_reason)}"; fi
done <<<"$deployments"

printf 'service   %s of cluster %s (AWS account %s, %s)\n' "$service" "$cluster" "$ACCOUNT" "$REGION"
printf 'url       %s\n' "$url"
first=1
while IFS= read -r line; do
  if ((first)); then printf 'front door %s\n' "$line"; else printf '           %s\n' "$line"; fi
  first=0
done <<<"$front"
printf 'rollout   %s\n' "$rollout"
printf 'tasks     %s running, %s pending, %s desired\n' "$running" "$pending" "$desired"

printf '\ndeployments\n'
while IFS=$'\t' read -r d_status d_state d_definition d_running d_pending d_desired _; do
  [[ -n "$d_status" ]] || continue
  printf '  %-8s %-12s %-22s %s running, %s pending, %s desired\n' \
    "$d_status" "$d_state" "${d_definition##*/}" "$d_running" "$d_pending" "$d_desired"
done <<<"$deployments"

if ((watched == 0)); then
  printf '\nalarms    unknown: the Terraform state names none (make deploy creates them)\n'
else
  count=0
  while IFS=$'\t' read -r name _; do
    if [[ -n "$name" ]]; then count=$((count + 1)); fi
  done <<<"$firing"
  printf '\nalarms in ALARM: %s of %s\n' "$count" "$watched"
  while IFS=$'\t' read -r name since reason; do
    [[ -n "$name" ]] || continue
    printf '  %s since %s\n    %s\n' "$name" "$since" "$reason"
  done <<<"$firing"
fi

printf '\nlast service events\n'
while IFS=$'\t' read -r at message; do
  [[ -n "$at" ]] || continue
  printf '  %s  %s\n' "$at" "$message"
done <<<"$events"
