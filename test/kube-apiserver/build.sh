#!/usr/bin/env bash
# Builds the test control plane and prints the directory holding its binaries:
#   kube-apiserver-test, kube-controller-manager, kube-scheduler, kubectl — from this module,
#     once per module state: the key covers go.mod, go.sum, this script and the sources, so a
#     version bump or a code change rebuilds and anything else reuses the cached binaries;
#   kwok (simulated nodes and pods) — `go install`ed once per version (kwok.version), kept
#     apart from the key so moving kwok does not rebuild Kubernetes, and linked in.
#   SLUICE_KUBE_CACHE  where binaries are kept (default: <repo>/.cache/kube)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${SLUICE_KUBE_CACHE:-$repo/.cache/kube}"
command -v go >/dev/null 2>&1 || { echo "go is required to build the test kube-apiserver" >&2; exit 1; }

# Two cores are the norm where this runs; more parallel compiles only thrash. VCS stamping
# is off so the binary does not depend on the state of the work tree.
export GOFLAGS="-p=${SLUICE_GO_PARALLEL:-2} -buildvcs=false"

kwok_version="$(tr -d '[:space:]' < "$here/kwok.version")"
kwok_dir="$cache/kwok-$kwok_version"
if [ ! -x "$kwok_dir/kwok" ]; then
  start=$(date +%s)
  mkdir -p "$kwok_dir.tmp"
  # Outside this module: kwok brings its own go.mod and go.sum, checked by the Go checksum database.
  (cd "$kwok_dir.tmp" && GOBIN="$kwok_dir.tmp" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$kwok_version") >&2
  rm -rf "$kwok_dir" && mv "$kwok_dir.tmp" "$kwok_dir"
  echo "built kwok $kwok_version in $(( $(date +%s) - start ))s" >&2
fi

key="$(cd "$here" && cat go.mod go.sum build.sh ./*.go | sha256sum | cut -c1-16)"
out="$cache/$key"
bins="kube-apiserver-test kube-controller-manager kube-scheduler kubectl"
built=1
for b in $bins; do [ -x "$out/$b" ] || built=0; done
if [ "$built" = 0 ]; then
  mkdir -p "$out.tmp"
  # Without release ldflags they report v0.0.0-master, which kubectl cannot parse. No symbol
  # tables: test binaries are not debugged, and linking without DWARF is much faster.
  k8s="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
  minor="${k8s#v1.}"; minor="${minor%%.*}"
  pkg=k8s.io/component-base/version
  ldflags="-s -w -X $pkg.gitVersion=$k8s -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  start=$(date +%s)
  (
    cd "$here"
    go build -ldflags "$ldflags" -o "$out.tmp/kube-apiserver-test" .
    for cmd in kube-controller-manager kube-scheduler kubectl; do
      go build -ldflags "$ldflags" -o "$out.tmp/$cmd" "k8s.io/kubernetes/cmd/$cmd"
    done
  ) >&2
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "built $bins in $(( $(date +%s) - start ))s" >&2
fi
ln -sfn "../kwok-$kwok_version/kwok" "$out/kwok"
# Older builds are 400 MB each and never used again.
find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key" ! -name "kwok-$kwok_version" -exec rm -rf {} +
echo "$out"
