#!/usr/bin/env bash
# make url: the service's base URL: https://<domain_name>, or the load balancer's, or else
# http://<task IP>:<port>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform
url=$(tf_output url)
if [[ -n "$url" ]]; then
  printf '%s\n' "$url"
  exit 0
fi
port=$(tf_output container_port)
ip=$("$ROOT/scripts/deploy/get_ip.sh")
printf 'http://%s:%s\n' "$ip" "$port"
