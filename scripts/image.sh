#!/usr/bin/env bash
# Body of `make image`: builds the production image from ./Dockerfile.
#   CONTAINER_TOOL  docker or podman (default: docker if installed, else podman)
#   PLATFORM        e.g. linux/arm64 for Graviton Fargate (default: the host's)
#   VERSION         version baked into the binary and labels (default: git short SHA)
#   IMAGE           image reference to tag (default: actors:$VERSION); the deploy
#                   script passes <ecr-repository-url>:<tag>
#   IMAGE_BUILD_FLAGS  more flags for the build command, split at spaces
# Extra arguments are passed to the build command too (scripts/test-image.sh uses
# them for --pull=never and an offline network). Prints the image reference last.
set -euo pipefail
cd "$(dirname "$0")/.."

tool=${CONTAINER_TOOL:-}
if [[ -z $tool ]]; then
	if command -v docker >/dev/null 2>&1; then
		tool=docker
	elif command -v podman >/dev/null 2>&1; then
		tool=podman
	else
		echo "image: neither docker nor podman is installed (or set CONTAINER_TOOL)" >&2
		exit 1
	fi
fi

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=${VERSION:-$(git rev-parse --short HEAD 2>/dev/null || echo dev)}
image=${IMAGE:-actors:$version}

args=(build --file Dockerfile --tag "$image"
	--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
if [[ -n ${PLATFORM:-} ]]; then
	args+=(--platform "$PLATFORM")
fi
case ${tool##*/} in
docker)
	# With buildx, a builder other than the default (docker-container, remote) keeps the image in
	# its cache unless told to load it into the local store, where push and run look for it.
	if [[ ${DOCKER_BUILDKIT:-1} != 0 ]] && "$tool" buildx version >/dev/null 2>&1; then
		args+=(--load)
	fi
	;;
podman | buildah)
	# Their default OCI format drops HEALTHCHECK; the Docker format keeps it.
	args+=(--format docker)
	# Podman 4.x leaves BUILDPLATFORM empty, so with --platform the build stage
	# would look for a foreign-arch golang image instead of cross-compiling.
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	args+=(--build-arg "BUILDPLATFORM=linux/$arch")
	;;
esac

read -ra extra <<<"${IMAGE_BUILD_FLAGS:-}"
echo "image: $tool ${args[*]} ${extra[*]} $* ." >&2
"$tool" "${args[@]}" "${extra[@]}" "$@" .
echo "$image"
