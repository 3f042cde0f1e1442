# shellcheck shell=bash
# Sourced by the stand-in builders. The stand-ins are TEST SCAFFOLDING: local
# images committed under the exact names of the Dockerfile's FROM lines, because
# no container registry is reachable here. They are never pushed anywhere.

# standin_current NAME FINGERPRINT: true when NAME exists and was built from the
# same inputs, so reruns reuse it (the cache between test runs).
standin_current() {
	local have
	have=$(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "dev.actors.standin.fingerprint"}}' "$1" 2>/dev/null) || return 1
	[[ $have == "$2" ]]
}

# standin_labels WHAT FINGERPRINT: buildah config flags that mark an image as a stand-in.
standin_labels() {
	printf '%s\n' \
		--label "dev.actors.standin=$1" \
		--label "dev.actors.standin.fingerprint=$2" \
		--label "org.opencontainers.image.title=TEST STAND-IN for $1 (actors test scaffolding, not the real image)" \
		--label "org.opencontainers.image.description=Built locally by scripts/standins from this machine's files; never push it"
}

# standin_drop NAME: removes an outdated stand-in before rebuilding, so stale
# copies do not pile up as untagged images.
standin_drop() {
	buildah rmi "$1" >/dev/null 2>&1 || true
}
