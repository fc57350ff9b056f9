#!/usr/bin/env bash
# Builds kube-apiserver-test and kubectl from this module once per module state and prints
# the directory holding both. The key covers go.mod, go.sum and the sources, so a version
# bump or a code change rebuilds and anything else reuses the cached binaries.
#   SLUICE_KUBE_CACHE  where binaries are kept (default: <repo>/.cache/kube)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${SLUICE_KUBE_CACHE:-$repo/.cache/kube}"
command -v go >/dev/null 2>&1 || { echo "go is required to build the test kube-apiserver" >&2; exit 1; }

key="$(cd "$here" && cat go.mod go.sum build.sh ./*.go | sha256sum | cut -c1-16)"
out="$cache/$key"
if [ -x "$out/kube-apiserver-test" ] && [ -x "$out/kubectl" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$out.tmp"
# Two cores are the norm where this runs; more parallel compiles only thrash. VCS stamping
# is off so the binary does not depend on the state of the work tree.
export GOFLAGS="-p=${SLUICE_GO_PARALLEL:-2} -buildvcs=false"
# Without release ldflags both report v0.0.0-master, which kubectl cannot parse. No symbol
# tables: test binaries are not debugged, and linking without DWARF is much faster.
k8s="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
minor="${k8s#v1.}"; minor="${minor%%.*}"
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$k8s -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
start=$(date +%s)
(cd "$here" && go build -ldflags "$ldflags" -o "$out.tmp/kube-apiserver-test" . && go build -ldflags "$ldflags" -o "$out.tmp/kubectl" k8s.io/kubernetes/cmd/kubectl) >&2
rm -rf "$out" && mv "$out.tmp" "$out"
# Older builds are 250 MB each and never used again.
find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
echo "built kube-apiserver-test and kubectl in $(( $(date +%s) - start ))s" >&2
echo "$out"
