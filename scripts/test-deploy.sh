#!/usr/bin/env bash
# Tests the deploy verbs (scripts/deploy/*.sh) offline, with the real tools wherever they can run
# here:
#
# - terraform: the real one, on a real local state, in a copy of terraform/ initialised once from
#   the provider mirror with a CLI config of this test's own. Only the commands that would reach
#   AWS through the provider are stood in for (scripts/teststubs/bin/terraform): apply and destroy
#   store, with the real `terraform state push`, the states that the real terraform left when it
#   applied terraform/ with a mocked AWS provider at the start of this test; plan prints a plan's
#   last line.
# - git: the real one, on a repository of this test's own holding copies of scripts/deploy,
#   terraform/ and api/openapi.yaml, as a checkout of this repository does (the verbs find
#   terraform/ next to themselves).
# - aws: scripts/teststubs/aws answers from documents shaped like the AWS CLI's responses
#   (scripts/teststubs/fixtures), evaluating --query and printing --output as the CLI does; the
#   last case checks every answer it gave here against the real AWS CLI v2 fed the same response.
# - docker, podman and make: scripts/teststubs/bin/stub. The verbs hand the image build and the
#   smoke test to make targets with tests of their own (make test-image; the contract probe's).
# Every stand-in records its command line; the cases assert the order and arguments of the calls,
# what the verbs print, and that a failing step stops the chain with its error.
#
# Adding a case: write a function case_NAME. It runs in a subshell, in a fresh copy of the
# repository ($case_root, the stack's directory $tf_dir) with the stack deployed (running image
# $previous), AWS_REGION=us-east-1 and nothing else of the caller's environment. In it:
#   set the case up    no_stack, deleted_stack, partly_deployed, or state_edit (-output NAME=JSON
#                      sets an output, -output NAME removes it) for the state; files in
#                      $case_dir/fixtures for the aws stub's answers (how they are chosen:
#                      scripts/teststubs/aws/main.go); STUB_FAIL=<start of a command line> to
#                      make that call fail; files changed in $case_root for a dirty work tree
#   verb NAME [STDIN]  runs scripts/deploy/NAME.sh of that copy
#   check              expect_rc, expect_stdout, expect_stderr, expect_call, expect_no_call,
#                      expect_order, ...; tf ARGS runs the real terraform on the case's state
# A verb that applies in a new way needs the state that apply leaves: add a run to the test file
# below (deploy_states.tftest.hcl) and its line to scripts/teststubs/bin/terraform.
#
# TEST_DEPLOY_JOBS: how many cases run at once (default: one per CPU). TEST_DEPLOY_KEEP=1 keeps
# the cases' directories.
#
# Needs go (to build the stubs, offline), git, terraform >= 1.9 with the hashicorp/aws provider
# in a local mirror (TF_PLUGIN_MIRROR, default /opt/tf-plugins) and, for the check of the aws
# stub, python3 with the AWS CLI v2 (Debian's awscli). Skips without them, except under CI=true,
# where that is a failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/go-toolchain.sh"
stubs="$root/scripts/teststubs"
mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}

skip() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "test-deploy: FAIL: $1 (required when CI=true)" >&2
    exit 1
  fi
  echo "test-deploy: SKIP: $1"
  exit 0
}
setup_failed() {
  echo "test-deploy: FAIL: $1" >&2
  exit 1
}

command -v go >/dev/null 2>&1 || skip "go is not installed (it builds the stubs)"
real_git=$(command -v git) || skip "git is not installed"
real_terraform=$(command -v terraform) || skip "terraform is not installed (the verbs are tested with the real one)"
version=$(TF_CLI_CONFIG_FILE=/dev/null "$real_terraform" version | sed -n '1s/^Terraform v\([0-9]*\.[0-9]*\).*/\1/p')
if [[ -z "$version" ]] || ((${version%%.*} == 1 && ${version#*.} < 9)); then
  skip "terraform ${version:-(unknown version)} is older than 1.9 (the module's required_version)"
fi
provider=$(compgen -G "$mirror/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*" | sort -V | tail -n 1) || true
[[ -n "$provider" ]] || skip "no hashicorp/aws provider in the mirror $mirror (set TF_PLUGIN_MIRROR)"

tmp=$(mktemp -d)
if [[ "${TEST_DEPLOY_KEEP:-0}" == 1 ]]; then
  echo "test-deploy: the cases' directories stay in $tmp (TEST_DEPLOY_KEEP=1)"
else
  trap 'rm -rf "$tmp"' EXIT
fi

# ---- stubs --------------------------------------------------------------------------------------
mkdir -p "$tmp/bin" "$tmp/docker-bin" "$tmp/tools"
# GOPROXY=off: build from the module cache only; a missing module is an error, never a download.
for tool in aws tfstate; do
  if ! GOPROXY=off GOFLAGS=-mod=readonly go -C "$stubs/$tool" build -o "$tmp/tools/$tool" . 2>"$tmp/build.log"; then
    cat "$tmp/build.log" >&2
    setup_failed "cannot build scripts/teststubs/$tool (run 'go -C scripts/teststubs/$tool mod download' first)"
  fi
  GOPROXY=off go -C "$stubs/$tool" vet . || setup_failed "go vet of scripts/teststubs/$tool"
done
ln -s "$tmp/tools/aws" "$tmp/bin/aws"
for tool in make podman; do ln -s "$stubs/bin/stub" "$tmp/bin/$tool"; done
ln -s "$stubs/bin/stub" "$tmp/docker-bin/docker"
ln -s "$stubs/bin/terraform" "$tmp/bin/terraform"
ln -s "$stubs/bin/git" "$tmp/bin/git"
tfstate="$tmp/tools/tfstate"
export STUB_REAL_TERRAFORM="$real_terraform" STUB_REAL_GIT="$real_git" STUB_TFSTATE="$tfstate" STUB_STATES="$tmp/states"

# ---- the real terraform -------------------------------------------------------------------------
# Providers come from a mirror of this test's own, the registry is never asked. Its package of
# hashicorp/aws is a script that runs the provider of $mirror: Terraform checks the package
# against the lock file's hash on every command, which for a 700 MB binary takes about a second;
# for the script, no time. The provider that runs is the same.
package=${provider#"$mirror"/}
mkdir -p "$tmp/mirror/${package%/*}"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$provider" >"$tmp/mirror/$package"
chmod +x "$tmp/mirror/$package"
cat >"$tmp/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$tmp/mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
# CHECKPOINT_DISABLE: no version check with HashiCorp (offline). A proxy at a closed port makes
# any other attempt to reach the network fail at once.
export TF_CLI_CONFIG_FILE="$tmp/cli.tfrc" CHECKPOINT_DISABLE=1 HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
unset TF_DATA_DIR TF_WORKSPACE TF_IN_AUTOMATION TF_INPUT NO_PROXY no_proxy

# ---- the repository the verbs run in ------------------------------------------------------------
# What a checkout holds for them: the verbs, the stack (as make test-terraform copies it: without
# the developer's state, variables and backend) and the spec the stack reads, committed. Its
# .terraform is initialised once here; each case works on a copy.
template=$tmp/template
mkdir -p "$template/scripts" "$template/api" "$template/terraform"
cp -r "$root/scripts/deploy" "$template/scripts/"
cp "$root/api/openapi.yaml" "$template/api/"
cp "$root/.gitignore" "$template/"
tar -C "$root/terraform" --exclude=./.terraform --exclude=./.terraform.lock.hcl --exclude='*.tfstate*' \
  --exclude=./terraform.tfvars --exclude='*.auto.tfvars' --exclude=./backend.tf --exclude=./backend.hcl -cf - . |
  tar -C "$template/terraform" -xf -
git_template() {
  GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.com GIT_AUTHOR_DATE=2026-01-01T00:00:00Z \
    GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.com GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
    "$real_git" -C "$template" -c init.defaultBranch=main -c commit.gpgsign=false "$@"
}
git_template init -q
git_template add -A
git_template commit -q -m "the deploy verbs and the stack"
sha=$(git_template rev-parse --short=12 HEAD)
"$real_terraform" -chdir="$template/terraform" init -input=false -no-color >"$tmp/init.log" 2>&1 ||
  { cat "$tmp/init.log" >&2; setup_failed "terraform init of terraform/ from the mirror"; }

# ---- the states a real apply leaves -------------------------------------------------------------
# terraform test applies terraform/ with the AWS provider mocked (terraform/tests/mocks, the
# values make test-terraform uses), in the ways the verbs apply it, and prints the state after
# each run (-verbose -json); tfstate split writes each as a state file. The stand-in terraform
# stores them as apply would (see scripts/teststubs/bin/terraform).
mkdir "$tmp/states-module" "$tmp/states"
cp -a "$template/terraform" "$template/api" "$tmp/states-module/"
cat >"$tmp/states-module/terraform/tests/deploy_states.tftest.hcl" <<'HCL'
mock_provider "aws" {
  source = "./tests/mocks"
}

# The revision of the task definition that the aws stub's service runs
# (scripts/teststubs/fixtures/ecs_describe-services.json).
override_resource {
  target = aws_ecs_task_definition.this
  values = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/actors:7" }
}

variables {
  region = "us-east-1"
}

# make deploy on a new stack, first: the image repository alone.
run "repository" {
  plan_options {
    target = [aws_ecr_repository.this, aws_ecr_lifecycle_policy.this]
  }
}

# make deploy's rollout: the whole stack, with an image tag the stand-in replaces by the one
# applied.
run "deployed" {
  variables {
    image_tag = "stand-in-image-tag"
  }
}
HCL
if ! "$real_terraform" -chdir="$tmp/states-module/terraform" test -no-color -verbose -json \
  -filter=tests/deploy_states.tftest.hcl >"$tmp/states.json" 2>"$tmp/states.err"; then
  grep -v '"test_state"' "$tmp/states.json" | cat - "$tmp/states.err" >&2
  setup_failed "terraform test could not apply terraform/ with the mocked provider"
fi
"$tfstate" split "$tmp/states" <"$tmp/states.json" || setup_failed "tfstate split"

# The stack every case starts with: deployed, running the image $previous.
previous=fedcba987654-amd64
"$tfstate" next -from "$tmp/states/deployed.tfstate" -replace "stand-in-image-tag=$previous" </dev/null |
  "$real_terraform" -chdir="$template/terraform" state push - || setup_failed "terraform state push"
# terraform init and the state stay out of git: make deploy refuses a dirty work tree.
[[ -z "$(git_template status --porcelain)" ]] ||
  setup_failed "terraform init or the state leave the work tree dirty (make deploy would refuse it): $(git_template status --porcelain)"

# The password in the fixture's ECR authorization token.
token=eyJwYXlsb2FkIjoic3R1Yi1lY3ItdG9rZW4ifQ==
repo=123456789012.dkr.ecr.us-east-1.amazonaws.com/actors
tag=$sha-amd64
# the secret's password, as the fixture's JSON escapes it (\u0026 is &, \" is ")
password='Zq7P&bWw2kT9s"Xv4L:mN8cR1yH6dJ3fG5e'

# ---- harness --------------------------------------------------------------------------------------
case_dir=""
case_name=""
case_failed=0

# start NAME: a fresh case: its own copy of the repository (case_root; the stack's directory is
# tf_dir) with the stack deployed, its own fixtures and log, and a clean environment with
# AWS_REGION=us-east-1.
start() {
  case_name=$1
  case_failed=0
  calls=() out="" err="" rc=""
  case_dir="$tmp/cases/$1"
  case_root="$case_dir/repo"
  tf_dir="$case_root/terraform"
  mkdir -p "$case_dir/state"
  cp -a "$template" "$case_root"
  cp -r "$stubs/fixtures" "$case_dir/fixtures"
  : >"$case_dir/log"
  unset STUB_FAIL ALLOW_DIRTY CONTAINER_TOOL PLATFORM MAKE AUTO_APPROVE FOLLOW SINCE STUB_NO_BUILDX IMAGE_TAG \
    PASSWORD_FILE AWS_DEFAULT_REGION AWS_PROFILE ACTORS_USERNAME ACTORS_PASSWORD DOCKER_BUILDKIT IMAGE VERSION \
    ROLLOUT_TIMEOUT EVENTS TF_DIR
  local v
  for v in $(compgen -e); do
    case "$v" in TF_VAR_* | TF_CLI_ARGS*) unset "$v" ;; esac
  done
  # A rollout in progress is polled again at once.
  export AWS_REGION=us-east-1 ROLLOUT_POLL_SECONDS=0
  export STUB_LOG="$case_dir/log" STUB_FIXTURES="$case_dir/fixtures" STUB_STATE="$case_dir/state" STUB_ECR_TOKEN="$token" \
    STUB_RECORD="$case_dir/aws-calls.jsonl"
  export PATH="$tmp/bin:$tmp/docker-bin:/usr/bin:/bin"
}

# tf ARGS...: the real terraform on the case's stack, unrecorded: to set a case up and to check it.
tf() { "$real_terraform" -chdir="$tf_dir" "$@"; }
# state_edit ARGS...: the case's state changed by `tfstate next ARGS`, stored by the real terraform.
state_edit() { tf state pull | "$tfstate" next "$@" | tf state push - >/dev/null; }
# no_stack: nothing was ever deployed from this checkout: no state at all.
no_stack() { rm -f "$tf_dir"/terraform.tfstate*; }
# deleted_stack: the state that make delete leaves: no resources, no outputs.
deleted_stack() { state_edit -empty; }
# partly_deployed: a first make deploy that stopped after creating the image repository.
partly_deployed() {
  no_stack
  "$tfstate" next -from "$tmp/states/repository.tfstate" </dev/null | tf state push - >/dev/null
}

# in_ecr TAG: the repository has an image with this tag (other tags are still not found).
in_ecr() {
  printf '{"imageDetails": [{"registryId": "123456789012", "repositoryName": "actors", "imageTags": ["%s"]}]}\n' "$1" \
    >"$case_dir/fixtures/ecr_describe-images@imageTag=$1.json"
}

# in_progress N...: the service's deployment is still in progress in the answers to the N-th
# DescribeServices calls (ecs wait services-stable makes one).
in_progress() {
  local n
  for n in "$@"; do
    sed 's/"rolloutState": "COMPLETED"/"rolloutState": "IN_PROGRESS"/' "$case_dir/fixtures/ecs_describe-services.json" \
      >"$case_dir/fixtures/ecs_describe-services#$n.json"
  done
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
verb() { run_script "$case_root/scripts/deploy/$1.sh" "${2:-}"; }

fail() {
  echo "  FAIL [$case_name]: $*" >&2
  case_failed=1
}

# done_case: the case's verdict, and its exit status.
done_case() {
  if ((case_failed)); then
    echo "--- $case_name: calls were:" >&2
    printf '    %s\n' "${calls[@]}" >&2
    echo "--- $case_name: stderr was:" >&2
    printf '    %s\n' "$err" >&2
    return 1
  fi
  echo "ok   $case_name"
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
# what the stand-ins kept of a call (the smoke test's credentials, the new password), as text
state_file() { if [[ -f "$case_dir/state/$1" ]]; then cat "$case_dir/state/$1"; fi; }

apply_tag="^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -var image_tag="

# ---- the states ------------------------------------------------------------------------------------
# The state files the stand-in terraform stores, shown back by the real terraform, are the states
# terraform test printed after its applies: converting them loses nothing.
case_states_are_the_ones_terraform_test_applied() {
  local run
  for run in repository deployed; do
    no_stack
    "$tfstate" next -from "$tmp/states/$run.tfstate" </dev/null | tf state push - || fail "terraform state push of $run"
    tf show -json >"$case_dir/shown-$run.json" || fail "terraform show of $run"
    "$tfstate" same "$tmp/states.json" "$run" <"$case_dir/shown-$run.json" 2>"$case_dir/err" || fail "$(<"$case_dir/err")"
  done
}

# ---- deploy ---------------------------------------------------------------------------------------
case_deploy_first_time_with_docker() {
  no_stack
  verb deploy
  expect_rc 0
  expect_order \
    "^aws sts get-caller-identity --region us-east-1 --query \[Account, Arn\] --output text$" \
    "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json account_id$" \
    "^terraform -chdir=.* output -json region$" \
    "^terraform -chdir=.* console -var region=us-east-1$" \
    "^git -C .* rev-parse --short=12 HEAD$" \
    "^git -C .* status --porcelain$" \
    "^terraform -chdir=.* state list aws_ecr_repository.this$" \
    "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this$" \
    "^terraform -chdir=.* output -json ecr_repository_url$" \
    "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
    "^make -C $case_root image IMAGE=$repo:$tag VERSION=$tag CONTAINER_TOOL=docker PLATFORM=linux/amd64$" \
    "^aws ecr get-login-password --region us-east-1$" \
    "^docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
    "^docker push $repo:$tag$" \
    "${apply_tag}$tag$" \
    "^aws ecs wait services-stable --region us-east-1 --cluster actors --services actors$" \
    "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query" \
    "^aws ecs list-tasks " \
    "^aws ec2 describe-network-interfaces " \
    "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$" \
    "^make -C $case_root smoke URL=http://203.0.113.45:5000$"
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
}

# After make delete the state is empty, not gone: the stack is created anew in the same state.
case_deploy_after_delete() {
  deleted_stack
  verb deploy
  expect_rc 0
  expect_order \
    "^terraform -chdir=.* state list aws_ecr_repository.this$" \
    "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this$" \
    "^docker push $repo:$tag$" \
    "${apply_tag}$tag$"
  [[ "$(tf output -json image)" == "\"$repo:$tag\"" ]] || fail "the state must run $tag, it runs $(tf output -json image)"
  expect_stdout "http://203.0.113.45:5000"
}

case_deploy_again_reuses_repository_and_image() {
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_no_call "apply .*-target="
  expect_no_call "^make .* image "
  expect_no_call "^docker "
  expect_no_call "get-login-password"
  expect_order "^aws ecr describe-images " "${apply_tag}$tag$" "^aws ecs wait services-stable " "^make .* smoke "
  expect_stdout "http://203.0.113.45:5000"
}

case_deploy_other_architecture_builds_its_own_image() {
  # The amd64 image of this commit is in ECR; the tasks now run on ARM64: it must not be reused.
  export TF_VAR_cpu_architecture=ARM64
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_order \
    "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$sha-arm64$" \
    "^make -C $case_root image IMAGE=$repo:$sha-arm64 VERSION=$sha-arm64 CONTAINER_TOOL=docker PLATFORM=linux/arm64$" \
    "^docker push $repo:$sha-arm64$" \
    "${apply_tag}$sha-arm64$"
  expect_no_call "imageTag=$tag"
}

case_deploy_stops_when_ecr_cannot_say() {
  # Only "image not found" means "build it": any other error must stop the deploy.
  printf '\nAn error occurred (AccessDeniedException) when calling the DescribeImages operation: User is not authorized to perform: ecr:DescribeImages\n' \
    >"$case_dir/fixtures/ecr_describe-images.err"
  verb deploy
  expect_rc 1
  expect_stderr "cannot tell whether actors:$tag is in ECR"
  expect_stderr "AccessDeniedException"
  expect_no_call "^make |^docker |apply .*-var image_tag"
}

case_deploy_with_podman_arm64_and_remote_state() {
  export CONTAINER_TOOL=podman TF_VAR_cpu_architecture=ARM64
  # Remote state as terraform/backend.hcl.example says, with the local backend at another path
  # standing in for S3: both files are git-ignored, and the state is moved there once.
  printf 'terraform {\n  backend "local" {}\n}\n' >"$tf_dir/backend.tf"
  printf 'path = "%s"\n' "$case_dir/remote.tfstate" >"$tf_dir/backend.hcl"
  tf init -input=false -migrate-state -force-copy -backend-config=backend.hcl >"$case_dir/migrate.log" 2>&1 ||
    fail "moving the state to the backend failed: $(<"$case_dir/migrate.log")"
  rm "$tf_dir/terraform.tfstate"
  verb deploy
  expect_rc 0
  expect_call "^terraform -chdir=.* init -input=false -backend-config=backend.hcl$"
  [[ "$(tf output -json image)" == "\"$repo:$sha-arm64\"" ]] || fail "the backend's state must run $sha-arm64, it runs $(tf output -json image)"
  [[ ! -e "$tf_dir/terraform.tfstate" ]] || fail "the deploy wrote a local state besides the backend's"
  expect_order \
    "^make -C $case_root image IMAGE=$repo:$sha-arm64 VERSION=$sha-arm64 CONTAINER_TOOL=podman PLATFORM=linux/arm64$" \
    "^podman login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
    "^podman push $repo:$sha-arm64$" \
    "${apply_tag}$sha-arm64$"
  expect_no_call "^docker "
}

if [[ ! -e /usr/bin/docker && ! -e /bin/docker ]]; then
  case_deploy_detects_podman_without_docker() {
    export PATH="$tmp/bin:/usr/bin:/bin"
    verb deploy
    expect_rc 0
    expect_call "^make .* CONTAINER_TOOL=podman PLATFORM=linux/amd64$"
    expect_call "^podman push $repo:$tag$"
  }
fi

case_deploy_without_a_container_tool() {
  export PATH="$tmp/bin:/usr/bin:/bin" CONTAINER_TOOL=no-such-tool
  verb deploy
  expect_rc 1
  expect_stderr "'no-such-tool' is required"
  expect_no_call "^(terraform|aws) "
}

case_deploy_refuses_dirty_tree() {
  printf '# a change not committed\n' >>"$case_root/api/openapi.yaml"
  verb deploy
  expect_rc 1
  expect_stderr "uncommitted changes"
  expect_stderr "ALLOW_DIRTY=1"
  expect_no_call "^(make|docker) |apply "
}

case_deploy_dirty_tree_allowed_gets_unique_tag() {
  printf 'a file not committed\n' >"$case_root/notes.txt"
  export ALLOW_DIRTY=1
  verb deploy
  expect_rc 0
  built=$(arg_of "^make .* image " "IMAGE=$repo:")
  pushed=$(arg_of "^docker push " "$repo:")
  applied=$(arg_of "^terraform .* apply .*-var image_tag" "image_tag=")
  [[ "$built" =~ ^$sha-dirty-[0-9]{14}-amd64$ ]] || fail "dirty tag '$built' is not $sha-dirty-<UTC timestamp>-amd64"
  [[ "$(arg_of "^make .* image " "VERSION=")" == "$built" ]] || fail "the binary's version must be the image tag"
  [[ "$built" == "$pushed" && "$pushed" == "$applied" ]] || fail "tag built '$built', pushed '$pushed', applied '$applied' differ"
}

# terraform apply asks on the terminal, -input=false or not: the deploy goes on for "yes" only.
case_deploy_review_the_plan_with_auto_approve_0() {
  export AUTO_APPROVE=0
  in_ecr "$tag"
  verb deploy "yes"$'\n'
  expect_rc 0
  expect_call "^terraform -chdir=.* apply -input=false -var region=us-east-1 -var image_tag=$tag$"
  expect_order "^terraform -chdir=.* apply " "^aws ecs wait services-stable " "^make .* smoke "
}

case_deploy_plan_not_approved() {
  export AUTO_APPROVE=0
  in_ecr "$tag"
  verb deploy "no"$'\n'
  expect_rc 1
  expect_stderr "Apply cancelled."
  expect_stderr "terraform apply failed"
  expect_no_call "ecs wait|smoke"
  [[ "$(tf output -json image)" == "\"$repo:$previous\"" ]] || fail "the state must still run $previous"
}

case_deploy_stops_when_build_fails() {
  export STUB_FAIL="make "
  verb deploy
  expect_rc 1
  expect_stderr "building $repo:$tag failed"
  expect_no_call "get-login-password|^docker |apply .*-var image_tag"
}

case_deploy_stops_when_login_fails() {
  export STUB_FAIL="aws ecr get-login-password"
  verb deploy
  expect_rc 1
  expect_stderr "AccessDeniedException"
  expect_stderr "could not log in to 123456789012.dkr.ecr.us-east-1.amazonaws.com"
  expect_no_call "^docker push |apply .*-var image_tag|ecs wait"
}

case_deploy_stops_when_push_fails() {
  export STUB_FAIL="docker push"
  verb deploy
  expect_rc 1
  expect_stderr "could not push $repo:$tag"
  expect_no_call "apply .*-var image_tag|ecs wait"
}

case_deploy_stops_when_apply_fails() {
  export STUB_FAIL="terraform -chdir=$tf_dir apply -input=false -auto-approve -var region=us-east-1 -var image_tag"
  verb deploy
  expect_rc 1
  expect_stderr "terraform apply failed"
  expect_no_call "ecs wait|list-tasks|smoke"
}

case_deploy_stops_when_service_never_stable() {
  # Tasks that keep failing: the new deployment never replaces the old one.
  sed 's/"runningCount": 1,/"runningCount": 0,/' "$case_dir/fixtures/ecs_describe-services.json" \
    >"$case_dir/fixtures/ecs_describe-services#1.json"
  verb deploy
  expect_rc 1
  expect_stderr "Waiter ServicesStable failed: Max attempts exceeded"
  expect_stderr "did not become stable"
  expect_stderr "make deploy IMAGE_TAG=$previous"
  expect_no_call "describe-services|list-tasks|smoke"
}

case_deploy_detects_rollback() {
  sed -i 's|task-definition/actors:7"|task-definition/actors:6"|g' "$case_dir/fixtures/ecs_describe-services.json"
  verb deploy
  expect_rc 1
  expect_stderr "rolled back"
  expect_stderr "task-definition/actors:6"
  expect_stderr "make deploy IMAGE_TAG=$previous"
  expect_no_call "list-tasks|smoke"
}

# With deployment alarms ECS keeps the deployment in progress for a bake time after the service is
# stable, and may roll it back then: deploy waits for the rollout to end.
case_deploy_waits_for_the_bake_time() {
  # The waiter's DescribeServices, then the first poll of the rollout: in progress.
  in_progress 1 2
  verb deploy
  expect_rc 0
  expect_order "^aws ecs wait services-stable " "^aws ecs describe-services .*rolloutState" "^make .* smoke "
  polls=0
  for c in "${calls[@]}"; do [[ "$c" != "aws ecs describe-services "*rolloutState* ]] || polls=$((polls + 1)); done
  ((polls == 2)) || fail "the rollout must be polled until it completes: $polls polls, want 2"
  expect_stderr "deployment ecs-svc/1234567890123456789 is in progress: ECS watches its alarms"
  expect_stdout "http://203.0.113.45:5000"
}

case_deploy_rolled_back_by_an_alarm_during_the_bake_time() {
  # The waiter's DescribeServices, then the first poll of the rollout: in progress.
  in_progress 1 2
  sed -i 's|task-definition/actors:7"|task-definition/actors:6"|g' "$case_dir/fixtures/ecs_describe-services.json"
  verb deploy
  expect_rc 1
  expect_stderr "deployment of $tag failed and was rolled back: the service runs arn:aws:ecs:us-east-1:123456789012:task-definition/actors:6"
  expect_stderr "make status names the alarm"
  expect_stderr "make deploy IMAGE_TAG=$previous"
  expect_no_call "list-tasks|smoke"
}

case_deploy_stops_waiting_for_a_rollout_that_never_ends() {
  sed -i 's/"rolloutState": "COMPLETED"/"rolloutState": "IN_PROGRESS"/' "$case_dir/fixtures/ecs_describe-services.json"
  export ROLLOUT_TIMEOUT=0
  verb deploy
  expect_rc 1
  expect_stderr "deployment ecs-svc/1234567890123456789 of service actors is still in progress after 0 s"
  expect_no_call "smoke"
}

case_deploy_that_failed_and_could_not_roll_back() {
  # The first deployment has nothing to go back to: ECS marks it FAILED.
  sed -i 's/"rolloutState": "COMPLETED"/"rolloutState": "FAILED"/' "$case_dir/fixtures/ecs_describe-services.json"
  verb deploy
  expect_rc 1
  expect_stderr "ended FAILED and could not be rolled back"
  expect_no_call "smoke"
}

# ---- deploy: the smoke test and going back ---------------------------------------------------------
case_deploy_fails_when_the_smoke_test_fails() {
  export STUB_FAIL="make -C $case_root smoke"
  verb deploy
  expect_rc 1
  expect_order "^aws ecs wait services-stable " "^aws ecs describe-services " "^make -C $case_root smoke URL=http://203.0.113.45:5000$"
  expect_stderr "smoke test failed against http://203.0.113.45:5000"
  expect_stderr "To go back to the image that ran before: make deploy IMAGE_TAG=$previous"
  expect_stdout ""
}

case_first_deploy_smoke_failure_has_nothing_to_go_back_to() {
  no_stack
  export STUB_FAIL="make -C $case_root smoke"
  verb deploy
  expect_rc 1
  expect_stderr "smoke test failed"
  expect_stderr "no earlier deployment to go back to"
}

case_deploy_an_earlier_image_tag() {
  export IMAGE_TAG=$previous
  in_ecr "$previous"
  verb deploy
  expect_rc 0
  expect_no_call "^git |^make .* image |^docker |get-login-password|apply .*-target="
  expect_order "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$previous$" \
    "${apply_tag}$previous$" "^aws ecs wait services-stable " "^make .* smoke "
}

case_deploy_an_image_tag_not_in_ecr() {
  export IMAGE_TAG=0badc0ffee00-amd64
  printf '{"imageDetails": [{"imageTags": ["%s"], "imagePushedAt": "2026-01-02T00:00:00+00:00"}, {"imageTags": ["aaaaaaaaaaaa-amd64"], "imagePushedAt": "2026-01-01T00:00:00+00:00"}]}\n' \
    "$previous" >"$case_dir/fixtures/ecr_describe-images@reverse(sort_by(imageDetails, &imagePushedAt))[:10].imageTags[].json"
  verb deploy
  expect_rc 1
  expect_stderr "there is no image 0badc0ffee00-amd64 in $repo"
  expect_stderr "most recently pushed tags: $previous"$'\t'"aaaaaaaaaaaa-amd64"
  expect_no_call "apply "
}

case_deploy_refuses_an_image_of_another_architecture() {
  export IMAGE_TAG=$sha-arm64
  in_ecr "$sha-arm64"
  verb deploy
  expect_rc 1
  expect_stderr "built for arm64, but the tasks run on amd64"
  expect_no_call "apply "
}

# ---- preflight: credentials and region ------------------------------------------------------------
case_preflight_without_credentials() {
  printf '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n' \
    >"$case_dir/fixtures/sts_get-caller-identity.err"
  verb deploy
  expect_rc 1
  expect_stderr "no AWS credentials"
  expect_stderr "aws configure"
  expect_no_call "^terraform "
}

case_preflight_with_expired_credentials() {
  printf '\nAn error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired\n' \
    >"$case_dir/fixtures/sts_get-caller-identity.err"
  verb plan
  expect_rc 1
  expect_stderr "the AWS credentials have expired"
  expect_stderr "aws sso login"
  expect_no_call "^terraform "
}

case_preflight_region_from_terraform_tfvars() {
  # terraform.tfvars is what Terraform reads: it wins over AWS_REGION, and is passed on explicitly.
  export AWS_REGION=eu-west-1
  printf '# the stack\nregion = "us-east-1" # pinned\n' >"$tf_dir/terraform.tfvars"
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_call "^aws sts get-caller-identity --region us-east-1 "
  expect_call "${apply_tag}$tag$"
}

case_preflight_without_a_region() {
  unset AWS_REGION
  verb deploy
  expect_rc 1
  expect_stderr "no AWS region"
  expect_call "^aws configure get region$"
  expect_no_call "^aws sts |^terraform "
}

case_deploy_refuses_another_account() {
  # Another shell, whose credentials are for another account: the stack is in 123456789012.
  sed -i 's/"Account": "123456789012"/"Account": "210987654321"/' "$case_dir/fixtures/sts_get-caller-identity.json"
  verb deploy
  expect_rc 1
  expect_stderr "this stack is in AWS account 123456789012, but these credentials are for account 210987654321"
  expect_no_call "^make |^docker |apply |state list"
}

case_deploy_refuses_another_region() {
  # Another shell, whose profile says eu-west-1: the stack is in us-east-1.
  unset AWS_REGION
  printf 'eu-west-1\n' >"$case_dir/fixtures/configure_get.txt"
  verb deploy
  expect_rc 1
  expect_call "^aws sts get-caller-identity --region eu-west-1 "
  expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
  expect_no_call "^make |^docker |apply |state list"
}

# ---- plan -----------------------------------------------------------------------------------------
case_plan_changes_nothing() {
  verb plan
  expect_rc 0
  expect_order \
    "^aws sts get-caller-identity " \
    "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json region$" \
    "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
    "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag$"
  expect_stderr "make deploy would build and push $repo:$tag"
  [[ "$out" == *"Plan: 0 to add, 1 to change, 0 to destroy."* ]] || fail "the plan must be printed on stdout"
  expect_no_call "apply |^make |^docker |get-login-password|ecs "
}

case_plan_before_the_first_deploy() {
  no_stack
  verb plan
  expect_rc 0
  expect_stderr "first deploy: make deploy would create the ECR repository, then build and push $tag"
  expect_call "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag$"
  expect_no_call "apply |describe-images"
}

case_plan_of_uncommitted_changes() {
  printf '# a change not committed\n' >>"$tf_dir/variables.tf"
  verb plan
  expect_rc 0
  expect_stderr "make deploy would refuse them without ALLOW_DIRTY=1"
  [[ "$(arg_of "^terraform .* plan " "image_tag=")" =~ ^$sha-dirty-[0-9]{14}-amd64$ ]] || fail "a dirty plan must use a dirty tag"
}

# ---- rotate-password ------------------------------------------------------------------------------
generated=Hq4TnV8wXc2ZpL6mRb9Ks3Fy7Dj5Ge1A
case_rotate_password_generates_one_and_rolls_the_tasks() {
  verb rotate-password
  expect_rc 0
  expect_order \
    "^aws sts get-caller-identity " \
    "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json region$" \
    "^aws secretsmanager get-random-password --region us-east-1 --password-length 32 --exclude-punctuation --query RandomPassword --output text$" \
    "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -replace=terraform_data.password -target=aws_secretsmanager_secret_version.credentials$" \
    "^aws ecs update-service --region us-east-1 --cluster actors --service actors --force-new-deployment --query" \
    "^aws ecs wait services-stable --region us-east-1 --cluster actors --services actors$" \
    "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query"
  [[ "$(state_file TF_VAR_rotate_password)" == "$generated" ]] || fail "terraform must get the new password in TF_VAR_rotate_password"
  expect_not_in_calls "$generated"
  expect_stderr "make credentials"
  expect_stdout ""
}

case_rotate_password_from_stdin() {
  export PASSWORD_FILE=-
  verb rotate-password "Given-through-stdin-0123456789"$'\n'
  expect_rc 0
  [[ "$(state_file TF_VAR_rotate_password)" == "Given-through-stdin-0123456789" ]] || fail "the password from stdin must reach terraform, got '$(state_file TF_VAR_rotate_password)'"
  expect_not_in_calls "Given-through-stdin-0123456789"
}

case_rotate_password_from_a_file() {
  printf 'Given through a file: #1 <&>\n' >"$case_dir/password"
  export PASSWORD_FILE="$case_dir/password"
  verb rotate-password
  expect_rc 0
  [[ "$(state_file TF_VAR_rotate_password)" == 'Given through a file: #1 <&>' ]] || fail "the password from the file must reach terraform, got '$(state_file TF_VAR_rotate_password)'"
  expect_no_call "get-random-password"
}

case_rotate_password_refuses_a_short_one() {
  export PASSWORD_FILE=-
  verb rotate-password "short"
  expect_rc 1
  expect_stderr "16 to 128 printable ASCII characters"
  expect_no_call "apply |update-service"
}

case_rotate_password_stops_when_apply_fails() {
  export STUB_FAIL="terraform -chdir=$tf_dir apply"
  verb rotate-password
  expect_rc 1
  expect_stderr "the password was not changed"
  expect_no_call "update-service"
}

case_rotate_password_detects_a_rolled_back_deployment() {
  sed -i 's|"id": "ecs-svc/1234567890123456789"|"id": "ecs-svc/5555555555555555555"|' "$case_dir/fixtures/ecs_describe-services.json"
  verb rotate-password
  expect_rc 1
  expect_stderr "the new deployment ecs-svc/1234567890123456789 was rolled back"
}

# ---- status --------------------------------------------------------------------------------------
# The alarms the stack's state names (every operation's two, then the service's), in its order.
status_alarms=$("$real_terraform" -chdir="$template/terraform" output -json alarm_names | tr -d '[]"' | tr , ' ')
read -r -a alarm_list <<<"$status_alarms"
((${#alarm_list[@]} > 3)) || setup_failed "the deployed state names too few alarms: $status_alarms"

case_status_shows_the_service() {
  verb status
  expect_rc 0
  expect_order \
    "^aws sts get-caller-identity " \
    "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json region$" \
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
  [[ "$out" == *$'\nalarms in ALARM: '"1 of ${#alarm_list[@]}"$'\n  actors-getActor-p99-latency since 2026-01-02T03:09:12.345000+00:00\n    Threshold Crossed: 3 out of the last 5 datapoints'* ]] ||
    fail "the alarm in ALARM must be listed with when and why"
  [[ "$out" == *$'\nlast service events\n  2026-01-02T03:09:41.123000+00:00  (service actors) has reached a steady state.\n'* ]] ||
    fail "the last events must be listed, newest first"
  [[ "$out" == *"(service actors) has started 1 tasks"* ]] || fail "every event up to EVENTS must be listed"
  expect_stderr "AWS account 123456789012 (arn:aws:iam::123456789012:user/deployer), region us-east-1"
  expect_no_call "apply|destroy|plan|update-service|get-secret-value"
}

case_status_during_a_deployment() {
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
    {"createdAt": "2026-01-02T04:00:02+00:00", "message": "(service actors) has started 1 tasks: (task 0a1b2c3d4e5f60718293a4b5c6d7e8f9)."}
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
  [[ "$out" == *$'\nalarms in ALARM: '"0 of ${#alarm_list[@]}"$'\n'* ]] || fail "no alarm in ALARM must say so"
  expect_call "services\[0\]\.events\[:3\]"
}

case_status_without_a_running_task() {
  echo '{"taskArns": []}' >"$case_dir/fixtures/ecs_list-tasks.json"
  verb status
  expect_rc 0
  [[ "$out" == *$'\nurl       unknown: service actors has no running task (see make logs)\n'* ]] || fail "a missing address must be explained, not stop the status"
  [[ "$out" == *$'\ntasks     1 running, 0 pending, 1 desired\n'* ]] || fail "the rest must still be shown"
}

case_status_of_a_stack_without_alarms_yet() {
  state_edit -output alarm_names
  verb status
  expect_rc 0
  [[ "$out" == *$'\nalarms    unknown: the Terraform state names none (make deploy creates them)\n'* ]] || fail "a stack deployed before the alarms must say so"
  expect_no_call "describe-alarms"
}

case_status_asks_for_a_hundred_alarms_a_call() {
  json=""
  for i in $(seq 1 150); do json+="${json:+,}\"actors-op$i-5xx-rate\""; done
  state_edit -output "alarm_names=[$json]"
  verb status
  expect_rc 0
  first=$(find_call "describe-alarms .*--alarm-names actors-op1-5xx-rate ")
  second=$(find_call "describe-alarms .*--alarm-names actors-op101-5xx-rate ")
  ((first != -1 && second != -1)) || fail "150 alarms must be asked for in two calls"
  ((first == -1)) || [[ "${calls[$first]}" == *"actors-op100-5xx-rate --query"* ]] || fail "the first call must name alarms 1 to 100"
  ((second == -1)) || [[ "${calls[$second]}" == *"actors-op150-5xx-rate --query"* ]] || fail "the second call must name alarms 101 to 150"
  [[ "$out" == *$'\nalarms in ALARM: 2 of 150\n'* ]] || fail "each call's alarms in ALARM must be counted"
}

case_status_of_a_service_that_is_gone() {
  printf '{"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/actors/actors", "reason": "MISSING"}]}\n' \
    >"$case_dir/fixtures/ecs_describe-services.json"
  verb status
  expect_rc 1
  expect_stderr "service actors of cluster actors is not there in us-east-1: is the stack deployed? (make deploy)"
}

case_status_refuses_another_region() {
  export AWS_REGION=eu-west-1
  verb status
  expect_rc 1
  expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
  expect_no_call "^aws (ecs|cloudwatch) "
}

case_status_refuses_a_bad_events_count() {
  export EVENTS=0
  verb status
  expect_rc 1
  expect_stderr "EVENTS must be a number from 1 to 100"
  expect_no_call "^(aws|terraform) "
}

# ---- the image build: --load with buildx ----------------------------------------------------------
case_image_build_loads_into_the_local_store_with_buildx() {
  export CONTAINER_TOOL=docker IMAGE="$repo:$tag" PLATFORM=linux/amd64 VERSION=$tag
  run_script "$root/scripts/image.sh"
  expect_rc 0
  expect_order "^docker buildx version$" "^docker build .*--platform linux/amd64 --load .$"
}

case_image_build_without_buildx() {
  export CONTAINER_TOOL=docker IMAGE="$repo:$tag" STUB_NO_BUILDX=1
  run_script "$root/scripts/image.sh"
  expect_rc 0
  expect_call "^docker build "
  expect_no_call " --load( |$)"
}

# ---- get_ip / url ---------------------------------------------------------------------------------
case_get_ip_follows_task_eni_public_ip() {
  verb get_ip
  expect_rc 0
  expect_stdout "203.0.113.45"
  expect_order \
    "^aws ecs list-tasks --region us-east-1 --cluster actors --service-name actors --desired-status RUNNING --query" \
    "^aws ecs describe-tasks --region us-east-1 --cluster actors --tasks arn:aws:ecs:us-east-1:123456789012:task/actors/4b5d0f1c2e3a4b6c8d9e0f1a2b3c4d5e --query" \
    "^aws ec2 describe-network-interfaces --region us-east-1 --network-interface-ids eni-0f1e2d3c4b5a69788 --query"
}

case_get_ip_without_running_task() {
  echo '{"taskArns": []}' >"$case_dir/fixtures/ecs_list-tasks.json"
  verb get_ip
  expect_rc 1
  expect_stderr "no running task"
  expect_no_call "describe-tasks"
}

case_url_with_a_domain_name() {
  state_edit -output 'url="https://actors.example.com"'
  verb url
  expect_rc 0
  expect_stdout "https://actors.example.com"
  expect_no_call "^aws "
}

case_url_without_alb() {
  verb url
  expect_rc 0
  expect_stdout "http://203.0.113.45:5000"
}

# ---- nothing deployed --------------------------------------------------------------------------------
# With no outputs in the state, terraform output -raw prints a warning box and exits 0: each verb
# that reads the stack must say plainly that nothing is deployed, print nothing on stdout, and stop
# before asking AWS. Before the first deploy there is no state at all; after make delete, an
# empty one.
# nothing_deployed VERB never_deployed|deleted
nothing_deployed() {
  if [[ $2 == never_deployed ]]; then no_stack; else deleted_stack; fi
  verb "$1"
  expect_rc 1
  expect_stdout ""
  expect_stderr "nothing is deployed here: run make deploy"
  [[ "$err" != *"Warning"* && "$err" != *"No outputs found"* ]] || fail "terraform's warning must not reach the user"
  expect_no_call "^aws (ecs|ec2|secretsmanager|logs|cloudwatch) "
  [[ $1 == status ]] || expect_no_call "^aws "
}
for v in url credentials get_ip logs status; do
  for how in never_deployed deleted; do
    eval "case_${v}_when_nothing_is_deployed_${how}() { nothing_deployed $v $how; }"
  done
done

# A fresh clone: terraform/ never initialised, no state.
case_url_in_a_fresh_clone() {
  no_stack
  rm -rf "$tf_dir/.terraform" "$tf_dir/.terraform.lock.hcl"
  verb url
  expect_rc 1
  expect_stdout ""
  expect_stderr "nothing is deployed here: run make deploy"
}

case_url_of_a_partly_deployed_stack() {
  partly_deployed
  verb url
  expect_rc 1
  expect_stdout ""
  expect_stderr "has no output 'url': the stack is only partly deployed"
  expect_stderr "Run make deploy"
}

# ---- credentials / logs / delete ------------------------------------------------------------------
case_credentials_from_secrets_manager() {
  verb credentials
  expect_rc 0
  expect_stdout '{"password":"Zq7P\u0026bWw2kT9s\"Xv4L:mN8cR1yH6dJ3fG5e","username":"actors"}'
  expect_call "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$"
}

case_logs_follow_the_log_group() {
  verb logs
  expect_rc 0
  expect_call "^aws logs tail /ecs/actors --region us-east-1 --since 1h --follow$"
  [[ "$out" == *'"msg":"listening"'* ]] || fail "log lines not printed"
}

case_logs_without_follow() {
  export FOLLOW=0 SINCE=2h
  verb logs
  expect_rc 0
  expect_call "^aws logs tail /ecs/actors --region us-east-1 --since 2h$"
}

case_delete_asks_for_the_stack_name() {
  verb delete "actors"$'\n'
  expect_rc 0
  expect_stderr 'This destroys the stack "actors" in AWS account 123456789012, region us-east-1'
  expect_order "^aws sts get-caller-identity " "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json region$" "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
  [[ -z "$(tf state list)" && "$(tf output -json)" == "{}" ]] || fail "the state must be empty after make delete"
}

case_delete_without_confirmation_deletes_nothing() {
  verb delete "yes"$'\n'
  expect_rc 1
  expect_stderr "not confirmed"
  expect_no_call "destroy"
  verb delete ""
  expect_rc 1
  expect_no_call "destroy"
}

case_delete_with_auto_approve() {
  export AUTO_APPROVE=1
  verb delete
  expect_rc 0
  expect_call "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
  [[ "$err" != *"Type the stack name"* ]] || fail "AUTO_APPROVE=1 must not ask"
}

case_delete_refuses_another_region() {
  # From another region, terraform destroy would find nothing and forget the real stack.
  export AWS_REGION=eu-west-1 AUTO_APPROVE=1
  verb delete
  expect_rc 1
  expect_stderr "this stack is in us-east-1, but the region here is eu-west-1"
  expect_no_call "destroy"
}

case_delete_without_a_stack() {
  deleted_stack
  export AUTO_APPROVE=1
  verb delete
  expect_rc 1
  expect_stderr "nothing is deployed here"
  expect_stderr "nothing to delete"
  expect_no_call "destroy"
}

case_delete_without_a_state() {
  no_stack
  export AUTO_APPROVE=1
  verb delete
  expect_rc 1
  expect_stderr "nothing is deployed here"
  expect_no_call "destroy"
}

# A first deploy that stopped after creating the image repository (a failed build, say): make
# delete must still remove it.
case_delete_a_partly_deployed_stack() {
  partly_deployed
  verb delete "actors"$'\n'
  expect_rc 0
  expect_stderr 'This destroys the stack "actors" in AWS account 123456789012, region us-east-1'
  expect_call "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
  [[ -z "$(tf state list)" ]] || fail "the repository must be destroyed"
}

case_delete_reports_destroy_failure() {
  export STUB_FAIL="terraform -chdir=$tf_dir destroy" AUTO_APPROVE=1
  verb delete
  expect_rc 1
  expect_stderr "stubbed failure"
}

# ---- portability ----------------------------------------------------------------------------------
# macOS runs the verbs with bash 3.2, which this machine lacks: there, "${a[@]}" of an empty array
# is an unbound-variable error under set -u, and mapfile, associative arrays and ${x,,} do not
# exist. Check the verbs' source for them.
case_verbs_run_on_bash_3_2() {
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
}

# ---- the aws stub is the real CLI ------------------------------------------------------------------
# Every call the aws stub answered above, run again through the real AWS CLI v2 fed the same
# responses (scripts/teststubs/aws/realcli.py): it must print the same, and exit the same.
final_aws_stub_answers_as_the_real_cli_does() {
  cli_python=""
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import sys, awscli; sys.exit(not awscli.__version__.startswith("2."))' 2>/dev/null; then
      cli_python=$p
      break
    fi
  done
  if [[ -z "$cli_python" ]]; then
    if [[ "${CI:-}" == "true" ]]; then
      fail "no python3 with the AWS CLI v2 (Debian's awscli): required when CI=true"
    else
      echo "skip $case_name: no python3 with the AWS CLI v2 (Debian's awscli), so the aws stub is not checked against it"
    fi
  elif ! cat "$tmp"/cases/*/aws-calls.jsonl | "$cli_python" "$stubs/aws/realcli.py" - >"$case_dir/out" 2>"$case_dir/err"; then
    err=$(<"$case_dir/err")
    fail "the aws stub answers unlike the real CLI: $(<"$case_dir/out")"
  fi
}

# ---- run ------------------------------------------------------------------------------------------
# Each case_* function runs in a subshell of its own (its variables, environment and directory
# stay there), TEST_DEPLOY_JOBS at a time (default: one per CPU): a terraform command that loads
# the AWS provider takes a CPU for a second or two. The final_* checks, which read every case's
# calls, run after them.
mkdir "$tmp/reports"
# run_case FUNCTION: runs it as a case, keeps its report and exit status, prints the report.
run_case() {
  local name=${1#*_} status
  # Not `( ... ) || status=$?`: that would turn set -e off inside, and a case would go on past an
  # error of its own.
  set +e
  (
    set -e
    start "$name"
    "$1"
    done_case
  ) >"$tmp/reports/$name" 2>&1
  status=$?
  set -e
  echo "$status" >"$tmp/reports/$name.status"
  cat "$tmp/reports/$name"
}
max_jobs=${TEST_DEPLOY_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
for f in $(compgen -A function case_); do
  while (($(jobs -rp | wc -l) >= max_jobs)); do wait -n || true; done
  run_case "$f" &
done
wait
for f in $(compgen -A function final_); do run_case "$f"; done

passed=0
failed=0
for status in "$tmp"/reports/*.status; do
  name=${status##*/}
  name=${name%.status}
  if [[ $(<"$status") == 0 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    # A case that stopped on an error of its own, not on a check
    grep -q "^--- $name: calls were:" "$tmp/reports/$name" ||
      echo "  FAIL [$name]: the case stopped with exit status $(<"$status") (its output is above)" >&2
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))
