#!/usr/bin/env bash
# Runs the reference compose tool on one corpus case the way Sluice reads it: base/ is the
# project directory, the overlay's compose file is merged onto base's, and the .env of base
# then of the overlay (later wins) are the only variables (env -i: no process environment).
# Prints the JSON (or, on failure, the error) with the case's absolute path replaced by $CASE; exits as the tool did.
set -uo pipefail
bin="$1"
dir="$(cd "$2" && pwd)"
env_name="$(node -p "require('$dir/case.json').env ?? ''")"
pick() { for n in compose.yaml compose.yml docker-compose.yml docker-compose.yaml; do [ -f "$1/$n" ] && { echo "$1/$n"; return; }; done; }
args=(--project-directory "$dir/base" -p case)
f=$(pick "$dir/base"); args+=(-f "$f")
envs=()
[ -f "$dir/base/.env" ] && envs+=(--env-file "$dir/base/.env")
if [ -n "$env_name" ]; then
  o=$(pick "$dir/overlays/$env_name"); [ -n "$o" ] && args+=(-f "$o")
  [ -f "$dir/overlays/$env_name/.env" ] && envs+=(--env-file "$dir/overlays/$env_name/.env")
fi
# An empty env file keeps compose from reading base/.env by itself when the case has none.
[ ${#envs[@]} -eq 0 ] && envs=(--env-file /dev/null)
# Warnings (an unset variable) go to stderr with a timestamp: only an error's text is kept.
err=$(mktemp)
out=$(cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$bin" "${args[@]}" "${envs[@]}" config --format json 2>"$err")
rc=$?
[ $rc -ne 0 ] && out=$(cat "$err")
rm -f "$err"
printf '%s\n' "${out//$dir/\$CASE}"
exit $rc
