#!/usr/bin/env bash
# make get_ip: with front_door = "public_ip", the public IP of the service's running task (list
# tasks -> describe the task -> its ENI -> the ENI's public IP), on stdout, as in the original blog
# post. With a front door the tasks accept connections from it alone, so their IPs lead nowhere:
# it says so, and prints the URL instead.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform
load_outputs
stack_front_door
if [[ "$DOOR" != public_ip ]]; then
  case "$DOOR" in
    api_gateway) what="the API Gateway (through its VPC link)" ;;
    alb) what="the load balancer" ;;
    *) what="the front door" ;;
  esac
  log "front_door = \"$DOOR\": the tasks accept connections from $what only, so there is no task IP to call. The service is at:"
  tf_output url
  echo
  exit 0
fi
need aws
region=$(tf_output region)
cluster=$(tf_output cluster_name)
service=$(tf_output service_name)
ip=$(task_public_ip "$region" "$cluster" "$service")
printf '%s\n' "$ip"
