#!/usr/bin/env bash
# make get_ip: the public IP of the service's running task (list tasks -> describe the task ->
# its ENI -> the ENI's public IP), on stdout.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform aws
region=$(tf_output region)
cluster=$(tf_output cluster_name)
service=$(tf_output service_name)

task=$(aws ecs list-tasks --region "$region" --cluster "$cluster" --service-name "$service" \
  --desired-status RUNNING --query 'taskArns[0]' --output text)
[[ -n "$task" && "$task" != "None" ]] || die "service $service has no running task (see make logs)"

eni=$(aws ecs describe-tasks --region "$region" --cluster "$cluster" --tasks "$task" \
  --query "tasks[0].attachments[?type=='ElasticNetworkInterface'] | [0].details[?name=='networkInterfaceId'].value | [0]" \
  --output text)
[[ -n "$eni" && "$eni" != "None" ]] || die "task $task has no network interface yet (still provisioning?)"

ip=$(aws ec2 describe-network-interfaces --region "$region" --network-interface-ids "$eni" \
  --query 'NetworkInterfaces[0].Association.PublicIp' --output text)
[[ -n "$ip" && "$ip" != "None" ]] || die "network interface $eni has no public IP"

printf '%s\n' "$ip"
