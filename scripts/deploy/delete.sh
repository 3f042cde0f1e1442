#!/usr/bin/env bash
# make delete: destroy everything the stack created, images included (the repository has
# force_delete, the secret no recovery window by default). Asks for the stack's name first, naming
# the account and region, unless AUTO_APPROVE=1.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
tf_init
check_placement
# terraform destroy cannot run the stack's own checks (terraform/placement.tf): from another account
# or region it would find nothing, "destroy" nothing, and forget the real stack. check_placement did.
[[ -n "$(tf state list 2>/dev/null || true)" ]] || die "nothing is deployed here (the Terraform state of ${TF_DIR#"$ROOT"/} is empty): nothing to delete"
# The stack's name is its cluster's, and its image repository's: a first make deploy that stopped
# after creating the repository left only that.
name=$(tf_output_if_any cluster_name)
if [[ -z "$name" ]]; then
  name=$(tf_output_if_any ecr_repository_url)
  name=${name##*/}
fi
[[ -n "$name" ]] || die "the Terraform state of ${TF_DIR#"$ROOT"/} holds resources but names no stack (no cluster_name or ecr_repository_url output): see terraform -chdir=${TF_DIR#"$ROOT"/} state list"

if [[ "${AUTO_APPROVE:-0}" != "1" ]]; then
  printf 'This destroys the stack "%s" in AWS account %s, region %s: its service, network, images, logs, secret and data. It cannot be undone.\nType the stack name to confirm: ' \
    "$name" "$ACCOUNT" "$REGION" >&2
  answer=""
  read -r answer || true
  [[ "$answer" == "$name" ]] || die "not confirmed (got '$answer', not '$name'): nothing was deleted. AUTO_APPROVE=1 skips the question."
fi

log "terraform destroy"
tf destroy -input=false -auto-approve -var "region=$REGION" >&2
log "deleted"
