#!/usr/bin/env bash
# Kustomize on public config repositories: every kustomization root of the repositories in
# test/suites/kustomize-realworld/corpus.json (each pinned to a commit), built by the real
# kustomize and by Sluice's engine, compared byte for byte. The repositories are read from
# their mirrors (${SLUICE_MIRROR_DIR:-/work/.mirror}/<owner>+<name>/repo, brought by the
# search tool's fetch); nothing from them is committed. Extracted trees and kustomize's output
# are cached in ${SLUICE_CACHE}/kustomize-realworld/ (the first run takes several minutes).
# Under CI=true a missing mirror, Go or kustomize fails the suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

SUITE=test/suites/kustomize-realworld
VERSION=$(node -p "require('./$SUITE/corpus.json').kustomizeVersion")

if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "the real-world Kustomize corpus needs Go to install kustomize $VERSION" >&2
    exit 1
  fi
  echo "skipping the real-world Kustomize corpus: Go is not installed (CI=true makes this an error)"
  exit 0
fi
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

step "kustomize $VERSION"
ensure_go_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$VERSION"

step "real-world corpus (cache: $SLUICE_CACHE/kustomize-realworld)"
start=$(date +%s)
npx tsx "$SUITE/prepare.ts"
echo "corpus ready in $(( $(date +%s) - start ))s"

step "real-world conformance run"
npx vitest run --config "$SUITE/vitest.config.ts"
