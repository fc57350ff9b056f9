#!/usr/bin/env bash
# Single sign-on against a real OpenID Connect provider: test/dex builds Dex with Go, cached by
# module state in ${SLUICE_DEX_CACHE:-$SLUICE_CACHE/dex} (keep it and Go's module and build
# caches, `go env GOMODCACHE GOCACHE`, between runs: a cold build takes minutes on two cores).
# The browser test uses Debian's chromium. Under CI=true a missing Go, a failed build or a
# missing browser fails the suite; elsewhere a missing Go skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh
export SLUICE_DEX_CACHE="${SLUICE_DEX_CACHE:-$SLUICE_CACHE/dex}"

if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "the single sign-on suite needs Go to build Dex (test/dex)" >&2
    exit 1
  fi
  echo "skipping the single sign-on suite: Go is not installed (CI=true makes this an error)"
  exit 0
fi
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

step "oidc: go $(go env GOVERSION), caches $(go env GOMODCACHE) $(go env GOCACHE) $SLUICE_DEX_CACHE"
step "oidc: build dex"
if ! dir=$(bash test/dex/build.sh); then
  echo "building test/dex failed" >&2
  exit 1
fi
echo "dex in $dir"
export SLUICE_DEX_BIN_DIR="$dir"

step "oidc: chromium"
ensure_apt_packages chromium
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is not installed at /usr/bin/chromium" >&2
  [ "${CI:-}" = true ] && exit 1
fi

# dashboard.test.ts runs bin/sluice.js, which serves the built dashboard from dist/.
step "oidc: build"
npm run build

step "oidc: sign-in tests"
npx vitest run --config test/suites/oidc/vitest.config.ts
