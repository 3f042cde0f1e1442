#!/usr/bin/env bash
# make deploy: create the ECR repository if needed, build and push the image under an immutable
# tag (the git commit), apply the stack with that tag, wait for the service to be stable, print the URL.
#
# Env: AWS_REGION / AWS_PROFILE as for the AWS CLI; CONTAINER_TOOL (docker|podman, auto-detected);
# ALLOW_DIRTY=1 to deploy uncommitted changes under a unique tag; PLATFORM to override the image
# platform (default from the cpu_architecture variable); AUTO_APPROVE=0 to review the plan.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need terraform aws git
tool=$(container_tool)
need "$tool"

# ---- 1. the tag: one commit, one image, forever (the repository's tags are immutable) ----------
sha=$(git -C "$ROOT" rev-parse --short=12 HEAD) || die "cannot read the current commit: deploy from a git checkout with at least one commit"
changes=$(git -C "$ROOT" status --porcelain) || die "git status failed"
if [[ -n "$changes" ]]; then
  if [[ "${ALLOW_DIRTY:-0}" != "1" ]]; then
    die "the work tree has uncommitted changes, so an image tagged $sha would not be commit $sha. Commit them, or run with ALLOW_DIRTY=1 to deploy a uniquely tagged dirty build."
  fi
  tag="$sha-dirty-$(date -u +%Y%m%d%H%M%S)"
  log "uncommitted changes: deploying them as $tag (ALLOW_DIRTY=1)"
else
  tag="$sha"
fi

# ---- 2. the repository must exist before anything can be pushed to it -----------------------
tf_init
if [[ -z "$(tf state list aws_ecr_repository.this 2>/dev/null || true)" ]]; then
  log "creating the ECR repository"
  tf apply -input=false -auto-approve -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this >&2 ||
    die "creating the ECR repository failed"
fi
repo_url=$(tf_output ecr_repository_url)
registry=${repo_url%%/*}                           # <account>.dkr.ecr.<region>.amazonaws.com
repo_name=${repo_url#*/}
region=$(cut -d. -f4 <<<"$registry")
[[ -n "$region" ]] || die "cannot read the region from the repository URL $repo_url"
image="$repo_url:$tag"

# ---- 3. build and push, unless this exact tag is already there (re-deploying a commit) -------
if aws ecr describe-images --region "$region" --repository-name "$repo_name" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  log "$image is already in ECR: not rebuilding"
else
  platform="${PLATFORM:-}"
  if [[ -z "$platform" ]]; then
    arch=$(tf console <<<'var.cpu_architecture' | tr -d '"[:space:]') || die "cannot read var.cpu_architecture"
    case "$arch" in
      X86_64) platform=linux/amd64 ;;
      ARM64) platform=linux/arm64 ;;
      *) die "unexpected cpu_architecture '$arch'" ;;
    esac
  fi
  log "building $image for $platform with $tool"
  "${MAKE:-make}" -C "$ROOT" image IMAGE="$image" VERSION="$tag" CONTAINER_TOOL="$tool" PLATFORM="$platform" >&2 ||
    die "building $image failed"
  log "logging in to $registry"
  aws ecr get-login-password --region "$region" | "$tool" login --username AWS --password-stdin "$registry" >&2 ||
    die "could not log in to $registry (are AWS credentials configured?)"
  log "pushing $image"
  "$tool" push "$image" >&2 || die "could not push $image"
fi

# ---- 4. roll it out ---------------------------------------------------------------------------
approve=(-auto-approve)
if [[ "${AUTO_APPROVE:-1}" == "0" ]]; then approve=(); fi
log "terraform apply (image_tag=$tag)"
tf apply -input=false "${approve[@]}" -var "image_tag=$tag" >&2 || die "terraform apply failed"

cluster=$(tf_output cluster_name)
service=$(tf_output service_name)
task_definition=$(tf_output task_definition_arn)
log "waiting for service $service to be stable (up to 10 minutes)"
aws ecs wait services-stable --region "$region" --cluster "$cluster" --services "$service" ||
  die "service $service did not become stable; see make logs and the ECS console"

# The circuit breaker rolls a failed deployment back, and a rolled-back service is "stable" too.
running=$(aws ecs describe-services --region "$region" --cluster "$cluster" --services "$service" \
  --query "services[0].deployments[?status=='PRIMARY'].taskDefinition | [0]" --output text)
[[ "$running" == "$task_definition" ]] ||
  die "deployment of $tag failed and was rolled back: the service runs $running, not $task_definition (see make logs)"

log "deployed $image"
"$ROOT/scripts/deploy/url.sh"
