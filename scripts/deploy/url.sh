#!/usr/bin/env bash
# make url: the service's base URL: the load balancer's when there is one, else http://<task IP>:<port>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform
alb_url=$(tf_output alb_url)
if [[ -n "$alb_url" ]]; then
  printf '%s\n' "$alb_url"
  exit 0
fi
port=$(tf_output container_port)
ip=$("$ROOT/scripts/deploy/get_ip.sh")
printf 'http://%s:%s\n' "$ip" "$port"
