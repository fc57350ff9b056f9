#!/usr/bin/env bash
# Sluice's own image and Kubernetes manifests: builds the image with scripts/build-image.sh
# against a real dockerd (FROM scratch out of this machine's Debian packages: docker.io,
# busybox-static, git, openssh-client, ca-certificates; nothing is pulled), runs it read-only
# as non-root, compares `sluice kustomize build` of deploy/kubernetes with kustomize (the
# conformance suite's version, `go install`ed), and has the Sluice in the image apply the
# overlays to the test kube-apiserver (test/kube-apiserver, binaries cached in
# ${SLUICE_KUBE_CACHE}). Runs test/suites/image. Under CI=true a missing prerequisite fails
# the suite; elsewhere it is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "the image suite needs $*" >&2
    exit 1
  fi
  echo "skipping the image suite: $* (CI=true makes this an error)"
  exit 0
}

step "image: packages"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  ensure_apt_packages docker.io busybox-static git openssh-client ca-certificates
elif ! command -v dockerd >/dev/null 2>&1 || [ ! -x /bin/busybox ] || ! command -v ssh >/dev/null 2>&1; then
  skip_or_fail "docker.io, busybox-static and openssh-client, which cannot be installed without root and apt"
fi

step "image: dockerd"
if ! docker version >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || skip_or_fail "a dockerd on /var/run/docker.sock (starting one needs root)"
  log="${SLUICE_CACHE}/dockerd.log"
  echo "starting dockerd (log: $log)"
  dockerd >"$log" 2>&1 &
  for _ in $(seq 1 120); do
    docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker version >/dev/null 2>&1 || { tail -20 "$log" >&2; skip_or_fail "a dockerd, which did not start"; }
fi
docker version --format 'Engine {{.Server.Version}}, API {{.Server.APIVersion}}'

command -v go >/dev/null 2>&1 || skip_or_fail "Go (for kustomize and the test kube-apiserver)"

step "image: kustomize"
VERSION=$(node -p "require('./test/suites/kustomize-conformance/baseline.json').kustomizeVersion")
ensure_go_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$VERSION"
kustomize version

step "image: test control plane"
dir=$(bash test/kube-apiserver/build.sh) || { echo "building test/kube-apiserver failed" >&2; exit 1; }
echo "binaries in $dir"

step "image: suite"
npx vitest run --config test/suites/image/vitest.config.ts
