#!/usr/bin/env bash
# The docker provider against a real dockerd: installs Debian's docker.io, busybox-static (the
# test image is FROM scratch + busybox, built locally; nothing comes from Docker Hub), docker-compose
# (the compose CLI must see and adopt what Sluice runs) and docker-registry (pulls by digest
# from a registry the tests start on 127.0.0.1), openssh-server, openssh-client and openssl (a
# second Engine on TLS with a CA made by the test, and ssh to localhost), starts dockerd when
# none answers, and runs test/suites/docker. Under CI=true a dockerd that cannot be started fails the suite;
# elsewhere, without root or apt, the suite is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

SOCKET=/var/run/docker.sock
[ -d node_modules/vitest ] || { echo "node_modules missing: run npm ci first" >&2; exit 1; }

skip_or_fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "the Docker suite needs a running dockerd: $*" >&2
    exit 1
  fi
  echo "skipping the Docker suite: $* (CI=true makes this an error)"
  exit 0
}

step "docker: packages"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  ensure_apt_packages docker.io busybox-static docker-compose docker-registry openssh-server openssh-client openssl
elif ! command -v dockerd >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
  skip_or_fail "docker.io and busybox-static are missing and cannot be installed without root and apt"
fi

step "docker: dockerd"
if ! docker version >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || skip_or_fail "no dockerd answers on $SOCKET and starting one needs root"
  log="${SLUICE_CACHE}/dockerd.log"
  echo "starting dockerd (log: $log)"
  dockerd >"$log" 2>&1 &
  for _ in $(seq 1 120); do
    docker version >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker version >/dev/null 2>&1 || { tail -20 "$log" >&2; skip_or_fail "dockerd did not start"; }
fi
docker version --format 'Engine {{.Server.Version}}, API {{.Server.APIVersion}}'

step "docker: provider suite"
npx vitest run --config test/suites/docker/vitest.config.ts
