#!/usr/bin/env bash
# SOPS interoperability: files written by the real sops (pinned) must decrypt with Sluice
# exactly, files Sluice writes must decrypt with `sops -d`, and damaged files must fail
# clearly. Installs sops and age with Go. Under CI=true a missing tool fails the suite;
# elsewhere it is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

SOPS_VERSION=v3.13.2
AGE_VERSION=v1.3.1

if ! command -v go >/dev/null 2>&1 && ! command -v sops >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "the SOPS suite needs Go to install sops ${SOPS_VERSION} and age" >&2
    exit 1
  fi
  echo "skipping the SOPS suite: neither Go nor sops is installed (CI=true makes this an error)"
  exit 0
fi
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

step "sops: install sops ${SOPS_VERSION} and age ${AGE_VERSION}"
ensure_go_tool sops "github.com/getsops/sops/v3/cmd/sops@${SOPS_VERSION}"
ensure_go_tool age-keygen "filippo.io/age/cmd/age-keygen@${AGE_VERSION}"
sops --version --disable-version-check | head -1
if ! sops --version --disable-version-check | grep -q "${SOPS_VERSION#v}"; then
  echo "sops on PATH is not ${SOPS_VERSION}; the interop suite pins that version" >&2
  exit 1
fi

step "sops: interop and canary suite"
npx vitest run --config test/suites/sops/vitest.config.ts
