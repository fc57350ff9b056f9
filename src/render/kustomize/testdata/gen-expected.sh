#!/bin/sh
# Regenerates expected.yaml for every golden case with the reference binary, kustomize v5.8.1.
# A case builds its own directory, or the directory named in its `build-dir` file.
# Cases whose build fails get expected-error.txt (kustomize's stderr) instead.
set -eu
KUSTOMIZE="${KUSTOMIZE:-$(go env GOPATH)/bin/kustomize}"
"$KUSTOMIZE" version | grep -q 'v5.8.1' || { echo "need kustomize v5.8.1 at $KUSTOMIZE" >&2; exit 1; }
cd "$(dirname "$0")"
for c in */; do
  c="${c%/}"
  dir="$c"
  [ -f "$c/build-dir" ] && dir="$c/$(cat "$c/build-dir")"
  rm -f "$c/expected.yaml" "$c/expected-error.txt"
  if "$KUSTOMIZE" build "$dir" > "$c/expected.yaml" 2> "$c/.stderr"; then
    rm -f "$c/.stderr"
  else
    rm -f "$c/expected.yaml"
    mv "$c/.stderr" "$c/expected-error.txt"
  fi
done
