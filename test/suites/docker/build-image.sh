#!/usr/bin/env bash
# Builds the Docker suite's test image from Debian's busybox-static (FROM scratch, no registry)
# and tags it twice, so a test can change a service's image without pulling anything.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ -x /bin/busybox ] || { echo "/bin/busybox missing: install busybox-static" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp -r "$here/image/." "$ctx/"
cp /bin/busybox "$ctx/busybox"
docker build -q -t sluice-test/busybox:1 "$ctx" >/dev/null
docker tag sluice-test/busybox:1 sluice-test/busybox:2
