#!/usr/bin/env bash
# Fault injection against real `sluice serve` processes (test/faults/README.md): kill -9 at
# seeded random points (SLUICE_FAULT_KILLS, 200 under CI), the Git remote down, stalled and
# force-pushed, a full data directory, a locked store, and a failing or hanging target.
#   bash .ci/suites/faults.sh [kill|remote|disk|sqlite|target ...]    (default: all)
#   SLUICE_FAULT_SEED=<n> SLUICE_FAULT_KILLS=<n> bash .ci/suites/faults.sh kill   (replay a seed)
# Needs root for the full-disk case (a small tmpfs); under CI=true a missing prerequisite fails
# the suite, elsewhere that scenario is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/lib.sh

[ -d node_modules/tsx ] || { echo "node_modules missing: run npm install first" >&2; exit 1; }
need_cmd git
# git daemon (the remote scenario serves the config repo over git://) and mkfifo ship with
# Debian's git and coreutils; a minimal image may lack the daemon's helper.
if ! git daemon --help >/dev/null 2>&1 && [ ! -x "$(git --exec-path)/git-daemon" ]; then
  ensure_apt_packages git
fi
need_cmd mkfifo

step "faults: ${*:-all scenarios} (seed ${SLUICE_FAULT_SEED:-default}, kills ${SLUICE_FAULT_KILLS:-default})"
npx tsx test/faults/run.ts "$@"
