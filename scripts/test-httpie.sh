#!/usr/bin/env bash
# httpie examples test: runs, against a live server, exactly the commands of README.md's
# blocks <!-- test: httpie-first --> and <!-- test: httpie-examples --> (scripts/doc-blocks.sh),
# in order, and checks each one's status against the "# → NNN" after it (text may follow:
# "# → 200, the 8 seed actors"). README is the only list, so what it shows and what is tested
# cannot drift apart; a line in the blocks that is neither a comment nor such a command fails
# the test. The commands use :5000 as README does; the test points them at its own server and
# adds --ignore-stdin. Skips when httpie (http) is missing, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh
source scripts/doc-blocks.sh

require_tools test-httpie "apt-get install -y httpie" http go

tmp=$(mktemp -d)
cleanup() {
	stop_actors_server
	rm -rf "$tmp"
}
trap cleanup EXIT

first=$(doc_block README.md httpie-first)
examples=$(doc_block README.md httpie-examples)

# Parse every line of the blocks before running any, so a malformed line fails at once.
commands=() expected=()
command_re='^(http[[:space:]].*[^[:space:]])[[:space:]]+#[[:space:]]*→[[:space:]]*([1-5][0-9][0-9])([,:][^#]*)?[[:space:]]*$'
# Characters that would make eval do more than split words; README examples need none.
unsafe_re='[][$`;|&<>(){}\\]'
while IFS= read -r line; do
	line=${line#"${line%%[![:space:]]*}"} # trim leading blanks
	case $line in
	'' | '#'*) continue ;;
	esac
	if ! [[ $line =~ $command_re ]]; then
		echo "FAIL test-httpie: not an 'http ... # → STATUS' line in README.md: $line" >&2
		exit 1
	fi
	command=${BASH_REMATCH[1]} status=${BASH_REMATCH[2]}
	if [[ $command =~ $unsafe_re ]]; then
		echo "FAIL test-httpie: shell syntax beyond quoting in README.md: $line" >&2
		exit 1
	fi
	commands+=("$command")
	expected+=("$status")
done <<<"$first"$'\n'"$examples"

# README must show each kind of call the issue asks for.
all=$(printf '%s\n' "${commands[@]}")
for want in ' -a user:password :5000/actors$' ' :5000/actors/[0-9]+$' ' POST ' ' (PUT|PATCH) ' ' DELETE ' '^http :5000/'; do
	if ! grep -qE -- "$want" <<<"$all"; then
		echo "FAIL test-httpie: no example in README.md matches /$want/" >&2
		exit 1
	fi
done
for want in 200 201 204 401 404; do
	if ! printf '%s\n' "${expected[@]}" | grep -qx "$want"; then
		echo "FAIL test-httpie: no example in README.md expects $want" >&2
		exit 1
	fi
done

start_actors_server "$tmp"
hostport=${ACTORS_URL#http://}

passed=0 failed=0
for i in "${!commands[@]}"; do
	words=()
	eval "words=(${commands[i]})"
	args=() urls=0
	for word in "${words[@]:1}"; do
		if [[ $word == :5000* ]]; then
			word=$hostport${word#:5000}
			urls=$((urls + 1))
		fi
		args+=("$word")
	done
	if ((urls != 1)); then
		echo "FAIL test-httpie: want exactly one :5000 URL in: ${commands[i]}" >&2
		exit 1
	fi
	# --print=hb shows the response head and body; the status is on the first line.
	output=$(http --ignore-stdin --pretty=none --print=hb "${args[@]}" 2>&1) || true
	status=$(head -n 1 <<<"$output" | awk '{print $2}')
	if [[ $status == "${expected[i]}" ]]; then
		echo "ok   ${commands[i]}  # → $status"
		passed=$((passed + 1))
	else
		echo "FAIL ${commands[i]}  # → ${status:-no answer}, want ${expected[i]}" >&2
		# shellcheck disable=SC2001 # sed indents every line of the answer
		sed 's/^/     /' <<<"$output" >&2
		failed=$((failed + 1))
	fi
done
echo "test-httpie: $passed passed, $failed failed"
((failed == 0))
