#!/usr/bin/env bash
# make url: the service's base URL, on stdout: the url output (https://<domain_name>, or the API
# Gateway's own https:// name), or with front_door = "public_ip" http://<task IP>:<port>.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform
load_outputs
stack_front_door
[[ "$DOOR" != public_ip ]] || need aws
region=$(tf_output region)
url=$(service_url "$region")
printf '%s\n' "$url"
