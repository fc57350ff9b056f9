#!/usr/bin/env sh
# k8s.io/kubernetes points every k8s.io/* staging module at ./staging/src, which only
# exists inside its own repository. Consumers must pin each one to the published
# v0.<minor>.<patch> tag instead; this reads the list from that version's go.mod so the
# set never drifts from what the release actually uses.
set -eu
cd "$(dirname "$0")"
K8S_VERSION="${1:-$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes \(v[0-9.]*\).*/\1/p' go.mod | head -1)}"
[ -n "$K8S_VERSION" ] || { echo "usage: gen-replaces.sh v1.X.Y" >&2; exit 2; }
STAGING_VERSION="v0.${K8S_VERSION#v1.}"

modfile="$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
[ -f "$modfile" ] || { echo "cannot fetch go.mod of k8s.io/kubernetes@${K8S_VERSION}" >&2; exit 1; }

mods="$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9.-]*\) => ./staging/.*#\1#p' "$modfile")"
[ -n "$mods" ] || { echo "no staging replaces found in $modfile" >&2; exit 1; }

go mod edit -require="k8s.io/kubernetes@${K8S_VERSION}"
for m in $mods; do
  go mod edit -replace="${m}=${m}@${STAGING_VERSION}"
done
echo "pinned $(echo "$mods" | wc -l | tr -d ' ') staging modules to ${STAGING_VERSION} for k8s.io/kubernetes ${K8S_VERSION}" >&2
