#!/usr/bin/env bash
# Compose renderer conformance: runs the reference `docker compose config` (compose v2, the
# compose-spec reference implementation, built from source at the version in
# src/render/compose/testdata/REFERENCE.json) on every case of the corpus, fails if its
# output differs from what is recorded next to the case, then runs the test that compares
# Sluice's renderer with those recordings. `--record` rewrites the recordings instead.
# Under CI=true a missing prerequisite fails the suite; elsewhere it skips with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

CORPUS=src/render/compose/testdata
VERSION=$(node -p "require('./$CORPUS/REFERENCE.json').version")
MODULE=$(node -p "require('./$CORPUS/REFERENCE.json').module")
BIN_DIR="${SLUICE_CACHE:-$PWD/.cache}/compose-reference/$VERSION"
BIN="$BIN_DIR/cmd"

if [ ! -x "$BIN" ]; then
  if ! command -v go >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "compose conformance needs Go to build the reference docker compose $VERSION" >&2
      exit 1
    fi
    echo "skipping compose conformance: Go is not installed (CI=true makes this an error)"
    exit 0
  fi
  step "docker compose $VERSION (go install, cached in $BIN_DIR)"
  mkdir -p "$BIN_DIR"
  GOBIN="$BIN_DIR" go install "$MODULE@$VERSION"
fi
"$BIN" version

step "reference run on the corpus"
failed=0
for case in "$CORPUS"/*/; do
  case=${case%/}
  [ -f "$case/case.json" ] || continue
  set +e
  # Paths outside the corpus (a bind that leaves it) are printed absolute: recorded relative to the checkout.
  out=$("$CORPUS/reference.sh" "$BIN" "$case" | sed "s#$PWD/#<checkout>/#g")
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then want="$case/reference.json"; other="$case/reference.error"; else want="$case/reference.error"; other="$case/reference.json"; fi
  if [ "${1:-}" = "--record" ]; then
    printf '%s\n' "$out" >"$want"
    rm -f "$other"
  elif [ ! -f "$want" ] || ! diff -u "$want" <(printf '%s\n' "$out"); then
    echo "!!! $case: docker compose $VERSION output differs from the recording" >&2
    failed=1
  fi
done
[ $failed -eq 0 ] || exit 1

step "Sluice against the recordings"
npx vitest run src/render/compose/corpus.test.ts
