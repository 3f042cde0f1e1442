# shellcheck shell=bash
# Sourced by the live tests (test-browser.sh, test-typescript.sh, test-httpie.sh, test-docs.sh,
# test-image.sh).
#
#   require_tools NAME "install hint" TOOL...  SKIP (exit 0) when a tool is missing, or
#                                              FAIL (exit 1) under CI=true
#   start_actors_server DIR                    builds ./cmd/actors into DIR, starts it as
#                                              `make run` does (the insecure development
#                                              credentials user / password) on 127.0.0.1
#                                              and a port the kernel picks, waits for
#                                              /healthz; sets ACTORS_URL, ACTORS_PID
#   stop_actors_server                         SIGTERM, then waits; for the caller's trap
#   pass / fail / check DESCRIPTION COMMAND... one assertion each, counted in passed and
#                                              failed, for an "N passed, N failed" line
#   free_port                                  a loopback port nothing listens on
#
# Set ACTORS_URL beforehand to test a server that is already running instead.

source "$(dirname "${BASH_SOURCE[0]}")/go-toolchain.sh"

require_tools() {
	local name=$1 hint=$2
	shift 2
	local missing=() t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	((${#missing[@]} == 0)) && return 0
	if [[ ${CI:-} == true ]]; then
		echo "FAIL $name: ${missing[*]} not installed ($hint)" >&2
		exit 1
	fi
	echo "SKIP $name: ${missing[*]} not installed ($hint)"
	exit 0
}

# require_path NAME "install hint" PATH: the same rule for a file or folder, e.g. node_modules.
require_path() {
	local name=$1 hint=$2 path=$3
	[[ -e $path ]] && return 0
	if [[ ${CI:-} == true ]]; then
		echo "FAIL $name: $path is missing ($hint)" >&2
		exit 1
	fi
	echo "SKIP $name: $path is missing ($hint)"
	exit 0
}

ACTORS_PID=
start_actors_server() {
	local dir=$1
	if [[ -n ${ACTORS_URL:-} ]]; then
		echo "using the server at $ACTORS_URL"
		return 0
	fi
	go build -o "$dir/actors" ./cmd/actors
	# Port 0: the kernel picks a free port and the server logs it ("listening", "addr"),
	# at info level. The credentials are those of `make run`, which the tests (and README) use.
	env -u ACTORS_PASSWORD_FILE -u ACTORS_USERNAME -u ACTORS_PASSWORD \
		ACTORS_INSECURE_DEFAULT_CREDENTIALS=true ACTORS_ADDR=127.0.0.1:0 ACTORS_LOG_LEVEL=info \
		"$dir/actors" >"$dir/server.log" 2>&1 &
	ACTORS_PID=$!
	local addr='' i
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$ACTORS_PID" 2>/dev/null; then
			echo "actors exited before serving; its log:" >&2
			cat "$dir/server.log" >&2
			ACTORS_PID=
			return 1
		fi
		addr=$(sed -n 's/.*"msg":"listening".*"addr":"\([^"]*\)".*/\1/p' "$dir/server.log" | head -n 1)
		if [[ -n $addr ]] && "$dir/actors" healthcheck -addr "$addr" >/dev/null 2>&1; then
			ACTORS_URL=http://$addr
			echo "actors is serving at $ACTORS_URL"
			return 0
		fi
		sleep 0.1
	done
	echo "actors did not answer /healthz; its log:" >&2
	cat "$dir/server.log" >&2
	return 1
}

stop_actors_server() {
	if [[ -n ${ACTORS_PID:-} ]]; then
		kill -TERM "$ACTORS_PID" 2>/dev/null || true
		wait "$ACTORS_PID" 2>/dev/null || true
		ACTORS_PID=
	fi
}

passed=0 failed=0
pass() {
	echo "ok   $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $*" >&2
	failed=$((failed + 1))
}
# check DESCRIPTION COMMAND...: one assertion; later ones still run after a failure.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "no free loopback port found" >&2
	return 1
}
