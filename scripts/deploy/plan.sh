#!/usr/bin/env bash
# make plan: what make deploy would change, without changing anything: no ECR repository created,
# no image built or pushed, no apply. Prints terraform plan for the tag make deploy would deploy
# (or IMAGE_TAG) and says whether that image still has to be built.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n "${IMAGE_TAG:-}" ]]; then preflight; else preflight git; fi
tf_init
check_placement
arch=$(image_arch)

if [[ -n "${IMAGE_TAG:-}" ]]; then
  tag=$IMAGE_TAG
else
  # A plan of uncommitted changes is fine: make deploy would want ALLOW_DIRTY=1 for them.
  tag=$(ALLOW_DIRTY=1 new_image_tag "$arch")
  [[ "$tag" != *-dirty-* || "${ALLOW_DIRTY:-0}" == "1" ]] ||
    log "uncommitted changes: make deploy would refuse them without ALLOW_DIRTY=1"
fi

if [[ -z "$(tf state list aws_ecr_repository.this 2>/dev/null || true)" ]]; then
  log "first deploy: make deploy would create the ECR repository, then build and push $tag"
else
  repo_url=$(tf_output ecr_repository_url)
  if image_in_ecr "${repo_url#*/}" "$tag"; then
    log "$repo_url:$tag is in ECR: make deploy would not rebuild it"
  else
    log "make deploy would build and push $repo_url:$tag"
  fi
fi

log "terraform plan (image_tag=$tag)"
tf plan -input=false -var "region=$REGION" -var "image_tag=$tag" || die "terraform plan failed"
