#!/usr/bin/env bash
# The store suite against a real PostgreSQL: installs Debian's postgresql when initdb is missing,
# then runs test/suites/postgres, whose global setup starts a private cluster (initdb in a
# temporary directory, a Unix socket of its own, run as the postgres user when CI runs as root)
# and stops it afterwards. Under CI=true a PostgreSQL that cannot be installed or started fails
# the suite; elsewhere, without root or apt, the suite is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "the PostgreSQL suite needs PostgreSQL: $*" >&2
    exit 1
  fi
  echo "skipping the PostgreSQL suite: $* (CI=true makes this an error)"
  exit 0
}

have_initdb() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1; }

step "postgres: packages"
if ! have_initdb; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    ensure_apt_packages postgresql || skip_or_fail "apt-get could not install postgresql"
  fi
  have_initdb || skip_or_fail "initdb is missing and cannot be installed without root and apt"
fi
# As root the cluster runs as the postgres user, which Debian's package creates.
if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
  skip_or_fail "running as root needs the postgres user (Debian's postgresql package creates it)"
fi

step "postgres: store suite"
npx vitest run --config test/suites/postgres/vitest.config.ts
