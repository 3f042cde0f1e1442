#!/usr/bin/env bash
# make rotate-password: a new Basic-auth password as a new version of the secret, then a new
# deployment so that every task starts with it, then how to read it.
#
# The new password is generated (32 letters and digits), or read from PASSWORD_FILE (a file, or -
# for stdin): never from the command line, where other users of the machine could see it. It
# reaches Terraform through TF_VAR_rotate_password; Terraform writes the secret, so a later make
# deploy keeps it (terraform/secrets.tf).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

preflight
tf_init
load_outputs
check_placement
cluster=$(tf_output cluster_name)
service=$(tf_output service_name)

if [[ -n "${PASSWORD_FILE:-}" ]]; then
  if [[ "$PASSWORD_FILE" == "-" ]]; then
    IFS= read -r password || [[ -n "${password:-}" ]] || die "no password on stdin (PASSWORD_FILE=-)"
  else
    [[ -r "$PASSWORD_FILE" ]] || die "cannot read PASSWORD_FILE $PASSWORD_FILE"
    IFS= read -r password <"$PASSWORD_FILE" || [[ -n "${password:-}" ]] || die "PASSWORD_FILE $PASSWORD_FILE is empty"
  fi
else
  password=$(aws secretsmanager get-random-password --region "$REGION" --password-length 32 --exclude-punctuation \
    --query RandomPassword --output text) || die "could not generate a password"
fi
# Printable ASCII: Basic auth has no agreed encoding beyond it (the Terraform variables say the same).
LC_ALL=C
[[ ${#password} -ge 16 && ${#password} -le 128 && "$password" =~ ^[\ -~]+$ ]] ||
  die "the new password must be 16 to 128 printable ASCII characters (got ${#password} characters)"

log "writing the new password as a new version of the secret"
TF_VAR_rotate_password=$password tf apply -input=false -auto-approve -var "region=$REGION" \
  -replace=terraform_data.password -target=aws_secretsmanager_secret_version.credentials >&2 ||
  die "terraform apply failed: the password was not changed"
unset password

# ECS reads the secret when a task starts: replace every task.
log "starting a new deployment of $service"
deployment=$(aws ecs update-service --region "$REGION" --cluster "$cluster" --service "$service" --force-new-deployment \
  --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text) ||
  die "could not start a new deployment: the secret holds the new password, but the running tasks still use the old one. Run make rotate-password again, or: aws ecs update-service --cluster $cluster --service $service --force-new-deployment"
watch_rollout "$cluster" "$service" "$deployment" end
case "$ROLLOUT" in
  completed) ;;
  rolled_back) die "the new deployment $deployment was rolled back${REASON:+ ($REASON)}: tasks that started before the rotation may still use the old password. See make status and make logs, then make rotate-password again" ;;
  failed) die "the new deployment $deployment failed${REASON:+ ($REASON)}: see make status and make logs" ;;
  *) die "the new deployment $deployment is still in progress after ${ROLLOUT_TIMEOUT:-1800} s (ROLLOUT_TIMEOUT): follow it with make status; tasks it has not replaced yet use the old password" ;;
esac

log "every task now uses the new password. Read it with: make credentials"
