#!/usr/bin/env bash
# Metric gates against a real Prometheus: installs Debian's prometheus when it is missing, then
# runs test/suites/metrics, which starts its own Prometheus (a temporary config and storage
# directory, a free loopback port, 1s scrapes) against the sample service run by the process
# target. The package's own service is never used. Under CI=true a Prometheus that cannot be
# installed fails the suite; elsewhere the suite is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "the metrics suite needs Prometheus: $*" >&2
    exit 1
  fi
  echo "skipping the metrics suite: $* (CI=true makes this an error)"
  exit 0
}

step "metrics: prometheus"
if ! command -v prometheus >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    ensure_apt_packages prometheus || skip_or_fail "apt-get could not install prometheus"
  fi
  command -v prometheus >/dev/null 2>&1 || skip_or_fail "prometheus is missing and cannot be installed without root and apt"
fi
prometheus --version 2>&1 | head -1

step "metrics: metric gates suite"
CI=true npx vitest run --config test/suites/metrics/vitest.config.ts
