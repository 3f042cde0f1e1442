#!/usr/bin/env bash
# Builds the TEST STAND-IN for the Dockerfile's build stage (golang:<release>) from
# exactly the Go release go.mod names, as the real image's tag does, taken from the
# module cache, where the go command keeps the toolchains it fetches (golang.org/toolchain); and
# busybox-static: enough for CGO_ENABLED=0 builds. Test scaffolding only; the
# real image is Debian-based and larger. Skips the build when an identical
# stand-in already exists.
set -euo pipefail
# shellcheck source=scripts/standins/common.sh
source "$(dirname "$0")/common.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

tag=$(sed -n 's/^FROM .*golang:\([^ ]*\) AS build$/\1/p' "$root/Dockerfile")
want=go$(sed -n 's/^go //p' "$root/go.mod")
if [[ -z $tag || $want != "go$tag" ]]; then
	echo "standins: the Dockerfile's build stage (golang:${tag:-?}) does not match go.mod's $want" >&2
	exit 1
fi
name=docker.io/library/golang:$tag
goroot=$(GOTOOLCHAIN=$want go env GOROOT)
gover=$(GOTOOLCHAIN=$want go env GOVERSION)
busybox=$(command -v busybox || true)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
	echo "standins: need a static busybox (apt-get install busybox-static)" >&2
	exit 1
fi
fp=$( { cat "$0" "$(dirname "$0")/common.sh"; echo "$gover"; dpkg-query -W busybox-static ca-certificates tzdata 2>/dev/null; } | sha256sum | cut -c1-16)
if standin_current "$name" "$fp"; then
	echo "standins: $name is current (stand-in, fingerprint $fp)"
	exit 0
fi
echo "standins: building $name stand-in from $goroot ($gover)"

standin_drop "$name"
stage=$(mktemp -d)
ctr=
cleanup() {
	[[ -n $ctr ]] && buildah rm "$ctr" >/dev/null 2>&1
	rm -rf "$stage"
}
trap cleanup EXIT

# A tiny userland: busybox for the shell RUN lines use, certs, zoneinfo, users.
r=$stage/rootfs
mkdir -p "$r"/{bin,etc/ssl/certs,tmp,root,go/bin,go/src,usr/share}
chmod 1777 "$r/tmp"
cp "$busybox" "$r/bin/busybox"
for applet in $("$busybox" --list); do
	[[ -e $r/bin/$applet ]] || ln -s busybox "$r/bin/$applet"
done
cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$r/usr/share/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
echo 'hosts: files dns' >"$r/etc/nsswitch.conf"

ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$r" / >/dev/null
buildah copy --quiet "$ctr" "$goroot" /usr/local/go >/dev/null
mapfile -t labels < <(standin_labels "golang:$tag" "$fp")
# Same ENV as the real golang image. GOPROXY points at a file proxy that
# scripts/test-image.sh mounts (the host's module cache) so the test build
# never downloads; GOSUMDB is off because those files were already verified
# against go.sum/sumdb when the host fetched them.
buildah config \
	--env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--env GOLANG_VERSION="${gover#go}" --env GOTOOLCHAIN=local --env GOPATH=/go \
	--env GOPROXY=file:///goproxy --env GOSUMDB=off \
	--env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
	--workingdir /go --cmd /bin/sh "${labels[@]}" "$ctr"
buildah commit --quiet --rm "$ctr" "$name" >/dev/null
ctr=
echo "standins: built $name (stand-in)"
