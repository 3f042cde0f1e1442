#!/usr/bin/env bash
# make delete: destroy everything the stack created, its front door and images included (the
# repository has force_delete, the secret no recovery window by default): a plain terraform
# destroy. Asks for the stack's name first, naming the account and region, unless AUTO_APPROVE=1.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
tf_init
load_outputs
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

case "$(tf_output_if_any front_door)" in
  api_gateway) door="its API Gateway front door ($(tf_output_if_any url))" ;;
  alb) door="its load balancer ($(tf_output_if_any url))" ;;
  *) door="" ;;
esac

if [[ "${AUTO_APPROVE:-0}" != "1" ]]; then
  printf 'This destroys the stack "%s" in AWS account %s, region %s: its service, %snetwork, images, logs, secret and data. It cannot be undone.\nType the stack name to confirm: ' \
    "$name" "$ACCOUNT" "$REGION" "${door:+$door, }" >&2
  answer=""
  read -r answer || true
  [[ "$answer" == "$name" ]] || die "not confirmed (got '$answer', not '$name'): nothing was deleted. AUTO_APPROVE=1 skips the question."
fi

if [[ "$(tf_output_if_any front_door)" == api_gateway ]]; then
  log "terraform destroy: the API Gateway's VPC link takes a few minutes to go (AWS removes its network interfaces), and its subnets and the VPC wait for it"
else
  log "terraform destroy"
fi
tf destroy -input=false -auto-approve -var "region=$REGION" >&2 || die "terraform destroy failed (its error is above): run make delete again; what is already gone stays gone"
log "deleted"
