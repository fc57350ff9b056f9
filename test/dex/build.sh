#!/usr/bin/env bash
# Builds Dex (the OIDC provider the single sign-on tests run against) from this module once per
# module state and prints the directory holding the `dex` binary. The key covers go.mod, go.sum
# and this script, so a version bump rebuilds and anything else reuses the cached binary.
#   SLUICE_DEX_CACHE  where binaries are kept (default: <repo>/.cache/dex)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${SLUICE_DEX_CACHE:-$repo/.cache/dex}"
command -v go >/dev/null 2>&1 || { echo "go is required to build the test Dex (test/dex)" >&2; exit 1; }

key="$(cd "$here" && cat go.mod go.sum build.sh | sha256sum | cut -c1-16)"
out="$cache/$key"
if [ -x "$out/dex" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$out.tmp"
# Two cores are the norm where this runs; more parallel compiles only thrash. VCS stamping is
# off so the binary does not depend on the state of the work tree. No symbol tables: a test
# binary is not debugged, and linking without DWARF is faster. Dex's SQLite storage needs cgo.
export GOFLAGS="-p=${SLUICE_GO_PARALLEL:-2} -buildvcs=false"
export CGO_ENABLED=1
# Dex's go.mod has no /v2 suffix, so its v2.x tags are not module versions: go.mod pins the
# tagged commit by pseudo-version, and the binary reports that pseudo-version.
version="$(cd "$here" && go list -m -f '{{.Version}}' github.com/dexidp/dex)"
start=$(date +%s)
(cd "$here" && go build -ldflags "-s -w -X main.version=$version" \
  -o "$out.tmp/dex" github.com/dexidp/dex/cmd/dex) >&2
rm -rf "$out" && mv "$out.tmp" "$out"
# Older builds are never used again.
find "$cache" -mindepth 1 -maxdepth 1 ! -name "$key" -exec rm -rf {} +
echo "built dex $version in $(( $(date +%s) - start ))s" >&2
echo "$out"
