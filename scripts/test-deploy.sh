#!/usr/bin/env bash
# Tests the deploy verbs (scripts/deploy/*.sh) offline: stub aws, terraform, docker, podman, git
# and make executables first on PATH record their arguments and answer like the real tools (the
# aws stub answers with documents shaped like the AWS CLI's and evaluates --query as the CLI does).
# Asserts the order and arguments of the calls, what the verbs print, and that a failing step
# stops the chain with its error.
#
# Needs go (to build the aws stub, a module of its own, offline); skips without it unless CI=true.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/go-toolchain.sh"
stubs="$root/scripts/teststubs"

if ! command -v go >/dev/null 2>&1; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-deploy: FAIL: go is required to build the aws stub (CI=true)" >&2
    exit 1
  fi
  echo "test-deploy: SKIP: go is not installed (needed to build the aws stub)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- stubs --------------------------------------------------------------------------------------
mkdir -p "$tmp/bin" "$tmp/docker-bin"
# GOPROXY=off: build from the module cache only; a missing module is an error, never a download.
if ! GOPROXY=off GOFLAGS=-mod=readonly go -C "$stubs/aws" build -o "$tmp/bin/aws" . 2>"$tmp/build.log"; then
  cat "$tmp/build.log" >&2
  echo "test-deploy: FAIL: cannot build the aws stub (run 'go -C scripts/teststubs/aws mod download' first)" >&2
  exit 1
fi
GOPROXY=off go -C "$stubs/aws" vet . || { echo "test-deploy: FAIL: go vet of the aws stub" >&2; exit 1; }
for tool in terraform git make podman; do ln -s "$stubs/bin/stub" "$tmp/bin/$tool"; done
ln -s "$stubs/bin/stub" "$tmp/docker-bin/docker"

token=$(tr -d '\n' <"$stubs/fixtures/ecr_get-login-password.txt")
repo=123456789012.dkr.ecr.us-east-1.amazonaws.com/actors
sha=0123456789ab
tag=$sha-amd64
previous=fedcba987654-amd64 # the image the fixture's outputs say runs now
# the secret's password, as the fixture's JSON escapes it (\u0026 is &, \" is ")
password='Zq7P&bWw2kT9s"Xv4L:mN8cR1yH6dJ3fG5e'

# ---- harness --------------------------------------------------------------------------------------
passed=0
failed=0
case_dir=""
case_name=""
case_failed=0

# start NAME: a fresh case: own fixtures, log, fake terraform state and outputs, clean env with
# AWS_REGION=us-east-1 and an ECR repository in the state (the stack exists).
start() {
  case_name=$1
  case_failed=0
  calls=() out="" err="" rc=""
  case_dir="$tmp/cases/$1"
  mkdir -p "$case_dir/state" "$case_dir/tf"
  cp -r "$stubs/fixtures" "$case_dir/fixtures"
  : >"$case_dir/log"
  touch "$case_dir/state/aws_ecr_repository.this"
  unset STUB_FAIL ALLOW_DIRTY CONTAINER_TOOL PLATFORM MAKE AUTO_APPROVE FOLLOW SINCE STUB_CPU_ARCHITECTURE \
    STUB_NO_BUILDX IMAGE_TAG PASSWORD_FILE AWS_DEFAULT_REGION AWS_PROFILE TF_VAR_region TF_VAR_rotate_password \
    ACTORS_USERNAME ACTORS_PASSWORD DOCKER_BUILDKIT IMAGE VERSION ROLLOUT_TIMEOUT EVENTS
  # A rollout in progress is polled again at once.
  export AWS_REGION=us-east-1 ROLLOUT_POLL_SECONDS=0
  export STUB_LOG="$case_dir/log" STUB_FIXTURES="$case_dir/fixtures" STUB_STATE="$case_dir/state"
  export STUB_OUTPUTS="$case_dir/fixtures/outputs" STUB_GIT_SHA="$sha" STUB_GIT_STATUS="" STUB_ECR_TOKEN="$token"
  export TF_DIR="$case_dir/tf"
  export PATH="$tmp/bin:$tmp/docker-bin:/usr/bin:/bin"
}

# first_deploy: nothing deployed yet: no repository in the state, no image running.
first_deploy() {
  rm "$case_dir/state/aws_ecr_repository.this"
  sed -i '/^image=/d' "$case_dir/fixtures/outputs"
}

# in_ecr TAG: the repository has an image with this tag (other tags are still not found).
in_ecr() {
  printf '{"imageDetails": [{"registryId": "123456789012", "repositoryName": "actors", "imageTags": ["%s"]}]}\n' "$1" \
    >"$case_dir/fixtures/ecr_describe-images@imageTag=$1.json"
}

# run_script PATH [STDIN]: run a script (with STDIN on its standard input, else none); its
# status, stdout, stderr and the calls it made are kept for the checks (in shell variables:
# this machine forks slowly, so checks spawn nothing).
run_script() {
  printf '%s' "${2:-}" >"$case_dir/in"
  set +e
  bash "$1" >"$case_dir/out" 2>"$case_dir/err" <"$case_dir/in"
  rc=$?
  set -e
  out=$(<"$case_dir/out")
  err=$(<"$case_dir/err")
  mapfile -t calls <"$case_dir/log"
}

# verb NAME [STDIN]: run scripts/deploy/NAME.sh.
verb() { run_script "$root/scripts/deploy/$1.sh" "${2:-}"; }

fail() {
  echo "  FAIL [$case_name]: $*" >&2
  case_failed=1
}

done_case() {
  if ((case_failed)); then
    failed=$((failed + 1))
    echo "--- $case_name: calls were:" >&2
    printf '    %s\n' "${calls[@]}" >&2
    echo "--- $case_name: stderr was:" >&2
    printf '    %s\n' "$err" >&2
  else
    passed=$((passed + 1))
    echo "ok   $case_name"
  fi
}

# index of the first call matching an extended regex, or -1
find_call() {
  local i
  for i in "${!calls[@]}"; do
    if [[ "${calls[$i]}" =~ $1 ]]; then
      echo "$i"
      return
    fi
  done
  echo -1
}

expect_rc() { [[ "$rc" == "$1" ]] || fail "exit status $rc, want $1"; }
expect_stdout() { [[ "$out" == "$1" ]] || fail "stdout '$out', want '$1'"; }
expect_stderr() { [[ "$err" == *"$1"* ]] || fail "stderr lacks '$1'"; }
expect_call() { [[ $(find_call "$1") != -1 ]] || fail "no call matching /$1/"; }
expect_no_call() {
  local i
  i=$(find_call "$1")
  [[ $i == -1 ]] || fail "unexpected call matching /$1/: ${calls[$i]}"
}
# calls matching each regex happen, in this order
expect_order() {
  local last=-1 n re
  for re in "$@"; do
    n=$(find_call "$re")
    if ((n == -1)); then
      fail "no call matching /$re/"
      return
    fi
    ((n > last)) || fail "call /$re/ (#$n) comes before the previous step (#$last)"
    last=$n
  done
}
# arg_of CALL_REGEX PREFIX: the rest of the first word starting with PREFIX in the first matching call
arg_of() {
  local i word
  i=$(find_call "$1")
  ((i != -1)) || return 0
  for word in ${calls[$i]}; do
    if [[ "$word" == "$2"* ]]; then
      printf '%s' "${word#"$2"}"
      return
    fi
  done
}
# no secret in any argv: what ps would show to every user of the machine
expect_not_in_calls() {
  local c
  for c in "${calls[@]}"; do
    [[ "$c" != *"$1"* ]] || fail "a command line holds the secret: $c"
  done
}
# the state file the stubs wrote, as text
state_file() { if [[ -f "$case_dir/state/$1" ]]; then cat "$case_dir/state/$1"; fi; }

apply_tag="^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -var image_tag="

# ---- deploy ---------------------------------------------------------------------------------------
start deploy_first_time_with_docker
first_deploy
verb deploy
expect_rc 0
expect_order \
  "^aws sts get-caller-identity --region us-east-1 --query \[Account, Arn\] --output text$" \
  "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* output -raw account_id$" \
  "^terraform -chdir=.* output -raw region$" \
  "^terraform -chdir=.* console -var region=us-east-1$" \
  "^git -C .* rev-parse --short=12 HEAD$" \
  "^git -C .* status --porcelain$" \
  "^terraform -chdir=.* state list aws_ecr_repository.this$" \
  "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this$" \
  "^terraform -chdir=.* output -raw ecr_repository_url$" \
  "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
  "^make -C $root image IMAGE=$repo:$tag VERSION=$tag CONTAINER_TOOL=docker PLATFORM=linux/amd64$" \
  "^aws ecr get-login-password --region us-east-1$" \
  "^docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
  "^docker push $repo:$tag$" \
  "${apply_tag}$tag$" \
  "^aws ecs wait services-stable --region us-east-1 --cluster actors --services actors$" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query" \
  "^aws ecs list-tasks " \
  "^aws ec2 describe-network-interfaces " \
  "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$" \
  "^make -C $root smoke URL=http://203.0.113.45:5000$"
built=$(arg_of "^make .* image " "IMAGE=$repo:")
pushed=$(arg_of "^docker push " "$repo:")
applied=$(arg_of "^terraform .* apply .*-var image_tag" "image_tag=")
[[ "$built" == "$tag" && "$pushed" == "$tag" && "$applied" == "$tag" ]] ||
  fail "tag built '$built', pushed '$pushed', applied '$applied': want all '$tag' (commit and architecture)"
expect_stderr "AWS account 123456789012 (arn:aws:iam::123456789012:user/deployer), region us-east-1"
[[ "$(state_file smoke_env)" == "actors"$'\n'"$password" ]] ||
  fail "the smoke test must get the secret's username and password in ACTORS_USERNAME/ACTORS_PASSWORD, got '$(state_file smoke_env)'"
expect_not_in_calls "$password"
expect_no_call "^podman "
expect_stdout "http://203.0.113.45:5000"
done_case

start deploy_again_reuses_repository_and_image
in_ecr "$tag"
verb deploy
expect_rc 0
expect_no_call "apply .*-target="
expect_no_call "^make .* image "
expect_no_call "^docker "
expect_no_call "get-login-password"
expect_order "^aws ecr describe-images " "${apply_tag}$tag$" "^aws ecs wait services-stable " "^make .* smoke "
expect_stdout "http://203.0.113.45:5000"
done_case

start deploy_other_architecture_builds_its_own_image
# The amd64 image of this commit is in ECR; the tasks now run on ARM64: it must not be reused.
export STUB_CPU_ARCHITECTURE=ARM64
in_ecr "$tag"
verb deploy
expect_rc 0
expect_order \
  "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$sha-arm64$" \
  "^make -C $root image IMAGE=$repo:$sha-arm64 VERSION=$sha-arm64 CONTAINER_TOOL=docker PLATFORM=linux/arm64$" \
  "^docker push $repo:$sha-arm64$" \
  "${apply_tag}$sha-arm64$"
expect_no_call "imageTag=$tag"
done_case

start deploy_stops_when_ecr_cannot_say
# Only "image not found" means "build it": any other error must stop the deploy.
printf '\nAn error occurred (AccessDeniedException) when calling the DescribeImages operation: User is not authorized to perform: ecr:DescribeImages\n' \
  >"$case_dir/fixtures/ecr_describe-images.err"
verb deploy
expect_rc 1
expect_stderr "cannot tell whether actors:$tag is in ECR"
expect_stderr "AccessDeniedException"
expect_no_call "^make |^docker |apply .*-var image_tag"
done_case

start deploy_with_podman_arm64_and_remote_state
export CONTAINER_TOOL=podman STUB_CPU_ARCHITECTURE=ARM64
touch "$TF_DIR/backend.hcl"
verb deploy
expect_rc 0
expect_call "^terraform -chdir=.* init -input=false -backend-config=backend.hcl$"
expect_order \
  "^make -C $root image IMAGE=$repo:$sha-arm64 VERSION=$sha-arm64 CONTAINER_TOOL=podman PLATFORM=linux/arm64$" \
  "^podman login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
  "^podman push $repo:$sha-arm64$" \
  "${apply_tag}$sha-arm64$"
expect_no_call "^docker "
done_case

if [[ ! -e /usr/bin/docker && ! -e /bin/docker ]]; then
  start deploy_detects_podman_without_docker
  export PATH="$tmp/bin:/usr/bin:/bin"
  verb deploy
  expect_rc 0
  expect_call "^make .* CONTAINER_TOOL=podman PLATFORM=linux/amd64$"
  expect_call "^podman push $repo:$tag$"
  done_case
fi

start deploy_without_a_container_tool
export PATH="$tmp/bin:/usr/bin:/bin" CONTAINER_TOOL=no-such-tool
verb deploy
expect_rc 1
expect_stderr "'no-such-tool' is required"
expect_no_call "^(terraform|aws) "
done_case

start deploy_refuses_dirty_tree
export STUB_GIT_STATUS=" M internal/actors/actor.go"
verb deploy
expect_rc 1
expect_stderr "uncommitted changes"
expect_stderr "ALLOW_DIRTY=1"
expect_no_call "^(make|docker) |apply "
done_case

start deploy_dirty_tree_allowed_gets_unique_tag
export STUB_GIT_STATUS="?? notes.txt" ALLOW_DIRTY=1
verb deploy
expect_rc 0
built=$(arg_of "^make .* image " "IMAGE=$repo:")
pushed=$(arg_of "^docker push " "$repo:")
applied=$(arg_of "^terraform .* apply .*-var image_tag" "image_tag=")
[[ "$built" =~ ^$sha-dirty-[0-9]{14}-amd64$ ]] || fail "dirty tag '$built' is not $sha-dirty-<UTC timestamp>-amd64"
[[ "$(arg_of "^make .* image " "VERSION=")" == "$built" ]] || fail "the binary's version must be the image tag"
[[ "$built" == "$pushed" && "$pushed" == "$applied" ]] || fail "tag built '$built', pushed '$pushed', applied '$applied' differ"
done_case

start deploy_review_the_plan_with_auto_approve_0
export AUTO_APPROVE=0
in_ecr "$tag"
verb deploy
expect_rc 0
expect_call "^terraform -chdir=.* apply -input=false -var region=us-east-1 -var image_tag=$tag$"
done_case

start deploy_stops_when_build_fails
export STUB_FAIL="make "
verb deploy
expect_rc 1
expect_stderr "building $repo:$tag failed"
expect_no_call "get-login-password|^docker |apply .*-var image_tag"
done_case

start deploy_stops_when_login_fails
export STUB_FAIL="aws ecr get-login-password"
verb deploy
expect_rc 1
expect_stderr "AccessDeniedException"
expect_stderr "could not log in to 123456789012.dkr.ecr.us-east-1.amazonaws.com"
expect_no_call "^docker push |apply .*-var image_tag|ecs wait"
done_case

start deploy_stops_when_push_fails
export STUB_FAIL="docker push"
verb deploy
expect_rc 1
expect_stderr "could not push $repo:$tag"
expect_no_call "apply .*-var image_tag|ecs wait"
done_case

start deploy_stops_when_apply_fails
export STUB_FAIL="terraform -chdir=$TF_DIR apply -input=false -auto-approve -var region=us-east-1 -var image_tag"
verb deploy
expect_rc 1
expect_stderr "terraform apply failed"
expect_no_call "ecs wait|list-tasks|smoke"
done_case

start deploy_stops_when_service_never_stable
export STUB_FAIL="aws ecs wait"
verb deploy
expect_rc 1
expect_stderr "did not become stable"
expect_stderr "make deploy IMAGE_TAG=$previous"
expect_no_call "describe-services|list-tasks|smoke"
done_case

start deploy_detects_rollback
sed -i 's|task-definition/actors:7"|task-definition/actors:6"|g' "$case_dir/fixtures/ecs_describe-services.json"
verb deploy
expect_rc 1
expect_stderr "rolled back"
expect_stderr "task-definition/actors:6"
expect_stderr "make deploy IMAGE_TAG=$previous"
expect_no_call "list-tasks|smoke"
done_case

# With deployment alarms ECS keeps the deployment in progress for a bake time after the service is
# stable, and may roll it back then: deploy waits for the rollout to end.
start deploy_waits_for_the_bake_time
sed 's/"rolloutState": "COMPLETED"/"rolloutState": "IN_PROGRESS"/' "$case_dir/fixtures/ecs_describe-services.json" \
  >"$case_dir/fixtures/ecs_describe-services#1.json"
verb deploy
expect_rc 0
expect_order "^aws ecs wait services-stable " "^aws ecs describe-services .*rolloutState" "^make .* smoke "
polls=0
for c in "${calls[@]}"; do [[ "$c" != "aws ecs describe-services "*rolloutState* ]] || polls=$((polls + 1)); done
((polls == 2)) || fail "the rollout must be polled until it completes: $polls polls, want 2"
expect_stderr "deployment ecs-svc/1234567890123456789 is in progress: ECS watches its alarms"
expect_stdout "http://203.0.113.45:5000"
done_case

start deploy_rolled_back_by_an_alarm_during_the_bake_time
sed 's/"rolloutState": "COMPLETED"/"rolloutState": "IN_PROGRESS"/' "$case_dir/fixtures/ecs_describe-services.json" \
  >"$case_dir/fixtures/ecs_describe-services#1.json"
sed -i 's|task-definition/actors:7"|task-definition/actors:6"|g' "$case_dir/fixtures/ecs_describe-services.json"
verb deploy
expect_rc 1
expect_stderr "deployment of $tag failed and was rolled back: the service runs arn:aws:ecs:us-east-1:123456789012:task-definition/actors:6"
expect_stderr "make status names the alarm"
expect_stderr "make deploy IMAGE_TAG=$previous"
expect_no_call "list-tasks|smoke"
done_case

start deploy_stops_waiting_for_a_rollout_that_never_ends
sed -i 's/"rolloutState": "COMPLETED"/"rolloutState": "IN_PROGRESS"/' "$case_dir/fixtures/ecs_describe-services.json"
export ROLLOUT_TIMEOUT=0
verb deploy
expect_rc 1
expect_stderr "deployment ecs-svc/1234567890123456789 of service actors is still in progress after 0 s"
expect_no_call "smoke"
done_case

start deploy_that_failed_and_could_not_roll_back
# The first deployment has nothing to go back to: ECS marks it FAILED.
sed -i 's/"rolloutState": "COMPLETED"/"rolloutState": "FAILED"/' "$case_dir/fixtures/ecs_describe-services.json"
verb deploy
expect_rc 1
expect_stderr "ended FAILED and could not be rolled back"
expect_no_call "smoke"
done_case

# ---- deploy: the smoke test and going back ---------------------------------------------------------
start deploy_fails_when_the_smoke_test_fails
export STUB_FAIL="make -C $root smoke"
verb deploy
expect_rc 1
expect_order "^aws ecs wait services-stable " "^aws ecs describe-services " "^make -C $root smoke URL=http://203.0.113.45:5000$"
expect_stderr "smoke test failed against http://203.0.113.45:5000"
expect_stderr "To go back to the image that ran before: make deploy IMAGE_TAG=$previous"
expect_stdout ""
done_case

start first_deploy_smoke_failure_has_nothing_to_go_back_to
first_deploy
export STUB_FAIL="make -C $root smoke"
verb deploy
expect_rc 1
expect_stderr "smoke test failed"
expect_stderr "no earlier deployment to go back to"
done_case

start deploy_an_earlier_image_tag
export IMAGE_TAG=$previous
in_ecr "$previous"
verb deploy
expect_rc 0
expect_no_call "^git |^make .* image |^docker |get-login-password|apply .*-target="
expect_order "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$previous$" \
  "${apply_tag}$previous$" "^aws ecs wait services-stable " "^make .* smoke "
done_case

start deploy_an_image_tag_not_in_ecr
export IMAGE_TAG=0badc0ffee00-amd64
printf '{"imageDetails": [{"imageTags": ["%s"], "imagePushedAt": "2026-01-02T00:00:00+00:00"}, {"imageTags": ["aaaaaaaaaaaa-amd64"], "imagePushedAt": "2026-01-01T00:00:00+00:00"}]}\n' \
  "$previous" >"$case_dir/fixtures/ecr_describe-images@reverse(sort_by(imageDetails, &imagePushedAt))[:10].imageTags[].json"
verb deploy
expect_rc 1
expect_stderr "there is no image 0badc0ffee00-amd64 in $repo"
expect_stderr "most recently pushed tags: $previous"$'\t'"aaaaaaaaaaaa-amd64"
expect_no_call "apply "
done_case

start deploy_refuses_an_image_of_another_architecture
export IMAGE_TAG=$sha-arm64
in_ecr "$sha-arm64"
verb deploy
expect_rc 1
expect_stderr "built for arm64, but the tasks run on amd64"
expect_no_call "apply "
done_case

# ---- preflight: credentials and region ------------------------------------------------------------
start preflight_without_credentials
printf '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n' \
  >"$case_dir/fixtures/sts_get-caller-identity.err"
verb deploy
expect_rc 1
expect_stderr "no AWS credentials"
expect_stderr "aws configure"
expect_no_call "^terraform "
done_case

start preflight_with_expired_credentials
printf '\nAn error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired\n' \
  >"$case_dir/fixtures/sts_get-caller-identity.err"
verb plan
expect_rc 1
expect_stderr "the AWS credentials have expired"
expect_stderr "aws sso login"
expect_no_call "^terraform "
done_case

start preflight_region_from_terraform_tfvars
# terraform.tfvars is what Terraform reads: it wins over AWS_REGION, and is passed on explicitly.
export AWS_REGION=eu-west-1
printf '# the stack\nregion = "us-east-1" # pinned\n' >"$TF_DIR/terraform.tfvars"
in_ecr "$tag"
verb deploy
expect_rc 0
expect_call "^aws sts get-caller-identity --region us-east-1 "
expect_call "${apply_tag}$tag$"
done_case

start preflight_without_a_region
unset AWS_REGION
printf '' >"$case_dir/fixtures/configure_get.err"
verb deploy
expect_rc 1
expect_stderr "no AWS region"
expect_call "^aws configure get region$"
expect_no_call "^aws sts |^terraform "
done_case

start deploy_refuses_another_account
# Another shell, whose credentials are for another account: the stack is in 123456789012.
sed -i 's/"Account": "123456789012"/"Account": "210987654321"/' "$case_dir/fixtures/sts_get-caller-identity.json"
verb deploy
expect_rc 1
expect_stderr "this stack is in AWS account 123456789012, but these credentials are for account 210987654321"
expect_no_call "^make |^docker |apply |state list"
done_case

start deploy_refuses_another_region
# Another shell, whose profile says eu-west-1: the stack is in us-east-1.
unset AWS_REGION
printf 'eu-west-1\n' >"$case_dir/fixtures/configure_get.txt"
verb deploy
expect_rc 1
expect_call "^aws sts get-caller-identity --region eu-west-1 "
expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
expect_no_call "^make |^docker |apply |state list"
done_case

# ---- plan -----------------------------------------------------------------------------------------
start plan_changes_nothing
verb plan
expect_rc 0
expect_order \
  "^aws sts get-caller-identity " \
  "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* output -raw region$" \
  "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
  "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag$"
expect_stderr "make deploy would build and push $repo:$tag"
[[ "$out" == *"Plan: 0 to add, 1 to change, 0 to destroy."* ]] || fail "the plan must be printed on stdout"
expect_no_call "apply |^make |^docker |get-login-password|ecs "
done_case

start plan_before_the_first_deploy
first_deploy
verb plan
expect_rc 0
expect_stderr "first deploy: make deploy would create the ECR repository, then build and push $tag"
expect_call "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag$"
expect_no_call "apply |describe-images"
done_case

start plan_of_uncommitted_changes
export STUB_GIT_STATUS=" M terraform/variables.tf"
verb plan
expect_rc 0
expect_stderr "make deploy would refuse them without ALLOW_DIRTY=1"
[[ "$(arg_of "^terraform .* plan " "image_tag=")" =~ ^$sha-dirty-[0-9]{14}-amd64$ ]] || fail "a dirty plan must use a dirty tag"
done_case

# ---- rotate-password ------------------------------------------------------------------------------
generated=Hq4TnV8wXc2ZpL6mRb9Ks3Fy7Dj5Ge1A
start rotate_password_generates_one_and_rolls_the_tasks
verb rotate-password
expect_rc 0
expect_order \
  "^aws sts get-caller-identity " \
  "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* output -raw region$" \
  "^aws secretsmanager get-random-password --region us-east-1 --password-length 32 --exclude-punctuation --query RandomPassword --output text$" \
  "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -replace=terraform_data.password -target=aws_secretsmanager_secret_version.credentials$" \
  "^aws ecs update-service --region us-east-1 --cluster actors --service actors --force-new-deployment --query" \
  "^aws ecs wait services-stable --region us-east-1 --cluster actors --services actors$" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query"
[[ "$(state_file TF_VAR_rotate_password)" == "$generated" ]] || fail "terraform must get the new password in TF_VAR_rotate_password"
expect_not_in_calls "$generated"
expect_stderr "make credentials"
expect_stdout ""
done_case

start rotate_password_from_stdin
export PASSWORD_FILE=-
verb rotate-password "Given-through-stdin-0123456789"$'\n'
expect_rc 0
[[ "$(state_file TF_VAR_rotate_password)" == "Given-through-stdin-0123456789" ]] || fail "the password from stdin must reach terraform, got '$(state_file TF_VAR_rotate_password)'"
expect_not_in_calls "Given-through-stdin-0123456789"
done_case

start rotate_password_from_a_file
printf 'Given through a file: #1 <&>\n' >"$case_dir/password"
export PASSWORD_FILE="$case_dir/password"
verb rotate-password
expect_rc 0
[[ "$(state_file TF_VAR_rotate_password)" == 'Given through a file: #1 <&>' ]] || fail "the password from the file must reach terraform, got '$(state_file TF_VAR_rotate_password)'"
expect_no_call "get-random-password"
done_case

start rotate_password_refuses_a_short_one
export PASSWORD_FILE=-
verb rotate-password "short"
expect_rc 1
expect_stderr "16 to 128 printable ASCII characters"
expect_no_call "apply |update-service"
done_case

start rotate_password_stops_when_apply_fails
export STUB_FAIL="terraform -chdir=$TF_DIR apply"
verb rotate-password
expect_rc 1
expect_stderr "the password was not changed"
expect_no_call "update-service"
done_case

start rotate_password_detects_a_rolled_back_deployment
sed -i 's|"id": "ecs-svc/1234567890123456789"|"id": "ecs-svc/5555555555555555555"|' "$case_dir/fixtures/ecs_describe-services.json"
verb rotate-password
expect_rc 1
expect_stderr "the new deployment ecs-svc/1234567890123456789 was rolled back"
done_case

# ---- status --------------------------------------------------------------------------------------
status_alarms="actors-listActors-5xx-rate actors-getActor-5xx-rate actors-listActors-p99-latency actors-getActor-p99-latency actors-cpu actors-memory actors-tasks-below-desired"

start status_shows_the_service
verb status
expect_rc 0
expect_order \
  "^aws sts get-caller-identity " \
  "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* output -raw region$" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.\[status, runningCount, pendingCount, desiredCount\] --output text$" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.deployments\[\]" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.events\[:10\]" \
  "^terraform -chdir=.* output -json alarm_names$" \
  "^aws cloudwatch describe-alarms --region us-east-1 --state-value ALARM --alarm-names $status_alarms --query" \
  "^aws ecs list-tasks "
[[ "$out" == *$'\nurl       http://203.0.113.45:5000\n'* ]] || fail "no url line"
[[ "$out" == *$'\nrollout   COMPLETED (ECS deployment ecs-svc/1234567890123456789 completed.)\n'* ]] || fail "no rollout line"
[[ "$out" == *$'\ntasks     1 running, 0 pending, 1 desired\n'* ]] || fail "no task counts"
[[ "$out" == *$'\ndeployments\n'"$(printf '  %-8s %-12s %-22s %s' PRIMARY COMPLETED actors:7 '1 running, 0 pending, 1 desired')"$'\n'* ]] ||
  fail "no deployment line"
[[ "$out" == *$'\nalarms in ALARM: 1 of 7\n  actors-getActor-p99-latency since 2026-01-02T03:09:12.345000+00:00\n    Threshold Crossed: 3 out of the last 5 datapoints'* ]] ||
  fail "the alarm in ALARM must be listed with when and why"
[[ "$out" == *$'\nlast service events\n  2026-01-02T03:09:41.123000+00:00  (service actors) has reached a steady state.\n'* ]] ||
  fail "the last events must be listed, newest first"
[[ "$out" == *"(service actors) has started 1 tasks"* ]] || fail "every event up to EVENTS must be listed"
expect_stderr "AWS account 123456789012 (arn:aws:iam::123456789012:user/deployer), region us-east-1"
expect_no_call "apply|destroy|plan|update-service|get-secret-value"
done_case

start status_during_a_deployment
# The new deployment (revision 7) is starting; the old one (6) still serves.
cat >"$case_dir/fixtures/ecs_describe-services.json" <<'JSON'
{"services": [{
  "status": "ACTIVE", "desiredCount": 1, "runningCount": 1, "pendingCount": 1,
  "deployments": [
    {"id": "ecs-svc/1234567890123456789", "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/actors:7",
     "desiredCount": 1, "runningCount": 0, "pendingCount": 1, "rolloutState": "IN_PROGRESS",
     "rolloutStateReason": "ECS deployment ecs-svc/1234567890123456789 in progress."},
    {"id": "ecs-svc/9876543210987654321", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/actors:6",
     "desiredCount": 1, "runningCount": 1, "pendingCount": 0, "rolloutState": "COMPLETED",
     "rolloutStateReason": "ECS deployment ecs-svc/9876543210987654321 completed."}
  ],
  "events": [
    {"createdAt": "2026-01-02T04:00:02.000000+00:00", "message": "(service actors) has started 1 tasks: (task 0a1b2c3d4e5f60718293a4b5c6d7e8f9)."}
  ]
}], "failures": []}
JSON
printf '{"MetricAlarms": [], "CompositeAlarms": []}\n' >"$case_dir/fixtures/cloudwatch_describe-alarms.json"
export EVENTS=3
verb status
expect_rc 0
[[ "$out" == *$'\nrollout   IN_PROGRESS (ECS deployment ecs-svc/1234567890123456789 in progress.)\n'* ]] || fail "the rollout must be in progress"
[[ "$out" == *$'\ntasks     1 running, 1 pending, 1 desired\n'* ]] || fail "no task counts"
[[ "$out" == *$'\ndeployments\n'"$(printf '  %-8s %-12s %-22s %s\n' PRIMARY IN_PROGRESS actors:7 '0 running, 1 pending, 1 desired' ACTIVE COMPLETED actors:6 '1 running, 0 pending, 1 desired')"$'\n'* ]] ||
  fail "both deployments must be listed"
[[ "$out" == *$'\nalarms in ALARM: 0 of 7\n'* ]] || fail "no alarm in ALARM must say so"
expect_call "services\[0\]\.events\[:3\]"
done_case

start status_without_a_running_task
echo '{"taskArns": []}' >"$case_dir/fixtures/ecs_list-tasks.json"
verb status
expect_rc 0
[[ "$out" == *$'\nurl       unknown: service actors has no running task (see make logs)\n'* ]] || fail "a missing address must be explained, not stop the status"
[[ "$out" == *$'\ntasks     1 running, 0 pending, 1 desired\n'* ]] || fail "the rest must still be shown"
done_case

start status_of_a_stack_without_alarms_yet
sed -i '/^alarm_names=/d' "$case_dir/fixtures/outputs"
verb status
expect_rc 0
[[ "$out" == *$'\nalarms    unknown: the Terraform state names none (make deploy creates them)\n'* ]] || fail "a stack deployed before the alarms must say so"
expect_no_call "describe-alarms"
done_case

start status_asks_for_a_hundred_alarms_a_call
json=""
for i in $(seq 1 150); do json+="${json:+,}\"actors-op$i-5xx-rate\""; done
sed -i "s|^alarm_names=.*|alarm_names=[$json]|" "$case_dir/fixtures/outputs"
verb status
expect_rc 0
first=$(find_call "describe-alarms .*--alarm-names actors-op1-5xx-rate ")
second=$(find_call "describe-alarms .*--alarm-names actors-op101-5xx-rate ")
((first != -1 && second != -1)) || fail "150 alarms must be asked for in two calls"
((first == -1)) || [[ "${calls[$first]}" == *"actors-op100-5xx-rate --query"* ]] || fail "the first call must name alarms 1 to 100"
((second == -1)) || [[ "${calls[$second]}" == *"actors-op150-5xx-rate --query"* ]] || fail "the second call must name alarms 101 to 150"
[[ "$out" == *$'\nalarms in ALARM: 2 of 150\n'* ]] || fail "each call's alarms in ALARM must be counted"
done_case

start status_without_a_stack
printf 'region=us-east-1\n' >"$case_dir/fixtures/outputs"
verb status
expect_rc 1
expect_stderr "no 'cluster_name' in the Terraform state: is the stack deployed?"
expect_no_call "^aws (ecs|cloudwatch) "
done_case

start status_of_a_service_that_is_gone
printf '{"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/actors/actors", "reason": "MISSING"}]}\n' \
  >"$case_dir/fixtures/ecs_describe-services.json"
verb status
expect_rc 1
expect_stderr "service actors of cluster actors is not there in us-east-1: is the stack deployed? (make deploy)"
done_case

start status_refuses_another_region
export AWS_REGION=eu-west-1
verb status
expect_rc 1
expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
expect_no_call "^aws (ecs|cloudwatch) "
done_case

start status_refuses_a_bad_events_count
export EVENTS=0
verb status
expect_rc 1
expect_stderr "EVENTS must be a number from 1 to 100"
expect_no_call "^(aws|terraform) "
done_case

# ---- the image build: --load with buildx ----------------------------------------------------------
start image_build_loads_into_the_local_store_with_buildx
export CONTAINER_TOOL=docker IMAGE="$repo:$tag" PLATFORM=linux/amd64 VERSION=$tag
run_script "$root/scripts/image.sh"
expect_rc 0
expect_order "^docker buildx version$" "^docker build .*--platform linux/amd64 --load .$"
done_case

start image_build_without_buildx
export CONTAINER_TOOL=docker IMAGE="$repo:$tag" STUB_NO_BUILDX=1
run_script "$root/scripts/image.sh"
expect_rc 0
expect_call "^docker build "
expect_no_call " --load( |$)"
done_case

# ---- get_ip / url ---------------------------------------------------------------------------------
start get_ip_follows_task_eni_public_ip
verb get_ip
expect_rc 0
expect_stdout "203.0.113.45"
expect_order \
  "^aws ecs list-tasks --region us-east-1 --cluster actors --service-name actors --desired-status RUNNING --query" \
  "^aws ecs describe-tasks --region us-east-1 --cluster actors --tasks arn:aws:ecs:us-east-1:123456789012:task/actors/4b5d0f1c2e3a4b6c8d9e0f1a2b3c4d5e --query" \
  "^aws ec2 describe-network-interfaces --region us-east-1 --network-interface-ids eni-0f1e2d3c4b5a69788 --query"
done_case

start get_ip_without_running_task
echo '{"taskArns": []}' >"$case_dir/fixtures/ecs_list-tasks.json"
verb get_ip
expect_rc 1
expect_stderr "no running task"
expect_no_call "describe-tasks"
done_case

start get_ip_without_a_stack
printf 'region=us-east-1\n' >"$case_dir/fixtures/outputs"
verb get_ip
expect_rc 1
expect_stderr "is the stack deployed?"
expect_no_call "^aws "
done_case

start url_with_a_domain_name
sed -i 's|^url=.*|url=https://actors.example.com|' "$case_dir/fixtures/outputs"
verb url
expect_rc 0
expect_stdout "https://actors.example.com"
expect_no_call "^aws "
done_case

start url_without_alb
verb url
expect_rc 0
expect_stdout "http://203.0.113.45:5000"
done_case

# ---- credentials / logs / delete ------------------------------------------------------------------
start credentials_from_secrets_manager
verb credentials
expect_rc 0
expect_stdout '{"password":"Zq7P\u0026bWw2kT9s\"Xv4L:mN8cR1yH6dJ3fG5e","username":"actors"}'
expect_call "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$"
done_case

start logs_follow_the_log_group
verb logs
expect_rc 0
expect_call "^aws logs tail /ecs/actors --region us-east-1 --since 1h --follow$"
[[ "$out" == *'"msg":"listening"'* ]] || fail "log lines not printed"
done_case

start logs_without_follow
export FOLLOW=0 SINCE=2h
verb logs
expect_rc 0
expect_call "^aws logs tail /ecs/actors --region us-east-1 --since 2h$"
done_case

start delete_asks_for_the_stack_name
verb delete "actors"$'\n'
expect_rc 0
expect_stderr 'This destroys the stack "actors" in AWS account 123456789012, region us-east-1'
expect_order "^aws sts get-caller-identity " "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* output -raw region$" "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
[[ -z "$(ls "$case_dir/state")" ]] || fail "state not emptied"
done_case

start delete_without_confirmation_deletes_nothing
verb delete "yes"$'\n'
expect_rc 1
expect_stderr "not confirmed"
expect_no_call "destroy"
verb delete ""
expect_rc 1
expect_no_call "destroy"
done_case

start delete_with_auto_approve
export AUTO_APPROVE=1
verb delete
expect_rc 0
expect_call "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
[[ "$err" != *"Type the stack name"* ]] || fail "AUTO_APPROVE=1 must not ask"
done_case

start delete_refuses_another_region
# From another region, terraform destroy would find nothing and forget the real stack.
export AWS_REGION=eu-west-1 AUTO_APPROVE=1
verb delete
expect_rc 1
expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
expect_no_call "destroy"
done_case

start delete_without_a_stack
printf '' >"$case_dir/fixtures/outputs"
export AUTO_APPROVE=1
verb delete
expect_rc 1
expect_stderr "nothing to delete"
expect_no_call "destroy"
done_case

start delete_reports_destroy_failure
export STUB_FAIL="terraform -chdir=$TF_DIR destroy" AUTO_APPROVE=1
verb delete
expect_rc 1
expect_stderr "stubbed failure"
done_case

# ---- portability ----------------------------------------------------------------------------------
# macOS runs the verbs with bash 3.2, which this machine lacks: there, "${a[@]}" of an empty array
# is an unbound-variable error under set -u, and mapfile, associative arrays and ${x,,} do not
# exist. Check the verbs' source for them.
start verbs_run_on_bash_3_2
for f in "$root"/scripts/deploy/*.sh; do
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    [[ "$line" =~ ^[[:space:]]*# ]] && continue
    if [[ "$line" =~ \"\$\{[A-Za-z_][A-Za-z_0-9]*\[@\]\}\" || "$line" =~ (^|[^A-Za-z_])(mapfile|readarray)[[:space:]] ||
      "$line" =~ (declare|local|typeset)[[:space:]]+-[a-zA-Z]*A || "$line" =~ \$\{[A-Za-z_][A-Za-z_0-9]*(,,|\^\^) ]]; then
      fail "${f#"$root"/}:$n is not bash 3.2 with set -u: $line"
    fi
  done <"$f"
done
done_case

echo "$passed passed, $failed failed"
((failed == 0))
