#!/usr/bin/env bash
# Kustomize conformance: builds every case recorded from kustomize's own krusty tests (plus
# test/suites/kustomize-conformance/own/) with Sluice's engine and compares the bytes with
# `kustomize build`. The corpus is generated once per kustomize version and generator
# revision, into ${SLUICE_CACHE:-.cache}/kustomize-conformance/<version>/ (cache that dir in CI).
# Under CI=true a missing prerequisite fails the suite; elsewhere it skips with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

SUITE=test/suites/kustomize-conformance
VERSION=$(node -p "require('./$SUITE/baseline.json').kustomizeVersion")
CACHE_BASE=${SLUICE_CACHE:-$PWD/.cache}
OUT="$CACHE_BASE/kustomize-conformance/$VERSION"

if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "kustomize conformance needs Go (to download the kustomize api module and run its tests)" >&2
    exit 1
  fi
  echo "skipping kustomize conformance: Go is not installed (CI=true makes this an error)"
  exit 0
fi
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

step "kustomize $VERSION"
ensure_go_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$VERSION"
kustomize version

step "corpus (cache: $OUT)"
mkdir -p "$CACHE_BASE/kustomize-conformance/bin"
GEN="$CACHE_BASE/kustomize-conformance/bin/gen"
(cd "$SUITE/gen" && go build -o "$GEN" .)
start=$(date +%s)
"$GEN" -kustomize-version "$VERSION" -out "$OUT" -own "$SUITE/own" ${SLUICE_CONFORMANCE_FORCE:+-force}
echo "corpus ready in $(( $(date +%s) - start ))s"

step "conformance run"
SLUICE_CACHE="$CACHE_BASE" npx vitest run --config "$SUITE/vitest.config.ts"
