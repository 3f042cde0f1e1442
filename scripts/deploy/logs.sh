#!/usr/bin/env bash
# make logs: follow the service's CloudWatch log group. Env: SINCE (default 1h), FOLLOW=0 to print
# and exit.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform aws
load_outputs
region=$(tf_output region)
group=$(tf_output log_group_name)
if [[ "${FOLLOW:-1}" == "0" ]]; then
  exec aws logs tail "$group" --region "$region" --since "${SINCE:-1h}"
fi
exec aws logs tail "$group" --region "$region" --since "${SINCE:-1h}" --follow
