#!/usr/bin/env bash
# Tests the deploy verbs (scripts/deploy/*.sh) offline, with the real tools wherever they can run
# here:
#
# - terraform: the real one, on a real local state, in a copy of terraform/ initialised once from
#   the provider mirror with a CLI config of this test's own. Only the commands that would reach
#   AWS through the provider are stood in for (scripts/teststubs/bin/terraform): apply and destroy
#   store, with the real `terraform state push`, the states that the real terraform left when it
#   applied terraform/ with a mocked AWS provider at the start of this test, one for each stack
#   below (each front door, with and without a domain name); plan prints a plan's last line.
# - git: the real one, on a repository of this test's own holding copies of scripts/deploy,
#   terraform/ and api/openapi.yaml, as a checkout of this repository does (the verbs find
#   terraform/ next to themselves).
# - dig: the real one (make deploy's check of a Route 53 zone's delegation), asking a DNS server
#   of the test's own on 127.0.0.1 that answers from the case's fixtures
#   (scripts/teststubs/dnsserve).
# - aws: scripts/teststubs/aws answers from documents shaped like the AWS CLI's responses
#   (scripts/teststubs/fixtures), evaluating --query and printing --output as the CLI does; the
#   last cases check every answer it gave here against the real AWS CLI v2 fed the same response.
# - curl, where it reaches a front door by a name of the user's: scripts/teststubs/bin/curl; the
#   last cases run every command line it was given through the real curl.
# - docker, podman and make: scripts/teststubs/bin/stub. The verbs hand the image build and the
#   smoke test to make targets with tests of their own (make test-image; the contract probe's).
# Every stand-in records its command line; the cases assert the order and arguments of the calls,
# what the verbs print, and that a failing step stops the chain with its error.
#
# Adding a case: write a function case_NAME. It runs in a subshell, in a fresh copy of the
# repository ($case_root, the stack's directory $tf_dir) with the default stack (the API Gateway
# front door) deployed: the service runs revision 6 of the task definition, image $previous, and
# an apply of a new image makes revision 7 (fixtures/ecs_describe-services.json shows it running);
# AWS_REGION=us-east-1 and nothing else of the caller's environment. In it:
#   set the case up    stack NAME for another of the stacks below (its terraform.tfvars and its
#                      state); no_stack, deleted_stack, partly_deployed, or state_edit (-output
#                      NAME=JSON sets an output, -output NAME removes it, -replace OLD=NEW) for
#                      the state; files in $case_dir/fixtures for the stubs' answers (how the aws
#                      stub chooses them: scripts/teststubs/aws/main.go; describe_services writes
#                      ECS's view of the service's deployments); STUB_FAIL=<start of a command
#                      line> to make that call fail; files changed in $case_root for a dirty tree
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
# in a local mirror (TF_PLUGIN_MIRROR, default /opt/tf-plugins), dig (Debian's bind9-dnsutils)
# for the delegation check's cases, curl and, for the check of the aws stub, python3 with the AWS
# CLI v2 (Debian's awscli). Skips without them, except under CI=true, where that is a failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/terraform-offline.sh"
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
for tool in aws tfstate dnsserve; do
  if ! GOPROXY=off GOFLAGS=-mod=readonly go -C "$stubs/$tool" build -o "$tmp/tools/$tool" . 2>"$tmp/build.log"; then
    cat "$tmp/build.log" >&2
    setup_failed "cannot build scripts/teststubs/$tool (run 'go -C scripts/teststubs/$tool mod download' first)"
  fi
  GOPROXY=off go -C "$stubs/$tool" vet . || setup_failed "go vet of scripts/teststubs/$tool"
done
ln -s "$tmp/tools/aws" "$tmp/bin/aws"
for tool in make podman; do ln -s "$stubs/bin/stub" "$tmp/bin/$tool"; done
ln -s "$stubs/bin/stub" "$tmp/docker-bin/docker"
for tool in terraform git curl; do ln -s "$stubs/bin/$tool" "$tmp/bin/$tool"; done
tfstate="$tmp/tools/tfstate"
export STUB_REAL_TERRAFORM="$real_terraform" STUB_REAL_GIT="$real_git" STUB_TFSTATE="$tfstate" STUB_STATES="$tmp/states"
# dig: the real one, with a DNS server of the test's own; without it, the cases that need it are
# left out (and CI fails). The system's tools without dig, for the case of a machine without it.
mkdir "$tmp/dig-bin" "$tmp/nodig"
real_dig=$(command -v dig || true)
if [[ -n "$real_dig" ]]; then
  ln -s "$stubs/bin/dig" "$tmp/dig-bin/dig"
  export STUB_REAL_DIG="$real_dig" STUB_DNSSERVE="$tmp/tools/dnsserve"
elif [[ "${CI:-}" == "true" ]]; then
  setup_failed "dig is not installed (Debian's bind9-dnsutils): required when CI=true"
fi
cp -rs /usr/bin/. "$tmp/nodig/"
[[ /bin -ef /usr/bin ]] || cp -rsn /bin/. "$tmp/nodig/"
rm -f "$tmp/nodig/dig"
real_curl=$(command -v curl || true)
[[ -n "$real_curl" || "${CI:-}" != "true" ]] || setup_failed "curl is not installed: required when CI=true"

# ---- the real terraform -------------------------------------------------------------------------
# Providers come from a mirror of this test's own, the registry is never asked. Its package of
# hashicorp/aws is a script that runs the provider of $mirror: Terraform checks the package
# against the lock file's hash on every command, which for a 700 MB binary takes about a second;
# for the script, no time. The provider that runs is the same.
package=${provider#"$mirror"/}
mkdir -p "$tmp/mirror/${package%/*}"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$provider" >"$tmp/mirror/$package"
chmod +x "$tmp/mirror/$package"
tf_cli_config "$tmp/mirror" >"$tmp/cli.tfrc"
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

# ---- the stacks, and the states a real apply leaves -------------------------------------------------
# A case's stack is one of these: its variables (stack NAME writes them to terraform.tfvars) and
# the state terraform test left when it applied terraform/ with them. deployed is the default:
# the API Gateway front door on its own name; then the task's public IP; the API Gateway on a
# domain name in a Route 53 zone, and with a certificate and DNS elsewhere; the ALB with those.
# (What the verbs do with a Route 53 zone does not depend on the front door.)
stacks="deployed public_ip gateway_domain gateway_cname alb_cname"
certificate=arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555
# shellcheck disable=SC2034 # read as ${!vars}
stack_vars_deployed=""
stack_vars_public_ip='front_door    = "public_ip"
allowed_cidrs = ["203.0.113.7/32"]'
stack_vars_gateway_domain='domain_name     = "actors.example.com"
route53_zone_id = "Z0123456789EXAMPLE"'
stack_vars_gateway_cname="domain_name     = \"api.example.org\"
certificate_arn = \"$certificate\""
stack_vars_alb_cname="front_door      = \"alb\"
$stack_vars_gateway_cname"

# terraform test applies terraform/ with the AWS provider mocked (terraform/tests/mocks, the
# values make test-terraform uses), in the ways the verbs apply it, and prints the state after
# each run (-verbose -json); tfstate split writes each as a state file. The stand-in terraform
# stores them as apply would (see scripts/teststubs/bin/terraform).
mkdir "$tmp/states-module" "$tmp/states"
cp -a "$template/terraform" "$template/api" "$tmp/states-module/"
{
  cat <<'HCL'
mock_provider "aws" {
  source = "./tests/mocks"
}

# The revision of the task definition that a deploy makes (the aws stub's service runs it:
# scripts/teststubs/fixtures/ecs_describe-services.json); the stand-in terraform numbers later ones.
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
HCL
  # make deploy's rollout of each stack: the whole stack, each on a state of its own, with an
  # image tag the stand-in replaces by the one applied.
  for name in $stacks; do
    vars=stack_vars_$name
    run=deployed
    [[ $name == deployed ]] || run=deployed_$name
    printf '\nrun "%s" {\n  state_key = "%s"\n  variables {\n    image_tag = "stand-in-image-tag"\n%s\n  }\n}\n' \
      "$run" "$name" "$(printf '%s\n' "${!vars}" | sed 's/^/    /')"
  done
} >"$tmp/states-module/terraform/tests/deploy_states.tftest.hcl"
if ! "$real_terraform" -chdir="$tmp/states-module/terraform" test -no-color -verbose -json \
  -filter=tests/deploy_states.tftest.hcl >"$tmp/states.json" 2>"$tmp/states.err"; then
  grep -v '"test_state"' "$tmp/states.json" | cat - "$tmp/states.err" >&2
  setup_failed "terraform test could not apply terraform/ with the mocked provider"
fi
"$tfstate" split "$tmp/states" <"$tmp/states.json" || setup_failed "tfstate split"

# The stack every case starts with: deployed, running the image $previous in revision 6.
previous=fedcba987654-amd64
td=arn:aws:ecs:us-east-1:123456789012:task-definition/actors
# first_state NAME: the state of stack NAME as a case starts with it, on stdout.
first_state() {
  local run=deployed
  [[ $1 == deployed ]] || run=deployed_$1
  "$tfstate" next -from "$tmp/states/$run.tfstate" -replace "stand-in-image-tag=$previous" -replace "$td:7=$td:6" </dev/null
}
first_state deployed | "$real_terraform" -chdir="$template/terraform" state push - || setup_failed "terraform state push"
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
    ROLLOUT_TIMEOUT SMOKE_RETRY_SECONDS EVENTS TF_DIR STUB_STACK ROLLBACK DNS_CHECK TF_BACKEND_CONFIG GITHUB_STEP_SUMMARY GITHUB_OUTPUT
  local v
  for v in $(compgen -e); do
    case "$v" in TF_VAR_* | TF_CLI_ARGS*) unset "$v" ;; esac
  done
  # A rollout in progress is polled again at once, a failed smoke test run again at once.
  export AWS_REGION=us-east-1 ROLLOUT_POLL_SECONDS=0 SMOKE_RETRY_SECONDS=0
  export STUB_LOG="$case_dir/log" STUB_FIXTURES="$case_dir/fixtures" STUB_STATE="$case_dir/state" STUB_ECR_TOKEN="$token" \
    STUB_RECORD="$case_dir/aws-calls.jsonl"
  export PATH="$tmp/bin:$tmp/docker-bin:$tmp/dig-bin:/usr/bin:/bin"
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

# stack NAME: the case's stack is NAME (above): its variables in terraform.tfvars (git-ignored, as
# a user's are), its state as deployed, running revision 6, and what an apply leaves.
stack() {
  local vars=stack_vars_$1
  printf '%s\n' "${!vars}" >"$tf_dir/terraform.tfvars"
  no_stack
  first_state "$1" | tf state push - >/dev/null
  export STUB_STACK=deployed
  [[ $1 == deployed ]] || STUB_STACK=deployed_$1
}

# deployment ID STATUS REVISION ROLLOUT RUNNING PENDING [FAILED [REASON]]: one of the service's
# deployments, as DescribeServices shows it (the deployment ecs-svc/ID, of task definition
# actors:REVISION, desiring one task).
deployment() {
  local state=${4,,}
  printf '{"id": "ecs-svc/%s", "status": "%s", "taskDefinition": "%s:%s", "desiredCount": 1, "runningCount": %s, "pendingCount": %s, "failedTasks": %s, "launchType": "FARGATE", "rolloutState": "%s", "rolloutStateReason": "%s"}' \
    "$1" "$2" "$td" "$3" "$5" "$6" "${7:-0}" "$4" "${8:-ECS deployment ecs-svc/$1 ${state/_/ }.}"
}
# describe_services SUFFIX DEPLOYMENT...: the aws stub's answer to DescribeServices
# (fixtures/ecs_describe-services<SUFFIX>.json: "" for every call, "#2" for the second, "#3+" for
# the third on) with these deployments, the first the primary one, and the service events in
# $service_events (a JSON list; none by default).
describe_services() {
  local file="$case_dir/fixtures/ecs_describe-services$1.json" primary deployments="" d
  shift
  primary=$(sed -n 's/.*"taskDefinition": "\([^"]*\)".*/\1/p' <<<"$1")
  for d in "$@"; do deployments+="${deployments:+, }$d"; done
  printf '{"services": [{"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/actors/actors", "serviceName": "actors", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/actors", "status": "ACTIVE", "desiredCount": 1, "runningCount": 1, "pendingCount": 0, "launchType": "FARGATE", "taskDefinition": "%s", "deployments": [%s], "events": %s}], "failures": []}\n' \
    "$primary" "$deployments" "${service_events:-[]}" >"$file"
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
# The apply of a deploy of the stack every case starts with: the new image, and the one the
# service ran, which ECR must keep.
apply_new="${apply_tag}$tag -var previous_image_tag=$previous$"
endpoint=https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com
gateway_target="d-0123456789.execute-api.us-east-1.amazonaws.com"
alb_name=actors-1234567890.us-east-1.elb.amazonaws.com
# What the service runs before a deploy (read from ECS, for previous_image_tag) and after.
read_running="^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.taskDefinition --output text$"
watch="^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.deployments\[\]"

# polls: how many times the rollout was read.
polls() {
  local c n=0
  for c in "${calls[@]}"; do [[ ! "$c" =~ $watch ]] || n=$((n + 1)); done
  echo "$n"
}

# ---- the states ------------------------------------------------------------------------------------
# The state files the stand-in terraform stores, shown back by the real terraform, are the states
# terraform test printed after its applies: converting them loses nothing.
case_states_are_the_ones_terraform_test_applied() {
  local run
  for run in repository deployed $(for s in $stacks; do [[ $s == deployed ]] || echo "deployed_$s"; done); do
    no_stack
    "$tfstate" next -from "$tmp/states/$run.tfstate" </dev/null | tf state push - || fail "terraform state push of $run"
    tf show -json >"$case_dir/shown-$run.json" || fail "terraform show of $run"
    "$tfstate" same "$tmp/states.json" "$run" <"$case_dir/shown-$run.json" 2>"$case_dir/err" || fail "$run: $(<"$case_dir/err")"
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
    "^terraform -chdir=.* output -json$" \
    "^terraform -chdir=.* console -var region=us-east-1$" \
    "^git -C .* rev-parse --short=12 HEAD$" \
    "^git -C .* status --porcelain$" \
    "^terraform -chdir=.* state list aws_ecr_repository.this$" \
    "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -target=aws_ecr_repository.this -target=aws_ecr_lifecycle_policy.this$" \
    "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
    "^make -C $case_root image IMAGE=$repo:$tag VERSION=$tag CONTAINER_TOOL=docker PLATFORM=linux/amd64$" \
    "^aws ecr get-login-password --region us-east-1$" \
    "^docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com$" \
    "^docker push $repo:$tag$" \
    "${apply_tag}$tag$" \
    "$watch" \
    "^aws secretsmanager get-secret-value --region us-east-1 --secret-id arn:aws:secretsmanager:us-east-1:123456789012:secret:actors-credentials-20260101-AbCdEf --query SecretString --output text$" \
    "^make -C $case_root smoke URL=$endpoint$"
  built=$(arg_of "^make .* image " "IMAGE=$repo:")
  pushed=$(arg_of "^docker push " "$repo:")
  applied=$(arg_of "^terraform .* apply .*-var image_tag" "image_tag=")
  [[ "$built" == "$tag" && "$pushed" == "$tag" && "$applied" == "$tag" ]] ||
    fail "tag built '$built', pushed '$pushed', applied '$applied': want all '$tag' (commit and architecture)"
  expect_stderr "AWS account 123456789012 (arn:aws:iam::123456789012:user/deployer), region us-east-1"
  [[ "$(state_file smoke_env)" == "actors"$'\n'"$password" ]] ||
    fail "the smoke test must get the secret's username and password in ACTORS_USERNAME/ACTORS_PASSWORD, got '$(state_file smoke_env)'"
  expect_not_in_calls "$password"
  # The first deploy: nothing ran before it, and no task IP is looked up behind a front door.
  expect_no_call "^podman |previous_image_tag|$read_running|list-tasks|describe-network-interfaces|^curl |^dig "
  expect_stdout "$endpoint"
}

# The blog's direct mode: the smoke test goes to the task's own address, in clear text.
case_deploy_with_public_ip_smoke_tests_the_task_address() {
  stack public_ip
  verb deploy
  expect_rc 0
  expect_order "$apply_new" "$watch" "^aws ecs list-tasks --region us-east-1 --cluster actors --service-name actors --desired-status RUNNING " \
    "^aws ec2 describe-network-interfaces " "^make -C $case_root smoke URL=http://203.0.113.45:5000$"
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
  expect_stdout "$endpoint"
}

case_deploy_again_reuses_repository_and_image() {
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_no_call "apply .*-target="
  expect_no_call "^make .* image "
  expect_no_call "^docker "
  expect_no_call "get-login-password"
  expect_order "^aws ecr describe-images " "$apply_new" "$watch" "^make .* smoke "
  expect_stdout "$endpoint"
}

# ECR must keep the image the service runs now (previous_image_tag), which is what ECS rolls back
# to: read from the service, not from the state.
case_deploy_passes_the_image_the_service_runs_as_previous_image_tag() {
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_order "$read_running" \
    "^aws ecs describe-task-definition --region us-east-1 --task-definition $td:6 --query taskDefinition\.containerDefinitions\[\?starts_with\(image, '$repo:'\)\]\.image \| \[0\] --output text$" \
    "$apply_new"
  expect_stderr "terraform apply (image_tag=$tag, previous_image_tag=$previous)"
}

# After a rollback the state names the failed revision; the service runs the one before. The next
# deploy keeps the image that runs, and rolls out a new revision as usual.
case_deploy_after_a_rollback_keeps_the_image_that_runs() {
  state_edit -replace "$previous=0badc0ffee00-amd64" -replace "$td:6=$td:7"
  describe_services "" "$(deployment 2222222222222222222 PRIMARY 8 COMPLETED 1 0)"
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_call "$apply_new"
  expect_no_call "previous_image_tag=0badc0ffee00-amd64"
  [[ "$(tf output -json task_definition_arn)" == "\"$td:8\"" ]] || fail "the apply must register revision 8, the state says $(tf output -json task_definition_arn)"
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
    "${apply_tag}$sha-arm64 "
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

case_deploy_stops_when_it_cannot_read_what_runs() {
  export STUB_FAIL="aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services[0].taskDefinition"
  verb deploy
  expect_rc 1
  expect_stderr "cannot read what service actors runs now"
  expect_no_call "^make |^docker |apply "
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
    "${apply_tag}$sha-arm64 "
  expect_no_call "^docker "
}

# CI: the backend's settings in a file named by TF_BACKEND_CONFIG, relative to where make runs.
case_deploy_with_tf_backend_config() {
  printf 'terraform {\n  backend "local" {}\n}\n' >"$tf_dir/backend.tf"
  mkdir "$case_dir/ci"
  printf 'path = "%s"\n' "$case_dir/remote.tfstate" >"$case_dir/ci/backend.hcl"
  tf init -input=false -migrate-state -force-copy -backend-config="$case_dir/ci/backend.hcl" >"$case_dir/migrate.log" 2>&1 ||
    fail "moving the state to the backend failed: $(<"$case_dir/migrate.log")"
  rm "$tf_dir/terraform.tfstate"
  in_ecr "$tag"
  cd "$case_dir"
  export TF_BACKEND_CONFIG=ci/backend.hcl
  verb deploy
  expect_rc 0
  expect_call "^terraform -chdir=.* init -input=false -backend-config=$case_dir/ci/backend.hcl$"
  [[ "$(tf output -json image)" == "\"$repo:$tag\"" ]] || fail "the backend's state must run $tag, it runs $(tf output -json image)"
  [[ ! -e "$tf_dir/terraform.tfstate" ]] || fail "the deploy wrote a local state besides the backend's"
}

# A fresh clone in CI has no backend block: TF_BACKEND_CONFIG writes the S3 one (git-ignored).
case_deploy_with_tf_backend_config_writes_the_backend_block() {
  printf 'bucket = "state"\nkey = "actors/terraform.tfstate"\nregion = "us-east-1"\n' >"$case_dir/backend.hcl"
  export TF_BACKEND_CONFIG="$case_dir/backend.hcl" STUB_FAIL="terraform -chdir=$tf_dir init"
  verb deploy
  expect_rc 1
  expect_call "^terraform -chdir=.* init -input=false -backend-config=$case_dir/backend.hcl$"
  [[ "$(<"$tf_dir/backend.tf")" == $'terraform {\n  backend "s3" {}\n}' ]] || fail "backend.tf must declare the S3 backend, it holds: $(cat "$tf_dir/backend.tf")"
  [[ -z "$("$real_git" -C "$case_root" status --porcelain)" ]] || fail "backend.tf must be git-ignored"
  expect_stderr "terraform init failed"
}

case_deploy_with_a_missing_tf_backend_config() {
  export TF_BACKEND_CONFIG="$case_dir/no-such.hcl"
  verb deploy
  expect_rc 1
  expect_stderr "TF_BACKEND_CONFIG=$case_dir/no-such.hcl is not a readable file"
  expect_no_call "^terraform "
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
  expect_call "^terraform -chdir=.* apply -input=false -var region=us-east-1 -var image_tag=$tag -var previous_image_tag=$previous$"
  expect_order "^terraform -chdir=.* apply " "$watch" "^make .* smoke "
}

case_deploy_plan_not_approved() {
  export AUTO_APPROVE=0
  in_ecr "$tag"
  verb deploy "no"$'\n'
  expect_rc 1
  expect_stderr "Apply cancelled."
  expect_stderr "terraform apply failed"
  expect_no_call "$watch|smoke"
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
  expect_no_call "^docker push |apply .*-var image_tag|$watch"
}

case_deploy_stops_when_push_fails() {
  export STUB_FAIL="docker push"
  verb deploy
  expect_rc 1
  expect_stderr "could not push $repo:$tag"
  expect_no_call "apply .*-var image_tag|$watch"
}

case_deploy_stops_when_apply_fails() {
  export STUB_FAIL="terraform -chdir=$tf_dir apply -input=false -auto-approve -var region=us-east-1 -var image_tag"
  verb deploy
  expect_rc 1
  expect_stderr "terraform apply failed"
  expect_no_call "$watch|list-tasks|smoke"
}

# ---- deploy: the rollout, as ECS reports it -------------------------------------------------------
# The smoke test runs once the new revision's tasks alone serve; ECS keeps the deployment in
# progress for its bake time after that (deployment alarms), and make deploy waits for the end.
case_deploy_smoke_tests_before_the_bake_time_ends() {
  describe_services "#1" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 0 1)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 1 0)"
  describe_services "#2" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 1 0)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 0 0)"
  describe_services "#3" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 1 0)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 0 0)"
  verb deploy
  expect_rc 0
  ((${#calls[@]} > 0)) && [[ "$(polls)" == 4 ]] || fail "the rollout must be read until it completes: $(polls) reads, want 4"
  smoke=$(find_call "^make .* smoke ")
  # The second read finds the new tasks alone: the smoke test comes right after it.
  [[ "${calls[$((smoke - 1))]}" =~ ^aws\ secretsmanager && "${calls[$((smoke - 2))]}" =~ $watch ]] ||
    fail "the smoke test must come once the new tasks alone serve, before the bake time ends"
  expect_stderr "deployment ecs-svc/1234567890123456789: 0 of 1 tasks running, 1 pending; the previous revision still has 1"
  expect_stderr "deployment ecs-svc/1234567890123456789: its tasks alone serve; ECS watches the rollback alarms"
  expect_stdout "$endpoint"
}

# ECS's circuit breaker: the new tasks never get healthy, ECS fails the deployment and rolls back
# to the revision before (8 to 11 minutes, longer than aws ecs wait services-stable waits).
circuit_breaker='ECS deployment circuit breaker: tasks failed to start.'
case_deploy_reports_a_circuit_breaker_rollback() {
  service_events='[
    {"id": "e3", "createdAt": "2026-01-02T03:20:11+00:00", "message": "(service actors) has reached a steady state."},
    {"id": "e2", "createdAt": "2026-01-02T03:19:40+00:00", "message": "(service actors) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start."},
    {"id": "e1", "createdAt": "2026-01-02T03:19:40+00:00", "message": "(service actors) rolling back to deployment ecs-svc/9876543210987654321."}]'
  describe_services "#1" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 0 1 3)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 1 0)"
  describe_services "#2" "$(deployment 5555555555555555555 PRIMARY 6 IN_PROGRESS 1 0)" \
    "$(deployment 1234567890123456789 ACTIVE 7 FAILED 0 0 10 "$circuit_breaker")"
  describe_services "#3+" "$(deployment 5555555555555555555 PRIMARY 6 COMPLETED 1 0)"
  verb deploy
  expect_rc 1
  expect_stderr "deployment ecs-svc/1234567890123456789: 0 of 1 tasks running, 1 pending, 3 failed to start"
  expect_stderr "ECS is rolling deployment ecs-svc/1234567890123456789 back to actors:6: $circuit_breaker"
  expect_stderr "ECS rolled back the deployment of $tag (task definition actors:7, deployment ecs-svc/1234567890123456789): $circuit_breaker Serving now: actors:6 (image $previous)."
  expect_stderr "2026-01-02T03:19:40+00:00  (service actors) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start."
  expect_stderr "Terraform's state still names actors:7 (image $tag)"
  [[ "$err" != *"steady state"* && "$err" != *"did not become stable"* && "$err" != *"still in progress"* ]] ||
    fail "a rollback is no timeout, and only the deployment's own events are shown"
  expect_no_call "smoke|update-service|wait services-stable"
  expect_stdout ""
}

# A rollback seen only after the fact: the new revision's deployment is gone already.
case_deploy_detects_rollback() {
  describe_services "" "$(deployment 5555555555555555555 PRIMARY 6 COMPLETED 1 0)"
  verb deploy
  expect_rc 1
  expect_stderr "ECS rolled back the deployment of $tag (task definition actors:7): ECS gave no reason. Serving now: actors:6 (image $previous)."
  expect_no_call "list-tasks|smoke"
}

# An alarm that fires during the bake time, after the smoke test passed, rolls the deployment back.
case_deploy_rolled_back_by_an_alarm_during_the_bake_time() {
  alarm='ECS deployment ecs-svc/1234567890123456789 failed: alarm(s) detected: actors-getActor-5xx-rate.'
  service_events='[{"id": "e1", "createdAt": "2026-01-02T03:25:00+00:00", "message": "(service actors) (deployment ecs-svc/1234567890123456789) deployment failed: alarm detected."}]'
  describe_services "#1" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 1 0)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 0 0)"
  describe_services "#2" "$(deployment 5555555555555555555 PRIMARY 6 IN_PROGRESS 0 1)" \
    "$(deployment 1234567890123456789 ACTIVE 7 FAILED 1 0 0 "$alarm")"
  describe_services "#3+" "$(deployment 5555555555555555555 PRIMARY 6 COMPLETED 1 0)"
  export GITHUB_STEP_SUMMARY="$case_dir/summary.md" GITHUB_OUTPUT="$case_dir/output"
  verb deploy
  expect_rc 1
  expect_order "$watch" "^make .* smoke "
  [[ "$(polls)" == 3 ]] || fail "the rollout must be read until the rollback is over: $(polls) reads, want 3"
  expect_stderr "ECS rolled back the deployment of $tag (task definition actors:7, deployment ecs-svc/1234567890123456789): $alarm Serving now: actors:6 (image $previous)."
  expect_stderr "deployment ecs-svc/1234567890123456789) deployment failed: alarm detected."
  summary=$(<"$case_dir/summary.md")
  [[ "$summary" == "### make deploy: rolled back"* ]] || fail "the summary must say the deploy rolled back: $summary"
  [[ "$summary" == *"| Rollback | by ECS: $alarm |"* && "$summary" == *"| Serving now | actors:6 (image $previous) |"* ]] ||
    fail "the summary must give ECS's reason and what serves: $summary"
  [[ "$summary" == *"| Smoke test | passed: make smoke URL=$endpoint |"* ]] || fail "the smoke test passed: $summary"
  [[ "$(<"$case_dir/output")" == *$'\nresult=rolled_back' ]] || fail "the step's result output must be rolled_back: $(<"$case_dir/output")"
}

case_deploy_stops_waiting_for_a_rollout_that_never_ends() {
  describe_services "" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 0 1)" "$(deployment 9876543210987654321 ACTIVE 6 COMPLETED 1 0)"
  export ROLLOUT_TIMEOUT=0
  verb deploy
  expect_rc 1
  expect_stderr "the deployment of $tag (task definition actors:7, deployment ecs-svc/1234567890123456789) is still in progress after 0 s (ROLLOUT_TIMEOUT): ECS goes on with it"
  expect_no_call "smoke|update-service"
}

case_deploy_that_failed_and_could_not_roll_back() {
  # The first deployment has nothing to go back to: ECS marks it FAILED.
  describe_services "" "$(deployment 1234567890123456789 PRIMARY 7 FAILED 0 0 10 "$circuit_breaker")"
  verb deploy
  expect_rc 1
  expect_stderr "failed, and ECS could not roll it back (no deployment had completed before it): $circuit_breaker"
  expect_no_call "smoke|update-service"
}

# ---- deploy: the smoke test, and going back ---------------------------------------------------------
# The new revision fails its smoke test: make deploy puts the previous one back, waits, and says so.
case_deploy_rolls_back_when_the_smoke_test_fails() {
  export STUB_FAIL="make -C $case_root smoke" GITHUB_STEP_SUMMARY="$case_dir/summary.md"
  describe_services "#2+" "$(deployment 5555555555555555555 PRIMARY 6 COMPLETED 1 0)"
  printf '{"service": {"serviceName": "actors", "status": "ACTIVE", "taskDefinition": "%s:6", "deployments": [%s, %s]}}\n' "$td" \
    "$(deployment 5555555555555555555 PRIMARY 6 IN_PROGRESS 0 1)" "$(deployment 1234567890123456789 ACTIVE 7 IN_PROGRESS 1 0)" \
    >"$case_dir/fixtures/ecs_update-service.json"
  verb deploy
  expect_rc 1
  expect_order "$watch" "^make -C $case_root smoke URL=$endpoint$" \
    "^aws ecs update-service --region us-east-1 --cluster actors --service actors --task-definition $td:6 --query service\.deployments\[\?status=='PRIMARY'\]\.id \| \[0\] --output text$"
  [[ "$(polls)" == 2 ]] || fail "the rollback must be followed to its end: $(polls) reads of the rollout, want 2"
  smokes=$(grep -c "^make -C $case_root smoke " "$case_dir/log")
  [[ "$smokes" == 2 ]] || fail "a failed smoke test must run once more before the rollback: $smokes runs"
  expect_stderr "the smoke test failed (the contract probe failed against $endpoint (its report is above)): once more in 0 s"
  expect_stderr "the smoke test failed: rolling the service back to actors:6 (image $previous)"
  expect_stderr "the smoke test of $tag (task definition actors:7) failed: the contract probe failed against $endpoint (its report is above). Rolled back: the service runs actors:6 (image $previous) again, as before this deploy."
  expect_stderr "Terraform's state still names actors:7 (image $tag)"
  [[ "$(tf output -json task_definition_arn)" == "\"$td:7\"" ]] || fail "the state must still name revision 7"
  [[ "$(<"$case_dir/summary.md")" == "### make deploy: rolled back"*"| Smoke test | failed: the contract probe failed against $endpoint (its report is above) |"*"| Serving now | actors:6 (image $previous) |"* ]] ||
    fail "the summary must say the smoke test failed and what serves: $(<"$case_dir/summary.md")"
  expect_stdout ""
}

# A smoke test that fails once, right after the rollout, and passes the second time: deployed.
case_deploy_smoke_test_that_fails_once() {
  printf 'make -C %s smoke' "$case_root" >"$case_dir/state/fail-once"
  verb deploy
  expect_rc 0
  expect_stderr "the smoke test failed (the contract probe failed against $endpoint (its report is above)): once more in 0 s"
  expect_no_call "update-service"
  expect_stdout "$endpoint"
}

# The rollback itself fails (the revision before was deregistered, say): say what serves.
case_deploy_smoke_failure_whose_rollback_fails() {
  export STUB_FAIL="make -C $case_root smoke"
  printf '\nAn error occurred (ClientException) when calling the UpdateService operation: TaskDefinition is inactive\n' \
    >"$case_dir/fixtures/ecs_update-service.err"
  verb deploy
  expect_rc 1
  expect_stderr "TaskDefinition is inactive"
  expect_stderr "Rolling back to actors:6 failed too (the AWS CLI's error is above): actors:7 is serving. To go back to the image that ran before: make deploy IMAGE_TAG=$previous."
}

# A hotfix: no rollback, by the alarms or by make deploy.
case_deploy_with_rollback_off() {
  export ROLLBACK=off STUB_FAIL="make -C $case_root smoke"
  in_ecr "$tag"
  verb deploy
  expect_rc 1
  expect_call "$apply_tag$tag -var previous_image_tag=$previous -var rollback_on_alarms=false$"
  expect_stderr "the smoke test of $tag (task definition actors:7) failed: the contract probe failed against $endpoint (its report is above). ROLLBACK=off: it is left serving. To go back to the image that ran before: make deploy IMAGE_TAG=$previous."
  expect_no_call "update-service"
}

case_deploy_with_rollback_off_that_passes() {
  export ROLLBACK=off
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  expect_call "$apply_tag$tag -var previous_image_tag=$previous -var rollback_on_alarms=false$"
}

case_deploy_refuses_a_bad_rollback_value() {
  export ROLLBACK=no
  verb deploy
  expect_rc 1
  expect_stderr "ROLLBACK must be on or off, not 'no'"
  expect_no_call "^(aws|terraform) "
}

case_first_deploy_smoke_failure_has_nothing_to_go_back_to() {
  no_stack
  export STUB_FAIL="make -C $case_root smoke"
  verb deploy
  expect_rc 1
  expect_stderr "smoke test of $tag (task definition actors:7) failed"
  expect_stderr "There is nothing to roll back to: it is the first deployment of the stack."
  expect_no_call "update-service"
}

case_deploy_an_earlier_image_tag() {
  # The image the service runs: the apply changes no revision, and the service stays on it.
  export IMAGE_TAG=$previous
  in_ecr "$previous"
  describe_services "" "$(deployment 9876543210987654321 PRIMARY 6 COMPLETED 1 0)"
  verb deploy
  expect_rc 0
  expect_no_call "^git |^make .* image |^docker |get-login-password|apply .*-target="
  expect_order "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$previous$" \
    "${apply_tag}$previous -var previous_image_tag=$previous$" "$watch" "^make .* smoke "
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

# ---- deploy: CI's step summary --------------------------------------------------------------------
case_deploy_writes_the_step_summary() {
  export GITHUB_STEP_SUMMARY="$case_dir/summary.md" GITHUB_OUTPUT="$case_dir/output"
  printf '## earlier steps\n' >"$GITHUB_STEP_SUMMARY"
  in_ecr "$tag"
  verb deploy
  expect_rc 0
  want="## earlier steps
### make deploy: deployed

| | |
| --- | --- |
| Stack | actors, AWS account 123456789012, us-east-1 |
| URL | $endpoint |
| Image | $tag (task definition actors:7) |
| Smoke test | passed: make smoke URL=$endpoint |
| Serving now | actors:7 (image $tag) |"
  [[ "$(<"$case_dir/summary.md")" == "$want" ]] || fail "step summary: $(<"$case_dir/summary.md")"
  [[ "$(<"$case_dir/output")" == "url=$endpoint"$'\n'"image_tag=$tag"$'\n'"result=deployed" ]] || fail "step outputs: $(<"$case_dir/output")"
}

case_deploy_step_summary_of_a_failure_before_the_apply() {
  export GITHUB_STEP_SUMMARY="$case_dir/summary.md" STUB_FAIL="docker push"
  verb deploy
  expect_rc 1
  summary=$(<"$case_dir/summary.md")
  [[ "$summary" == "### make deploy: failed, nothing applied"* && "$summary" == *$'```\n'"could not push $repo:$tag"$'\n```' ]] ||
    fail "the summary must say nothing was applied, and why: $summary"
  [[ "$summary" != *"| URL |"* ]] || fail "no URL before anything is deployed: $summary"
}

# ---- deploy: a domain name ------------------------------------------------------------------------
# The name resolves and leads to the front door: the contract probe runs against it.
case_deploy_on_a_domain_name_that_resolves() {
  stack gateway_domain
  echo actors.example.com >>"$case_dir/fixtures/curl_dns.txt"
  verb deploy
  expect_rc 0
  expect_order "^aws route53 get-hosted-zone --region us-east-1 --id Z0123456789EXAMPLE " "^dig \+noall \+comments \+answer NS example\.com$" \
    "^make .* image " "$apply_new" "$watch" \
    "^curl --silent --show-error --output /dev/null --write-out %\{http_code\} --max-time 20 https://actors\.example\.com/healthz$" \
    "^make -C $case_root smoke URL=https://actors.example.com$"
  expect_stderr "DNS: example.com is delegated to its Route 53 zone Z0123456789EXAMPLE (ns-0.awsdns-00.com ns-512.awsdns-00.net ns-1024.awsdns-00.org ns-1536.awsdns-00.co.uk)"
  expect_no_call "--connect-to"
  expect_stdout "https://actors.example.com"
}

# A new name that does not resolve yet: the API's own endpoint gets the contract probe, and the
# custom domain is reached through its regional name, as the alias will lead there.
case_deploy_on_a_new_domain_name_smoke_tests_the_api_endpoint() {
  stack gateway_domain
  export GITHUB_STEP_SUMMARY="$case_dir/summary.md"
  verb deploy
  expect_rc 0
  expect_order "^curl .* https://actors\.example\.com/healthz$" \
    "^curl .* --connect-to actors\.example\.com:443:$gateway_target:443 https://actors\.example\.com/healthz$" \
    "^curl .* --connect-to actors\.example\.com:443:$gateway_target:443 https://actors\.example\.com/actors$" \
    "^curl .* --connect-to actors\.example\.com:443:$gateway_target:443 --config - https://actors\.example\.com/actors$" \
    "^make -C $case_root smoke URL=$endpoint$"
  expect_stderr "https://actors.example.com is not reachable from here (the name does not resolve): smoke-testing the front door at its own address instead, as actors.example.com"
  [[ "$(state_file curl_user)" == "actors:Zq7P&bWw2kT9s\\\"Xv4L:mN8cR1yH6dJ3fG5e" ]] || fail "curl must get the credentials in its config, quoted: $(state_file curl_user)"
  expect_not_in_calls "$password"
  [[ "$(<"$case_dir/summary.md")" == *"| Smoke test | passed: make smoke URL=$endpoint (the API's own address), and https://actors.example.com through $gateway_target |"* ]] ||
    fail "the summary must say how the smoke test went: $(<"$case_dir/summary.md")"
  expect_stdout "https://actors.example.com"
}

# A certificate of the user's and DNS outside Route 53: the CNAME to create, and the smoke test
# through the front door's own address instead of a failure.
case_deploy_with_dns_elsewhere_prints_the_cname() {
  stack gateway_cname
  export GITHUB_STEP_SUMMARY="$case_dir/summary.md"
  verb deploy
  expect_rc 0
  expect_stderr "DNS: create the CNAME record api.example.org -> $gateway_target at your DNS provider: https://api.example.org is not reachable yet (the name does not resolve)"
  expect_call "^curl .* --connect-to api\.example\.org:443:$gateway_target:443 https://api\.example\.org/healthz$"
  expect_call "^make -C $case_root smoke URL=$endpoint$"
  expect_no_call "route53|^dig "
  [[ "$(<"$case_dir/summary.md")" == *"| DNS | create the CNAME record api.example.org -> $gateway_target at your DNS provider"* ]] ||
    fail "the summary must name the CNAME to create: $(<"$case_dir/summary.md")"
  expect_stdout "https://api.example.org"
}

# The ALB's own name has no certificate of the domain: until the name resolves, the smoke test
# reaches the load balancer's address as the domain.
case_deploy_alb_with_dns_elsewhere() {
  stack alb_cname
  verb deploy
  expect_rc 0
  expect_stderr "DNS: create the CNAME record api.example.org -> $alb_name at your DNS provider"
  expect_order \
    "^curl .* https://api\.example\.org/healthz$" \
    "^curl .* --connect-to api\.example\.org:443:$alb_name:443 https://api\.example\.org/healthz$" \
    "^curl .* --connect-to api\.example\.org:443:$alb_name:443 https://api\.example\.org/actors$" \
    "^curl .* --connect-to api\.example\.org:443:$alb_name:443 --config - https://api\.example\.org/actors$"
  expect_no_call "^make .* smoke "
  expect_not_in_calls "$password"
  expect_stdout "https://api.example.org"
}

case_deploy_alb_once_the_cname_resolves() {
  stack alb_cname
  echo api.example.org >>"$case_dir/fixtures/curl_dns.txt"
  verb deploy
  expect_rc 0
  expect_stderr "DNS: api.example.org must be a CNAME record to $alb_name"
  expect_call "^make -C $case_root smoke URL=https://api.example.org$"
  expect_no_call "--connect-to"
}

# The front door answers badly through its own address: the smoke test fails, and is rolled back.
case_deploy_alb_smoke_failure_rolls_back() {
  stack alb_cname
  : >"$case_dir/fixtures/curl_broken"
  describe_services "#2+" "$(deployment 5555555555555555555 PRIMARY 6 COMPLETED 1 0)"
  printf '{"service": {"serviceName": "actors", "deployments": [%s]}}\n' "$(deployment 5555555555555555555 PRIMARY 6 IN_PROGRESS 0 1)" \
    >"$case_dir/fixtures/ecs_update-service.json"
  verb deploy
  expect_rc 1
  expect_stderr "failed: GET https://api.example.org/healthz through $alb_name answered 502, want 200. Rolled back: the service runs actors:6 (image $previous) again"
}

# ---- deploy: is the Route 53 zone the one the name is delegated to? --------------------------------
if [[ -n "$real_dig" ]]; then
  # delegation_stops ANSWER MESSAGE: with the public DNS answering ANSWER for the zone's name
  # servers, make deploy stops before building anything, saying MESSAGE.
  delegation_stops() {
    stack gateway_domain
    printf '%s\n' "$1" >"$case_dir/fixtures/dns/NS_example.com"
    verb deploy
    expect_rc 1
    expect_stderr "$2"
    expect_stderr "ACM could not validate the certificate (Terraform would wait up to 75 minutes for it)"
    expect_stderr "the zone's: ns-1536.awsdns-00.co.uk ns-0.awsdns-00.com ns-1024.awsdns-00.org ns-512.awsdns-00.net."
    expect_stderr "DNS_CHECK=off skips this check"
    expect_no_call "^make |^docker |apply "
  }
  case_deploy_stops_when_the_zone_is_not_the_delegated_one() {
    delegation_stops $'ns-1.awsdns-01.org.\nns-2.awsdns-02.com.' \
      "example.com is delegated to ns-1.awsdns-01.org ns-2.awsdns-02.com, but the Route 53 zone Z0123456789EXAMPLE is served by"
  }
  case_deploy_stops_when_the_zone_is_partly_delegated() {
    delegation_stops $'ns-0.awsdns-00.com.\nns-7.awsdns-07.net.' \
      "example.com is delegated to ns-0.awsdns-00.com ns-7.awsdns-07.net, but the Route 53 zone Z0123456789EXAMPLE is served by"
  }
  case_deploy_stops_when_the_domain_is_not_delegated_at_all() {
    delegation_stops NXDOMAIN "the public DNS answers NXDOMAIN for the name servers of example.com"
  }
  case_deploy_stops_when_the_delegation_leads_nowhere() {
    delegation_stops SERVFAIL "the public DNS answers SERVFAIL for the name servers of example.com"
  }
  case_deploy_stops_when_the_zone_has_no_delegation() {
    delegation_stops NODATA "the public DNS has no name servers for example.com"
  }
  # A resolver that does not answer says nothing: the check is skipped, not failed.
  case_deploy_without_an_answer_from_dns_skips_the_check() {
    stack gateway_domain
    echo DROP >"$case_dir/fixtures/dns/NS_example.com"
    verb deploy
    expect_rc 0
    expect_stderr "could not ask DNS for the name servers of example.com (dig: exit status 9): not checking"
  }
  # route53_zone_name: the zone is found by name, the public one.
  case_deploy_delegation_check_by_zone_name() {
    stack gateway_domain
    printf 'domain_name       = "actors.example.com"\nroute53_zone_name = "example.com"\n' >"$tf_dir/terraform.tfvars"
    verb deploy
    expect_rc 0
    expect_order \
      "^aws route53 list-hosted-zones-by-name --region us-east-1 --dns-name example\.com --query HostedZones\[\?Name=='example\.com\.' && Config\.PrivateZone==\`false\`\]\.Id --output text$" \
      "^aws route53 get-hosted-zone --region us-east-1 --id Z0123456789EXAMPLE " "^dig "
  }
  case_deploy_with_dns_check_off() {
    stack gateway_domain
    echo NXDOMAIN >"$case_dir/fixtures/dns/NS_example.com"
    export DNS_CHECK=off
    verb deploy
    expect_rc 0
    expect_stderr "DNS_CHECK=off: not checking"
    expect_no_call "^dig |route53"
  }
  case_deploy_refuses_a_zone_name_with_no_public_zone() {
    stack gateway_domain
    printf 'domain_name       = "actors.example.com"\nroute53_zone_name = "example.org"\n' >"$tf_dir/terraform.tfvars"
    verb deploy
    expect_rc 1
    expect_stderr "there is no public Route 53 hosted zone named example.org in account 123456789012 (route53_zone_name)"
    expect_no_call "^dig |^make |apply "
  }
  case_plan_warns_when_the_zone_is_not_the_delegated_one() {
    stack gateway_domain
    echo NXDOMAIN >"$case_dir/fixtures/dns/NS_example.com"
    verb plan
    expect_rc 0
    expect_stderr "warning: the public DNS answers NXDOMAIN for the name servers of example.com"
    expect_call "^terraform -chdir=.* plan "
  }
else
  echo "skip the delegation check's cases: dig is not installed (Debian's bind9-dnsutils)"
fi

case_deploy_without_dig_skips_the_delegation_check() {
  stack gateway_domain
  export PATH="$tmp/bin:$tmp/docker-bin:$tmp/nodig"
  verb deploy
  expect_rc 0
  expect_stderr "dig not found: not checking that the Route 53 zone is the one actors.example.com is delegated to"
  expect_no_call "^dig |route53"
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
  expect_call "$apply_new"
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
    "^terraform -chdir=.* output -json$" \
    "^aws ecr describe-images --region us-east-1 --repository-name actors --image-ids imageTag=$tag$" \
    "$read_running" \
    "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag -var previous_image_tag=$previous$"
  expect_stderr "make deploy would build and push $repo:$tag"
  [[ "$out" == *"Plan: 0 to add, 1 to change, 0 to destroy."* ]] || fail "the plan must be printed on stdout"
  [[ "$err" != *"a deploy was rolled back"* ]] || fail "the service runs what the state names"
  expect_no_call "apply |^make |^docker |get-login-password|update-service"
}

case_plan_before_the_first_deploy() {
  no_stack
  verb plan
  expect_rc 0
  expect_stderr "first deploy: make deploy would create the ECR repository, then build and push $tag"
  expect_call "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag$"
  expect_no_call "apply |describe-images|describe-services"
}

case_plan_of_uncommitted_changes() {
  printf '# a change not committed\n' >>"$tf_dir/variables.tf"
  verb plan
  expect_rc 0
  expect_stderr "make deploy would refuse them without ALLOW_DIRTY=1"
  [[ "$(arg_of "^terraform .* plan " "image_tag=")" =~ ^$sha-dirty-[0-9]{14}-amd64$ ]] || fail "a dirty plan must use a dirty tag"
}

# After a rollback: the plan says why the service would change back.
case_plan_after_a_rollback() {
  state_edit -replace "$previous=0badc0ffee00-amd64" -replace "$td:6=$td:7"
  export ROLLBACK=off
  verb plan
  expect_rc 0
  expect_stderr "the service runs actors:6 (image $previous), not actors:7, which the state names: a deploy was rolled back."
  expect_call "^terraform -chdir=.* plan -input=false -var region=us-east-1 -var image_tag=$tag -var previous_image_tag=$previous -var rollback_on_alarms=false$"
}

# ---- rotate-password ------------------------------------------------------------------------------
generated=Hq4TnV8wXc2ZpL6mRb9Ks3Fy7Dj5Ge1A
case_rotate_password_generates_one_and_rolls_the_tasks() {
  verb rotate-password
  expect_rc 0
  expect_order \
    "^aws sts get-caller-identity " \
    "^terraform -chdir=.* init -input=false$" \
    "^terraform -chdir=.* output -json$" \
    "^aws secretsmanager get-random-password --region us-east-1 --password-length 32 --exclude-punctuation --query RandomPassword --output text$" \
    "^terraform -chdir=.* apply -input=false -auto-approve -var region=us-east-1 -replace=terraform_data.password -target=aws_secretsmanager_secret_version.credentials$" \
    "^aws ecs update-service --region us-east-1 --cluster actors --service actors --force-new-deployment --query" \
    "$watch"
  expect_no_call "wait services-stable"
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

# The new tasks take their time: the deployment is followed until it completes.
case_rotate_password_waits_for_the_new_tasks() {
  describe_services "#1" "$(deployment 1234567890123456789 PRIMARY 7 IN_PROGRESS 0 1)" "$(deployment 9876543210987654321 ACTIVE 7 COMPLETED 1 0)"
  verb rotate-password
  expect_rc 0
  [[ "$(polls)" == 2 ]] || fail "the rollout must be read until it completes: $(polls) reads, want 2"
  expect_stderr "deployment ecs-svc/1234567890123456789: 0 of 1 tasks running, 1 pending"
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
    "^terraform -chdir=.* output -json$" \
    "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.\[status, runningCount, pendingCount, desiredCount\] --output text$" \
    "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.deployments\[\]" \
    "^aws ecs describe-services --region us-east-1 --cluster actors --services actors --query services\[0\]\.events\[:10\]" \
    "^aws cloudwatch describe-alarms --region us-east-1 --state-value ALARM --alarm-names $status_alarms --query" \
    "^aws apigatewayv2 get-vpc-link --region us-east-1 --vpc-link-id [a-z0-9]+ --query \[VpcLinkStatus, VpcLinkStatusMessage\] --output text$" \
    "^aws servicediscovery get-instances-health-status --region us-east-1 --service-id srv-0123456789abcdef --query sort\(values\(Status\)\) --output text$"
  # One read of the state: every output at once.
  [[ $(grep -c "output -json" "$case_dir/log") == 1 ]] || fail "the outputs must be read once: $(grep "output -json" "$case_dir/log")"
  [[ "$out" == *$'\nurl       '"$endpoint"$'\n'* ]] || fail "no url line"
  [[ "$out" == *$'\nfront door api_gateway: API a1b2c3d4e5, access log /aws/vendedlogs/apigateway/actors\n           VPC link '*$': AVAILABLE (VPC link is ready to route traffic)\n           Cloud Map service srv-0123456789abcdef: 1 task(s) registered, 1 healthy (API Gateway sends requests to the healthy ones)\n'* ]] ||
    fail "the API Gateway front door must be shown: its API, access log, VPC link and Cloud Map registrations"
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
  expect_no_call "apply|destroy|plan|update-service|get-secret-value|list-tasks"
}

case_status_of_the_api_gateway_when_aws_cannot_say() {
  printf '\nAn error occurred (NotFoundException) when calling the GetVpcLink operation: Unable to find VpcLink\n' >"$case_dir/fixtures/apigatewayv2_get-vpc-link.err"
  echo '{"Status": {"4b5d0f1c2e3a4b6c8d9e0f1a2b3c4d5e": "UNHEALTHY", "0a1b2c3d4e5f60718293a4b5c6d7e8f9": "HEALTHY"}}' \
    >"$case_dir/fixtures/servicediscovery_get-instances-health-status.json"
  verb status
  expect_rc 0
  [[ "$out" == *$'\n           VPC link '*$': unknown (An error occurred (NotFoundException) when calling the GetVpcLink operation: Unable to find VpcLink)\n'* ]] ||
    fail "an error reading the VPC link must be shown, not stop the status"
  [[ "$out" == *"Cloud Map service srv-0123456789abcdef: 2 task(s) registered, 1 healthy"* ]] || fail "the unhealthy task must count"
}

case_status_of_an_alb() {
  stack alb_cname
  verb status
  expect_rc 0
  [[ "$out" == *$'\nurl       https://api.example.org\nfront door alb: load balancer '"$alb_name"$'\n           api.example.org points at '"$alb_name"* ]] ||
    fail "the load balancer's name must be shown"
  expect_no_call "apigatewayv2|servicediscovery|list-tasks"
}

case_status_of_a_public_ip_stack() {
  stack public_ip
  verb status
  expect_rc 0
  [[ "$out" == *$'\nurl       http://203.0.113.45:5000\nfront door none (public_ip): clients connect to the task\'s public IP, in clear text\n'* ]] ||
    fail "the task's address and the missing front door must be shown"
  expect_call "^aws ecs list-tasks "
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
  stack public_ip
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
  stack public_ip
  verb get_ip
  expect_rc 0
  expect_stdout "203.0.113.45"
  expect_order \
    "^aws ecs list-tasks --region us-east-1 --cluster actors --service-name actors --desired-status RUNNING --query" \
    "^aws ecs describe-tasks --region us-east-1 --cluster actors --tasks arn:aws:ecs:us-east-1:123456789012:task/actors/4b5d0f1c2e3a4b6c8d9e0f1a2b3c4d5e --query" \
    "^aws ec2 describe-network-interfaces --region us-east-1 --network-interface-ids eni-0f1e2d3c4b5a69788 --query"
}

case_get_ip_without_running_task() {
  stack public_ip
  echo '{"taskArns": []}' >"$case_dir/fixtures/ecs_list-tasks.json"
  verb get_ip
  expect_rc 1
  expect_stderr "no running task"
  expect_no_call "describe-tasks"
}

# Behind a front door a task's IP leads nowhere: say where the service is instead.
case_get_ip_behind_the_api_gateway() {
  verb get_ip
  expect_rc 0
  expect_stdout "$endpoint"
  expect_stderr 'front_door = "api_gateway": the tasks accept connections from the API Gateway (through its VPC link) only, so there is no task IP to call. The service is at:'
  expect_no_call "^aws "
}

case_get_ip_behind_an_alb() {
  stack alb_cname
  verb get_ip
  expect_rc 0
  expect_stdout "https://api.example.org"
  expect_stderr 'front_door = "alb": the tasks accept connections from the load balancer only'
  expect_no_call "^aws "
}

case_url_of_the_api_gateway() {
  verb url
  expect_rc 0
  expect_stdout "$endpoint"
  expect_no_call "^aws "
  [[ $(grep -c "^terraform " "$case_dir/log") == 1 ]] || fail "make url must run terraform once: $(grep "^terraform " "$case_dir/log")"
}

case_url_with_a_domain_name() {
  stack gateway_domain
  verb url
  expect_rc 0
  expect_stdout "https://actors.example.com"
  expect_no_call "^aws "
}

case_url_of_an_alb() {
  stack alb_cname
  verb url
  expect_rc 0
  expect_stdout "https://api.example.org"
  expect_no_call "^aws "
}

case_url_with_public_ip() {
  stack public_ip
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
    "^terraform -chdir=.* output -json$" "^terraform -chdir=.* destroy -input=false -auto-approve -var region=us-east-1$"
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
  expect_stderr "terraform destroy: the API Gateway's VPC link takes a few minutes to go"
}

case_delete_names_the_front_door() {
  verb delete "actors"$'\n'
  expect_rc 0
  expect_stderr "This destroys the stack \"actors\" in AWS account 123456789012, region us-east-1: its service, its API Gateway front door ($endpoint), network,"
}

case_delete_an_alb_stack() {
  stack alb_cname
  verb delete "actors"$'\n'
  expect_rc 0
  expect_stderr "its service, its load balancer (https://api.example.org), network,"
  [[ "$err" != *"VPC link"* ]] || fail "no VPC link without the API Gateway"
  [[ -z "$(tf state list)" ]] || fail "the state must be empty after make delete"
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

# ---- the curl stand-in takes what the real curl takes ----------------------------------------------
# Every command line the verbs gave the curl stand-in, with its standard input, run again through
# the real curl with nothing to reach (each name sent to 127.0.0.1:9 with --connect-to, no proxy):
# the real curl must take its options and its config without a complaint, and print 000 and exit 7
# (no connection), as the stand-in does for a front door it cannot reach.
final_curl_stand_in_takes_what_the_real_curl_takes() {
  if [[ -z "$real_curl" ]]; then
    echo "skip $case_name: curl is not installed"
    return
  fi
  local f i a host got status complaint checked=0
  for f in "$tmp"/cases/*/state/curl.*.args; do
    [[ -e "$f" ]] || continue
    mapfile -t args <"$f"
    kept=()
    for ((i = 0; i < ${#args[@]}; i++)); do
      a=${args[$i]}
      if [[ "$a" == --connect-to ]]; then
        i=$((i + 1))
        continue
      fi
      if [[ "$a" =~ ^https://([^/]+)/ ]]; then host=${BASH_REMATCH[1]}; fi
      kept+=("$a")
    done
    status=0
    got=$(env -u HTTPS_PROXY -u HTTP_PROXY "$real_curl" --connect-to "$host:443:127.0.0.1:9" "${kept[@]}" <"${f%.args}.in" 2>"$case_dir/curl.err") || status=$?
    complaint=$(<"$case_dir/curl.err")
    if [[ "$got" != 000 || "$status" != 7 || "$complaint" != "curl: (7) Failed to connect to 127.0.0.1 port 9 "* ]]; then
      fail "the real curl takes ${args[*]} (given: $(<"${f%.args}.in")) otherwise: it printed '$got', exited $status, said: $complaint"
    fi
    checked=$((checked + 1))
  done
  ((checked > 0)) || fail "no curl command line was recorded"
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
