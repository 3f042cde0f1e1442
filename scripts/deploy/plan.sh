#!/usr/bin/env bash
# make plan: what make deploy would change, without changing anything: no ECR repository created,
# no image built or pushed, no apply. Prints terraform plan for the tag make deploy would deploy
# (or IMAGE_TAG), with the same variables (previous_image_tag, read from the service;
# rollback_on_alarms=false with ROLLBACK=off), says whether that image still has to be built, warns
# when the Route 53 zone is not the one domain_name is delegated to, and when the service runs
# another revision than the state names (after a rollback).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${ROLLBACK:-on}" in
  on | off) ;;
  *) die "ROLLBACK must be on or off, not '$ROLLBACK'" ;;
esac
if [[ -n "${IMAGE_TAG:-}" ]]; then preflight; else preflight git; fi
tf_init
load_outputs
check_placement
read_settings
check_delegation warn

if [[ -n "${IMAGE_TAG:-}" ]]; then
  tag=$IMAGE_TAG
else
  # A plan of uncommitted changes is fine: make deploy would want ALLOW_DIRTY=1 for them.
  tag=$(ALLOW_DIRTY=1 new_image_tag "$ARCH")
  [[ "$tag" != *-dirty-* || "${ALLOW_DIRTY:-0}" == "1" ]] ||
    log "uncommitted changes: make deploy would refuse them without ALLOW_DIRTY=1"
fi

previous_tag=""
if [[ -z "$(tf state list aws_ecr_repository.this 2>/dev/null || true)" ]]; then
  log "first deploy: make deploy would create the ECR repository, then build and push $tag"
else
  repo_url=$(tf_output ecr_repository_url)
  if image_in_ecr "${repo_url#*/}" "$tag"; then
    log "$repo_url:$tag is in ECR: make deploy would not rebuild it"
  else
    log "make deploy would build and push $repo_url:$tag"
  fi
  cluster=$(tf_output_if_any cluster_name)
  service=$(tf_output_if_any service_name)
  if [[ -n "$cluster" && -n "$service" ]]; then
    running_revision "$cluster" "$service" "$repo_url"
    previous_tag=$RUNNING_TAG
    applied=$(tf_output_if_any task_definition_arn)
    if [[ -n "$RUNNING_TD" && -n "$applied" && "$RUNNING_TD" != "$applied" ]]; then
      log "the service runs $(revision "$RUNNING_TD") (image ${RUNNING_TAG:-unknown}), not $(revision "$applied"), which the state names: a deploy was rolled back. The plan below shows the service changing back to the state's revision unless the image changes too (docs/deploy.md, \"When a deploy rolls back\")"
    fi
  fi
fi

alarms_var=""
[[ "${ROLLBACK:-on}" != off ]] || alarms_var="rollback_on_alarms=false"
log "terraform plan (image_tag=$tag${previous_tag:+, previous_image_tag=$previous_tag}${alarms_var:+, $alarms_var})"
tf plan -input=false -var "region=$REGION" -var "image_tag=$tag" \
  ${previous_tag:+-var "previous_image_tag=$previous_tag"} ${alarms_var:+-var "$alarms_var"} || die "terraform plan failed"
