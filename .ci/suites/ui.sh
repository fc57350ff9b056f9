#!/usr/bin/env bash
# The dashboard in real headless Chromium (Debian's package; a browser is never downloaded) against
# a real `sluice serve`. Under CI=true a missing browser fails the suite rather than skipping it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

step "ui: chromium"
ensure_apt_packages chromium
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is not installed at /usr/bin/chromium" >&2
  [ "${CI:-}" = true ] && exit 1
fi
/usr/bin/chromium --version 2>/dev/null || true

# The suite runs bin/sluice.js, which needs the compiled CLI, and the server serves dist/ui/:
# build both so the test never runs against a stale bundle.
step "ui: build"
npm run build

step "ui: browser tests"
npx vitest run --config test/suites/ui/vitest.config.ts
