#!/usr/bin/env bash
# Tests the deploy verbs (scripts/deploy/*.sh) offline: stub aws, terraform, docker, podman, git
# and make executables first on PATH record their arguments and answer like the real tools (the
# aws stub answers with documents shaped like the AWS CLI's and evaluates --query as the CLI does).
# Asserts the order and arguments of the calls, what the verbs print, and that a failing step
# stops the chain with its error.
#
# Needs go (to build the aws stub from this module, offline); skips without it unless CI=true.
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
if ! GOPROXY=off GOFLAGS=-mod=readonly go -C "$root" build -o "$tmp/bin/aws" ./scripts/teststubs/aws 2>"$tmp/build.log"; then
  cat "$tmp/build.log" >&2
  echo "test-deploy: FAIL: cannot build the aws stub (run 'go mod download' first)" >&2
  exit 1
fi
for tool in terraform git make podman; do ln -s "$stubs/bin/stub" "$tmp/bin/$tool"; done
ln -s "$stubs/bin/stub" "$tmp/docker-bin/docker"

token=$(tr -d '\n' <"$stubs/fixtures/ecr_get-login-password.txt")
repo=123456789012.dkr.ecr.us-east-1.amazonaws.com/actors
sha=0123456789ab

# ---- harness --------------------------------------------------------------------------------------
passed=0
failed=0
case_dir=""
case_name=""
case_failed=0

# start NAME: a fresh case: own fixtures, log, fake terraform state and outputs, clean env.
start() {
  case_name=$1
  case_failed=0
  case_dir="$tmp/cases/$1"
  mkdir -p "$case_dir/state" "$case_dir/tf"
  cp -r "$stubs/fixtures" "$case_dir/fixtures"
  : >"$case_dir/log"
  unset STUB_FAIL ALLOW_DIRTY CONTAINER_TOOL PLATFORM MAKE AUTO_APPROVE FOLLOW SINCE STUB_CPU_ARCHITECTURE
  export STUB_LOG="$case_dir/log" STUB_FIXTURES="$case_dir/fixtures" STUB_STATE="$case_dir/state"
  export STUB_OUTPUTS="$case_dir/fixtures/outputs" STUB_GIT_SHA="$sha" STUB_GIT_STATUS="" STUB_ECR_TOKEN="$token"
  export TF_DIR="$case_dir/tf"
  export PATH="$tmp/bin:$tmp/docker-bin:/usr/bin:/bin"
}

# verb NAME: run scripts/deploy/NAME.sh; its status, stdout, stderr and the calls it made are
# kept for the checks (in shell variables: this machine forks slowly, so checks spawn nothing).
verb() {
  set +e
  bash "$root/scripts/deploy/$1.sh" >"$case_dir/out" 2>"$case_dir/err" </dev/null
  rc=$?
  set -e
  out=$(<"$case_dir/out")
  err=$(<"$case_dir/err")
  mapfile -t calls <"$case_dir/log"
}

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

# ---- deploy ---------------------------------------------------------------------------------------
start deploy_first_time_with_docker
verb deploy
expect_rc 0
expect_order \
  "^git -C .* rev-parse --short=12 HEAD$" \
  "^git -C .* status --porcelain$" \
  "^terraform -chdir=.* init -input=false$" \
  "^terraform -chdir=.* state list aws_ecr_repository.this$" \
  "^terraform -chdir=.* apply -input=false -auto-approve -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this$" \
  "^terraform -chdir=.* output -raw ecr_repository_url$" \
  "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$sha$" \
  "^terraform -chdir=.* console$" \
  "^make -C $root image IMAGE=$repo:$sha VERSION=$sha CONTAINER_TOOL=docker PLATFORM=linux/amd64$" \
  "^aws ecr get-login-password --region us-east-1$" \
  "^docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
  "^docker push $repo:$sha$" \
  "^terraform -chdir=.* apply -input=false -auto-approve -var image_tag=$sha$" \
  "^aws ecs wait services-stable --region us-east-1 --cluster actors --services actors$" \
  "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query" \
  "^aws ecs list-tasks " \
  "^aws ec2 describe-network-interfaces "
built=$(arg_of "^make " "IMAGE=$repo:")
pushed=$(arg_of "^docker push " "$repo:")
applied=$(arg_of "^terraform .* apply .*-var " "image_tag=")
[[ "$built" == "$sha" && "$pushed" == "$sha" && "$applied" == "$sha" ]] ||
  fail "tag built '$built', pushed '$pushed', applied '$applied': want all '$sha'"
expect_no_call "^podman "
expect_stdout "http://203.0.113.45:5000"
done_case

start deploy_again_reuses_repository_and_image
touch "$case_dir/state/aws_ecr_repository.this"
printf '{"imageDetails": [{"registryId": "123456789012", "repositoryName": "actors", "imageTags": ["%s"]}]}\n' "$sha" \
  >"$case_dir/fixtures/ecr_describe-images.json"
rm "$case_dir/fixtures/ecr_describe-images.err"
verb deploy
expect_rc 0
expect_no_call "apply .*-target="
expect_no_call "^make "
expect_no_call "^docker "
expect_no_call "get-login-password"
expect_order "^aws ecr describe-images " "^terraform .* apply -input=false -auto-approve -var image_tag=$sha$" "^aws ecs wait services-stable "
expect_stdout "http://203.0.113.45:5000"
done_case

start deploy_with_podman_arm64_and_remote_state
export CONTAINER_TOOL=podman STUB_CPU_ARCHITECTURE=ARM64
touch "$TF_DIR/backend.hcl"
verb deploy
expect_rc 0
expect_call "^terraform -chdir=.* init -input=false -backend-config=backend.hcl$"
expect_order \
  "^make -C $root image IMAGE=$repo:$sha VERSION=$sha CONTAINER_TOOL=podman PLATFORM=linux/arm64$" \
  "^podman login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
  "^podman push $repo:$sha$" \
  "^terraform .* apply -input=false -auto-approve -var image_tag=$sha$"
expect_no_call "^docker "
done_case

if [[ ! -e /usr/bin/docker && ! -e /bin/docker ]]; then
  start deploy_detects_podman_without_docker
  export PATH="$tmp/bin:/usr/bin:/bin"
  export PLATFORM=linux/amd64
  verb deploy
  expect_rc 0
  expect_call "^make .* CONTAINER_TOOL=podman PLATFORM=linux/amd64$"
  expect_no_call "^terraform .* console"
  expect_call "^podman push $repo:$sha$"
  done_case
fi

start deploy_refuses_dirty_tree
export STUB_GIT_STATUS=" M internal/actors/actor.go"
verb deploy
expect_rc 1
expect_stderr "uncommitted changes"
expect_stderr "ALLOW_DIRTY=1"
expect_no_call "^(terraform|make|docker|aws) "
done_case

start deploy_dirty_tree_allowed_gets_unique_tag
export STUB_GIT_STATUS="?? notes.txt" ALLOW_DIRTY=1
verb deploy
expect_rc 0
built=$(arg_of "^make " "IMAGE=$repo:")
pushed=$(arg_of "^docker push " "$repo:")
applied=$(arg_of "^terraform .* apply .*-var " "image_tag=")
[[ "$built" =~ ^$sha-dirty-[0-9]{14}$ ]] || fail "dirty tag '$built' is not $sha-dirty-<UTC timestamp>"
[[ "$(arg_of "^make " "VERSION=")" == "$built" ]] || fail "the binary's version must be the image tag"
[[ "$built" == "$pushed" && "$pushed" == "$applied" ]] || fail "tag built '$built', pushed '$pushed', applied '$applied' differ"
done_case

start deploy_stops_when_build_fails
export STUB_FAIL="make "
verb deploy
expect_rc 1
expect_stderr "building $repo:$sha failed"
expect_no_call "get-login-password|^docker |apply .*-var"
done_case

start deploy_stops_when_login_fails
export STUB_FAIL="aws ecr get-login-password"
verb deploy
expect_rc 1
expect_stderr "AccessDeniedException"
expect_stderr "could not log in to 123456789012.dkr.ecr.us-east-1.amazonaws.com"
expect_no_call "^docker push |apply .*-var|ecs wait"
done_case

start deploy_stops_when_push_fails
export STUB_FAIL="docker push"
verb deploy
expect_rc 1
expect_stderr "could not push $repo:$sha"
expect_no_call "apply .*-var|ecs wait"
done_case

start deploy_stops_when_apply_fails
export STUB_FAIL="terraform -chdir=$TF_DIR apply -input=false -auto-approve -var"
verb deploy
expect_rc 1
expect_stderr "terraform apply failed"
expect_no_call "ecs wait|list-tasks"
done_case

start deploy_stops_when_service_never_stable
export STUB_FAIL="aws ecs wait"
verb deploy
expect_rc 1
expect_stderr "did not become stable"
expect_no_call "describe-services|list-tasks"
done_case

start deploy_detects_rollback
sed -i 's|task-definition/actors:7"|task-definition/actors:6"|g' "$case_dir/fixtures/ecs_describe-services.json"
verb deploy
expect_rc 1
expect_stderr "rolled back"
expect_stderr "task-definition/actors:6"
expect_no_call "list-tasks"
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

start get_ip_before_deploy
: >"$case_dir/fixtures/outputs"
verb get_ip
expect_rc 1
expect_stderr "is the stack deployed?"
expect_no_call "^aws "
done_case

start url_with_alb
sed -i 's|^alb_url=.*|alb_url=https://actors-1234567890.us-east-1.elb.amazonaws.com|' "$case_dir/fixtures/outputs"
verb url
expect_rc 0
expect_stdout "https://actors-1234567890.us-east-1.elb.amazonaws.com"
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
expect_stdout '{"password":"Zq7PbWw2kT9sXv4LmN8cR1yH6dJ3fG5e","username":"actors"}'
expect_call "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$"
done_case

start logs_follow_the_log_group
verb logs
expect_rc 0
expect_call "^aws logs tail /ecs/actors --region us-east-1 --since 1h --follow$"
[[ "$out" == *'"msg":"listening"'* ]] || fail "log lines not printed"
done_case

start delete_destroys_everything
touch "$case_dir/state/aws_ecr_repository.this"
verb delete
expect_rc 0
expect_order "^terraform -chdir=.* init -input=false$" "^terraform -chdir=.* destroy -input=false -auto-approve$"
[[ -z "$(ls "$case_dir/state")" ]] || fail "state not emptied"
done_case

start delete_reports_destroy_failure
export STUB_FAIL="terraform -chdir=$TF_DIR destroy"
verb delete
expect_rc 1
expect_stderr "stubbed failure"
done_case

echo "$passed passed, $failed failed"
((failed == 0))
