#!/usr/bin/env bash
# make deploy: create the ECR repository if needed, build and push the image under an immutable
# tag (<commit>-<arch>), apply the stack with that tag, wait for the service to be stable, run the
# smoke test against it, print the URL.
#
# Env: AWS_REGION / AWS_PROFILE as for the AWS CLI; CONTAINER_TOOL (docker|podman, auto-detected);
# ALLOW_DIRTY=1 to deploy uncommitted changes under a unique tag; IMAGE_TAG=<tag> to deploy an
# image already in ECR instead of building one (a rollback); AUTO_APPROVE=0 to review the plan.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n "${IMAGE_TAG:-}" ]]; then
  preflight
else
  tool=$(container_tool)
  preflight git "$tool"
fi

tf_init
check_placement
arch=$(image_arch)

# ---- 1. the tag: one commit and architecture, one image, forever -----------------------------
if [[ -n "${IMAGE_TAG:-}" ]]; then
  tag=$IMAGE_TAG
  case "$tag" in
    *-amd64 | *-arm64) [[ "$tag" == *"-$arch" ]] || die "image $tag was built for ${tag##*-}, but the tasks run on $arch (cpu_architecture): they would fail with \"exec format error\". Pick a tag ending in -$arch." ;;
  esac
else
  tag=$(new_image_tag "$arch")
  [[ "$tag" != *-dirty-* ]] || log "uncommitted changes: deploying them as $tag (ALLOW_DIRTY=1)"
fi

# ---- 2. the repository must exist before anything can be pushed to it -----------------------
if [[ -z "$(tf state list aws_ecr_repository.this 2>/dev/null || true)" ]]; then
  [[ -z "${IMAGE_TAG:-}" ]] || die "there is no ECR repository yet, so no image $tag to deploy: run make deploy without IMAGE_TAG first"
  log "creating the ECR repository"
  tf apply -input=false -auto-approve -var "region=$REGION" -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this >&2 ||
    die "creating the ECR repository failed"
fi
repo_url=$(tf_output ecr_repository_url)
registry=${repo_url%%/*} # <account>.dkr.ecr.<region>.amazonaws.com
repo_name=${repo_url#*/}
image="$repo_url:$tag"
# What runs now (empty on the first deploy): the tag to go back to if this one fails.
previous=$(tf_output_if_any image)
previous_tag=${previous##*:}

# ---- 3. build and push, unless this exact tag is already there -------------------------------
if image_in_ecr "$repo_name" "$tag"; then
  log "$image is already in ECR: not rebuilding"
elif [[ -n "${IMAGE_TAG:-}" ]]; then
  recent=$(aws ecr describe-images --region "$REGION" --repository-name "$repo_name" \
    --query 'reverse(sort_by(imageDetails, &imagePushedAt))[:10].imageTags[]' --output text 2>/dev/null || true)
  die "there is no image $tag in $repo_url. The most recently pushed tags: ${recent:-(none)}"
else
  log "building $image for linux/$arch with $tool"
  "${MAKE:-make}" -C "$ROOT" image IMAGE="$image" VERSION="$tag" CONTAINER_TOOL="$tool" PLATFORM="linux/$arch" >&2 ||
    die "building $image failed"
  log "logging in to $registry"
  aws ecr get-login-password --region "$REGION" | "$tool" login --username AWS --password-stdin "$registry" >&2 ||
    die "could not log in to $registry (are AWS credentials configured?)"
  log "pushing $image"
  "$tool" push "$image" >&2 || die "could not push $image"
fi

# ---- 4. roll it out ---------------------------------------------------------------------------
log "terraform apply (image_tag=$tag)"
if [[ "${AUTO_APPROVE:-1}" == "0" ]]; then
  tf apply -input=false -var "region=$REGION" -var "image_tag=$tag" >&2 || die "terraform apply failed"
else
  tf apply -input=false -auto-approve -var "region=$REGION" -var "image_tag=$tag" >&2 || die "terraform apply failed"
fi

rollback_hint() {
  if [[ -n "$previous_tag" && "$previous_tag" != "$tag" ]]; then
    printf 'To go back to the image that ran before: make deploy IMAGE_TAG=%s' "$previous_tag"
  else
    printf 'There is no earlier deployment to go back to: fix and make deploy again, or make delete'
  fi
}

cluster=$(tf_output cluster_name)
service=$(tf_output service_name)
task_definition=$(tf_output task_definition_arn)
wait_stable "$cluster" "$service" "$(rollback_hint)."
rollout=$(wait_rollout "$cluster" "$service")
read -r state _ running <<<"$rollout"
[[ "$running" == "$task_definition" ]] ||
  die "deployment of $tag failed and was rolled back: the service runs $running, not $task_definition (make status names the alarm or the failure, make logs shows why). $(rollback_hint), so that Terraform's state matches what runs."
[[ "$state" == COMPLETED ]] ||
  die "deployment of $tag ended $state and could not be rolled back (see make status and make logs). $(rollback_hint)."

url=$("$ROOT/scripts/deploy/url.sh")
log "deployed $image at $url"

# ---- 5. the smoke test, with the deployed credentials (in the environment, never argv) ---------
secret=$(tf_output secret_arn)
credentials=$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$secret" --query SecretString --output text) ||
  die "cannot read the credentials from $secret for the smoke test"
username=$(json_string username "$credentials") || die "the secret $secret has no username"
password=$(json_string password "$credentials") || die "the secret $secret has no password"
log "smoke test: make smoke URL=$url"
if ! ACTORS_USERNAME="$username" ACTORS_PASSWORD="$password" "${MAKE:-make}" -C "$ROOT" smoke URL="$url" >&2; then
  die "the smoke test failed against $url (its report is above): $image is deployed but does not keep the API's contract. $(rollback_hint). (Right after the first deploy with a new domain name, DNS can take a few minutes: if the report says the name does not resolve, wait and run make smoke again, with ACTORS_USERNAME and ACTORS_PASSWORD from make credentials.)"
fi
log "smoke test passed"
printf '%s\n' "$url"
