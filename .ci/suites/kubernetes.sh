#!/usr/bin/env bash
# The Kubernetes provider against a real kube-apiserver: test/kube-apiserver builds one from
# k8s.io/kubernetes (plus an embedded etcd) with Go, and kube-controller-manager,
# kube-scheduler and kubectl from the same module; kwok (simulated nodes and pods) is
# `go install`ed at the version in test/kube-apiserver/kwok.version. The Kubernetes binaries
# are cached by module state and kwok by version in ${SLUICE_KUBE_CACHE:-.cache/kube}; cache
# that directory and Go's module and build caches (go env GOMODCACHE GOCACHE) in CI, since a
# cold build takes many minutes on two cores.
# Under CI=true a missing Go or a failed build fails the suite (and so does a missing binary:
# the rollout tests start the controllers themselves); elsewhere a missing Go skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "the Kubernetes suite needs Go to build its kube-apiserver (test/kube-apiserver)" >&2
    exit 1
  fi
  echo "skipping the Kubernetes suite: Go is not installed (CI=true makes this an error)"
  exit 0
fi
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

step "kubernetes: go $(go env GOVERSION), caches $(go env GOMODCACHE) $(go env GOCACHE)"
step "kubernetes: build the test control plane (kube-apiserver-test, kube-controller-manager, kube-scheduler, kubectl, kwok)"
if ! dir=$(bash test/kube-apiserver/build.sh); then
  echo "building test/kube-apiserver failed" >&2
  exit 1
fi
for b in kube-apiserver-test kube-controller-manager kube-scheduler kubectl kwok; do
  [ -x "$dir/$b" ] || { echo "the build left no $dir/$b" >&2; exit 1; }
done
echo "binaries in $dir"

step "kubernetes: provider suite"
npx vitest run --config test/suites/kubernetes/vitest.config.ts
