#!/usr/bin/env bash
# Builds the TEST STAND-IN for gcr.io/distroless/static-debian12:nonroot (the
# Dockerfile's final stage): CA certificates, tzdata, passwd/group with
# nonroot = 65532:65532, /tmp, /home/nonroot, no shell. Test scaffolding only;
# the real image comes from gcr.io and also carries Debian's package metadata.
# Skips the build when an identical stand-in already exists.
set -euo pipefail
# shellcheck source=scripts/standins/common.sh
source "$(dirname "$0")/common.sh"

name=gcr.io/distroless/static-debian12:nonroot
fp=$( { cat "$0" "$(dirname "$0")/common.sh"; dpkg-query -W ca-certificates tzdata 2>/dev/null; } | sha256sum | cut -c1-16)
if standin_current "$name" "$fp"; then
	echo "standins: $name is current (stand-in, fingerprint $fp)"
	exit 0
fi
echo "standins: building $name stand-in"
for f in /etc/ssl/certs/ca-certificates.crt /usr/share/zoneinfo/UTC; do
	[[ -e $f ]] || { echo "standins: missing $f (apt-get install ca-certificates tzdata)" >&2; exit 1; }
done

standin_drop "$name"
stage=$(mktemp -d)
ctr=
cleanup() {
	[[ -n $ctr ]] && buildah rm "$ctr" >/dev/null 2>&1
	rm -rf "$stage"
}
trap cleanup EXIT

r=$stage/rootfs
mkdir -p "$r"/{etc/ssl/certs,usr/share,tmp,root,home/nonroot}
chmod 1777 "$r/tmp"
chmod 700 "$r/root"
cp /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$r/usr/share/"
# Same users as distroless: root, nobody, nonroot (65532); no login shells exist.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$r/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$r/etc/group"
echo 'hosts: files dns' >"$r/etc/nsswitch.conf"
printf 'PRETTY_NAME="Distroless stand-in (local test scaffolding)"\nID=debian\nVERSION_ID="12"\n' >"$r/etc/os-release"

chown 65532:65532 "$r/home/nonroot"
chmod 700 "$r/home/nonroot"

# A tarball keeps the ownership above (buildah copy would make it all root's).
tar -C "$r" --numeric-owner -cf "$stage/rootfs.tar" .
ctr=$(buildah from scratch)
buildah add --quiet "$ctr" "$stage/rootfs.tar" / >/dev/null
mapfile -t labels < <(standin_labels distroless/static-debian12:nonroot "$fp")
# Same config as the real :nonroot tag.
buildah config \
	--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
	--user 65532 --workingdir /home/nonroot "${labels[@]}" "$ctr"
buildah commit --quiet --rm "$ctr" "$name" >/dev/null
ctr=
echo "standins: built $name (stand-in)"
