# Shared helpers for .ci/run and .ci/suites/*.sh.
# shellcheck shell=bash
CI_START=$(date +%s)
# Caches that outlive a fresh clone (CI clones anew each run on the same machine): the
# kustomize conformance corpus and the kube-apiserver test binaries.
export SLUICE_CACHE="${SLUICE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice}"
export SLUICE_KUBE_CACHE="${SLUICE_KUBE_CACHE:-$SLUICE_CACHE/kube}"
mkdir -p "$SLUICE_CACHE"

step() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - CI_START ))"; }

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || { echo "missing required command: $1" >&2; exit 1; }
}

APT_UPDATED=0
ensure_apt_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Installs a Go tool at a pinned version unless it is already on PATH at that version.
ensure_go_tool() {
  local bin="$1" pkg="$2"
  export PATH="$(go env GOPATH)/bin:$PATH"
  if ! command -v "$bin" >/dev/null 2>&1; then
    need_cmd go
    go install "$pkg"
  fi
  command -v "$bin" >/dev/null 2>&1 || { echo "could not install $bin ($pkg)" >&2; exit 1; }
}

FAILED_STEPS=()
PASSED_STEPS=()

# Runs one step, remembering whether it passed; later steps run either way.
run_step() {
  local name="$1"
  shift
  step "$name"
  if "$@" 2>&1 | tee -a "$CI_LOG"; then PASSED_STEPS+=("$name"); else FAILED_STEPS+=("$name"); echo "!!! step failed: $name" >&2; fi
}

CI_LOG=$(mktemp)

# Adds up the test counts every vitest run printed ("Tests  3 failed | 40 passed (43)").
count_tests() {
  sed 's/\x1b\[[0-9;]*m//g' "$CI_LOG" | awk '
    /^ *Tests  / {
      for (i = 1; i <= NF; i++) {
        if ($i == "passed") p += $(i - 1)
        if ($i == "failed") f += $(i - 1)
        if ($i == "skipped") s += $(i - 1)
      }
    }
    END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'
}

# Names every failed test again at the very end, so a truncated log still shows which ones.
failed_tests() {
  sed 's/\x1b\[[0-9;]*m//g' "$CI_LOG" | grep -E '^ *FAIL ' | sed 's/^ */  test failed: /' | sort -u | head -40
}

summary() {
  local secs=$(( $(date +%s) - CI_START ))
  printf '\n=== %s steps passed, %s failed in %ss\n' "${#PASSED_STEPS[@]}" "${#FAILED_STEPS[@]}" "$secs"
  for f in "${FAILED_STEPS[@]}"; do printf '  failed: %s\n' "$f"; done
  failed_tests
  count_tests
  [ "${#FAILED_STEPS[@]}" -eq 0 ]
}
