#!/usr/bin/env bash
# make delete: destroy everything the stack created, images included (the repository has
# force_delete, the secret no recovery window by default).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform
tf_init
log "terraform destroy"
tf destroy -input=false -auto-approve >&2
log "deleted"
