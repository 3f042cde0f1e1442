#!/usr/bin/env bash
# make test-docs: runs, as a reader would copy them, the command blocks of README.md and
# docs/*.md that need nothing but this repository (docs/testing.md says how a block is marked,
# and which other tests run the rest):
#
#   README.md               quick-start: make run on a terminal (script(1) gives it one),
#                           stopped with Ctrl-C; its make test is .ci/run's own command
#                           smoke: while that make run serves
#   docs/contract.md        smoke: the same; check-breaking
#   docs/configuration.md   configuration-serve, in the background; configuration-call against it
#   docs/performance.md     bench, at the smallest settings (BENCHTIME=1x ROUNDS=1 DURATION=1
#                           PROFILE_SECS=3): it proves the commands work, the figures mean nothing
#
# Servers listen on 127.0.0.1 and a free port: the blocks' :5000 and :8080 become that port,
# and make run gets it as PORT=. Skips when a tool is missing, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh
source scripts/doc-blocks.sh

require_tools test-docs "apt-get install -y curl wrk util-linux bsdutils" curl wrk taskset script setsid go

tmp=$(mktemp -d)
server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill -KILL -- "-$server_pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# port_block FILE NAME: the block's text with its :5000 and :8080 on $port.
port_block() {
	doc_block "$1" "$2" | sed -E "s/:(5000|8080)\b/:$port/g"
}

# run_block FILE NAME: runs the block with bash -e in the repository, showing each line.
run_block() {
	local text
	text=$(port_block "$1" "$2") || {
		fail "$1 $2: no such block"
		return 0
	}
	echo "--- $1 $2"
	# shellcheck disable=SC2001 # sed marks every line
	sed 's/^/  $ /' <<<"$text"
	if bash -euo pipefail -c "$text" >"$tmp/out" 2>&1; then
		pass "$1 $2"
	else
		sed 's/^/    /' "$tmp/out" >&2
		fail "$1 $2"
	fi
}

# wait_healthy TIMEOUT_S: waits until 127.0.0.1:$port answers /healthz.
wait_healthy() {
	local deadline=$((SECONDS + $1))
	while ((SECONDS < deadline)); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# --- README's quick start: make run on a terminal, called, then stopped with Ctrl-C
quick=$(doc_block README.md quick-start | sed 's/[[:space:]]*#.*//' | grep -v '^[[:space:]]*$' | paste -sd '|')
if [[ $quick != "make run|make test" ]]; then
	fail "README.md quick-start: the test knows make run and make test, the block says: $quick"
fi
if [[ $(grep -Ev '^[[:space:]]*(#|$)' .ci/run | tail -n 1) == "make test" ]]; then
	pass "README.md quick-start: make test is the command CI runs (.ci/run ends with it)"
else
	fail "README.md quick-start: .ci/run does not end with make test"
fi

port=$(free_port)
echo "--- README.md quick-start: PORT=$port make run, on a terminal"
# script(1) runs make run on a pseudo-terminal, as in a terminal window; what the test writes
# to it arrives as typed keys, so ^C is Ctrl-C: SIGINT to make and the server together.
mkfifo "$tmp/keys"
PORT=$port setsid script -qfec "make run" /dev/null <"$tmp/keys" >"$tmp/run.log" 2>&1 &
server_pid=$!
exec 3>"$tmp/keys"
if wait_healthy 180; then
	pass "make run serves 127.0.0.1:$port (PORT=$port)"
	run_block README.md smoke
	run_block docs/contract.md smoke
	for ip in $(hostname -I 2>/dev/null); do
		[[ $ip == 127.* || $ip == ::1 ]] && continue
		if curl -s -o /dev/null --max-time 2 "http://${ip/*:*/[$ip]}:$port/healthz"; then
			fail "make run answers on $ip: it must listen on loopback only"
		else
			pass "make run does not answer on $ip"
		fi
	done
else
	fail "make run did not answer /healthz on 127.0.0.1:$port within 180 s"
fi
printf '\003' >&3
exec 3>&-
wait "$server_pid" || true # make's own status after Ctrl-C is the shell's business
server_pid=
log=$(tr -d '\r' <"$tmp/run.log")
check "make run logs key=value text on a terminal" grep -q "level=INFO msg=listening addr=127.0.0.1:$port" <<<"$log"
check "Ctrl-C stops the server cleanly" grep -q "msg=stopped" <<<"$log"
check "no make error after Ctrl-C" test -z "$(grep -E 'make(\[[0-9]+\])?: \*\*\*' <<<"$log")"
check "no CloudWatch EMF lines under make run" test -z "$(grep -F '"_aws"' <<<"$log")"
if ((failed)); then
	echo "--- make run's output" >&2
	sed 's/^/    /' <<<"$log" >&2
fi

# --- docs/configuration.md: the server in the background, called from "another terminal"
port=$(free_port)
serve=$(port_block docs/configuration.md configuration-serve)
echo "--- docs/configuration.md configuration-serve (in the background)"
# shellcheck disable=SC2001
sed 's/^/  $ /' <<<"$serve"
setsid bash -euo pipefail -c "$serve" >"$tmp/serve.log" 2>&1 &
server_pid=$!
if wait_healthy 180; then
	pass "docs/configuration.md configuration-serve serves 127.0.0.1:$port"
	check "it logs JSON at the debug level" grep -q '"level":"DEBUG"' "$tmp/serve.log"
	run_block docs/configuration.md configuration-call
else
	fail "docs/configuration.md configuration-serve did not answer /healthz within 180 s"
	sed 's/^/    /' "$tmp/serve.log" >&2
fi
kill -INT -- "-$server_pid" 2>/dev/null || true
rc=0
wait "$server_pid" || rc=$?
server_pid=
check "Ctrl-C's SIGINT stops it with exit status 0 (got $rc)" test "$rc" = 0

# --- docs/contract.md and docs/performance.md
run_block docs/contract.md check-breaking
# make profile and make pgo keep their files, and make pgo its profile, in the scratch folder: the
# committed default.pgo is not the test's to change.
export BENCHTIME=1x ROUNDS=1 DURATION=1 PROFILE_SECS=3 TRACE_SECS=1 OUT=$tmp/profile PGO_OUT=$tmp/default.pgo
run_block docs/performance.md bench

echo "test-docs: $passed passed, $failed failed"
((failed == 0))
