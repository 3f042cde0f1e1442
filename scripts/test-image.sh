#!/usr/bin/env bash
# Offline image test (make test-image): builds the UNCHANGED Dockerfile against
# local TEST STAND-IN base images (scripts/standins; no container registry is
# reachable here), runs the image and checks it. The build and the first run are
# docs/container-image.md's block container-run, as written there, with podman as
# its docker (on a bridge network, docker's default) and its own image name,
# container name and port.
# Skips when buildah/podman/runc are missing, except under CI=true.
# Removes every container and image it creates; the two stand-ins are kept as a
# cache between runs (scripts/standins rebuilds them when their inputs change).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/live-server.sh
source scripts/doc-blocks.sh

missing=()
for t in buildah podman runc curl go busybox; do
	command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if ((${#missing[@]})); then
	msg="test-image: ${missing[*]} not installed (apt-get install -y buildah podman runc curl busybox-static)"
	if [[ ${CI:-} == true ]]; then
		echo "FAIL $msg" >&2
		exit 1
	fi
	echo "SKIP $msg"
	exit 0
fi

# Repo config: runc, cgroupfs, ulimits within this sandbox's limits, host netns, overlay.
export CONTAINERS_CONF=$PWD/ci/containers.conf
export CONTAINERS_STORAGE_CONF=$PWD/ci/storage.conf

id=$$-$RANDOM
image=localhost/actors-imagetest:$id
ctr=actors-imagetest-$id
containers=("$ctr" "$ctr-sh" "$ctr-down" "$ctr-version" "$ctr-doc")
mounted=
tmp=$(mktemp -d)
cleanup() {
	local rc=$?
	if ((rc != 0)) && podman container exists "$ctr" 2>/dev/null; then
		echo "--- container log ($ctr)" >&2
		podman logs "$ctr" >&2 2>&1 || true
	fi
	[[ -n $mounted ]] && podman image unmount "$image" >/dev/null 2>&1
	podman rm --force --ignore --time 0 "${containers[@]}" >/dev/null 2>&1 || true
	podman rmi --force "$image" >/dev/null 2>&1 || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap "exit 130" INT TERM

# run_once NAME PODMAN-RUN-ARGS...: runs a short-lived container and returns its
# exit code, output on stdout. Detached + polling on purpose: on this machine an
# attached `podman run`/`podman wait` notices the exit only after a 20 s conmon
# timeout (conmon's cleanup command does not complete here). Bounded: 300 x 0.1 s.
run_once() {
	local name=$1 state=
	shift
	podman run --detach --no-healthcheck --name "$name" "$@" >/dev/null 2>&1 || return 125
	for _ in $(seq 300); do
		state=$(podman inspect --format '{{.State.Status}}' "$name")
		[[ $state == running || $state == created || $state == configured ]] || break
		sleep 0.1
	done
	podman logs "$name" 2>&1
	local rc
	rc=$(podman inspect --format '{{.State.ExitCode}}' "$name")
	podman rm --force --time 0 "$name" >/dev/null 2>&1
	[[ $state == exited || $state == stopped ]] || return 124
	return "$rc"
}

scripts/standins/ensure.sh

# The build stage's `go mod download` reads the host's module cache through a
# file GOPROXY (the golang stand-in's GOPROXY=file:///goproxy) and the build
# runs with no network at all, so the test downloads nothing. Filling the host
# cache is a no-op when `go build` already ran.
go mod download
modcache=$(go env GOMODCACHE)/cache/download

# --- docs/container-image.md's block, which builds the image with make image
version=imagetest-$id
doc_port=$(free_port)
block=$(doc_block docs/container-image.md container-run)
for pair in "actors:\$(git rev-parse --short HEAD)=$image" "--name actors =--name $ctr-doc " "docker stop actors=docker stop $ctr-doc" \
	"-p 5000:5000=-p 127.0.0.1:$doc_port:5000" "127.0.0.1:5000=127.0.0.1:$doc_port"; do
	from=${pair%%=*} to=${pair#*=}
	if [[ $block != *"$from"* ]]; then
		echo "FAIL test-image: docs/container-image.md's block container-run no longer has '$from': update this test" >&2
		exit 1
	fi
	block=${block//"$from"/"$to"}
done
echo "test-image: docs/container-image.md container-run, with podman as docker (a first build compiles the std lib: ~2 min)"
# shellcheck disable=SC2001 # sed marks every line
sed 's/^/  $ /' <<<"$block"
docker_shim='docker() { if [[ $1 == run ]]; then shift; podman run --network bridge "$@"; else podman "$@"; fi; }'
if CONTAINER_TOOL=podman VERSION=$version IMAGE=$image \
	IMAGE_BUILD_FLAGS="--pull=never --network=none --layers=false --volume $modcache:/goproxy:ro" \
	bash -euo pipefail -c "$docker_shim"$'\n'"$block" 2>"$tmp/doc.err"; then
	pass "docs/container-image.md container-run: built, ran, answered GET /actors/1 with its credentials, stopped"
else
	cat "$tmp/doc.err" >&2
	fail "docs/container-image.md container-run"
fi
podman image exists "$image" || { echo "test-image: make image built no $image" >&2; exit 1; }

# --- the image itself
inspect() { podman image inspect --format "$1" "$image"; }
size=$(inspect '{{.Size}}')
check "image size $size bytes <= 25 MB" test "$size" -le 25000000
check "image user is nonroot:nonroot" test "$(inspect '{{.Config.User}}')" = nonroot:nonroot
check "entrypoint is [/actors]" test "$(inspect '{{json .Config.Entrypoint}}')" = '["/actors"]'
check "exposes 5000/tcp" grep -q '5000/tcp' <<<"$(inspect '{{json .Config.ExposedPorts}}')"
check "HEALTHCHECK runs /actors healthcheck" grep -q '"CMD","/actors","healthcheck"' <<<"$(inspect '{{json .Config.Healthcheck}}')"
check "OCI version label is $version" test "$(inspect '{{index .Labels "org.opencontainers.image.version"}}')" = "$version"
check "OCI licenses label is MIT (LICENSE)" test "$(inspect '{{index .Labels "org.opencontainers.image.licenses"}}')" = MIT
check "OCI source label set" grep -q '^https://' <<<"$(inspect '{{index .Labels "org.opencontainers.image.source"}}')"
out=$(run_once "$ctr-version" "$image" version) || true
check "actors version prints $version" grep -qF "$version" <<<"$out"

mnt=$(podman image mount "$image")
mounted=1
shells=$(find "$mnt" \( -name sh -o -name bash -o -name dash -o -name ash -o -name busybox \) -print)
check "no shell in the image filesystem" test -z "$shells"
check "binary is /actors" test -x "$mnt/actors"
podman image unmount "$image" >/dev/null
mounted=
sh_rc=0
run_once "$ctr-sh" --entrypoint /bin/sh "$image" -c true >/dev/null || sh_rc=$?
check "running /bin/sh in the image fails (got $sh_rc)" test "$sh_rc" -ne 0

# --- the running service: host network, loopback only, read-only root fs
port=$(free_port)
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
addr=127.0.0.1:$port
# podman's stderr goes to a file: without systemd it complains about healthcheck
# timers (harmless; the health check is run by hand below).
podman run --detach --name "$ctr" --network host --read-only \
	-e "ACTORS_ADDR=$addr" -e "ACTORS_USERNAME=user" -e "ACTORS_PASSWORD=$password" "$image" >/dev/null 2>"$tmp/run.err" ||
	{ cat "$tmp/run.err" >&2; exit 1; }

# Wait until it answers (bounded: 100 tries x 0.1 s), then assert.
for _ in $(seq 100); do
	curl -fs -o /dev/null "http://$addr/healthz" && break
	sleep 0.1
done
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "read-only root fs" test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$ctr")" = true
pid=$(podman inspect --format '{{.State.Pid}}' "$ctr")
check "process runs as uid 65532" grep -Eq '^Uid:\s+65532\s+65532\s+65532\s+65532$' "/proc/$pid/status"
check "process runs as gid 65532" grep -Eq '^Gid:\s+65532\s+65532\s+65532\s+65532$' "/proc/$pid/status"
check "GET /healthz -> 200" test "$(status "http://$addr/healthz")" = 200
check "GET /actors with ACTORS_PASSWORD -> 200" test "$(status -u "user:$password" "http://$addr/actors")" = 200
check "GET /actors with the default password -> 401" test "$(status -u user:password "http://$addr/actors")" = 401
check "healthcheck exits 0 while serving" podman exec "$ctr" /actors healthcheck
check "the image's HEALTHCHECK reports healthy" podman healthcheck run "$ctr"

# SIGTERM: podman stop sends it and waits up to 10 s before SIGKILL.
start=$(date +%s%N)
podman stop --time 10 "$ctr" >/dev/null 2>>"$tmp/run.err"
stop_ms=$((($(date +%s%N) - start) / 1000000))
check "SIGTERM -> exit code 0" test "$(podman inspect --format '{{.State.ExitCode}}' "$ctr")" = 0
check "stopped in ${stop_ms} ms (< 2000 ms)" test "$stop_ms" -lt 2000

down_rc=0
run_once "$ctr-down" --network host --read-only -e "ACTORS_ADDR=$addr" "$image" healthcheck >/dev/null || down_rc=$?
check "healthcheck exits 1 with the server down (got $down_rc)" test "$down_rc" = 1

echo "test-image: $passed passed, $failed failed"
((failed == 0))
