#!/usr/bin/env bash
# Builds Sluice's container image from this machine's Debian files, without pulling anything.
#
#   scripts/build-image.sh [TAG]        (default TAG: sluice:dev)
#
# No base image is pulled: the root filesystem is assembled here from the host's own Debian
# packages (Node 20's `node`, `git` with its https and local transports, `ssh`, busybox-static
# for /bin/sh and the few commands bin/sluice and git call, ca-certificates), each binary with
# exactly the shared libraries `ldd` says it loads, and the Dockerfile at the repository root
# copies that tree into an image FROM scratch. The build context is a temporary directory: the
# repository itself never becomes a context (.dockerignore says so too).
#
# Needs: docker, node 20 (on PATH), git, ssh, busybox (busybox-static), npm, and node_modules
# installed (`npm ci`). SLUICE_IMAGE_SKIP_BUILD=1 reuses dist/ as it is instead of running
# `npm run build` first.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-sluice:dev}"

fail() { echo "build-image: $*" >&2; exit 1; }
for c in docker node git ssh npm ldd; do command -v "$c" >/dev/null 2>&1 || fail "missing command: $c"; done
[ -x /bin/busybox ] || fail "/bin/busybox missing: install Debian's busybox-static"
[ -d "$repo/node_modules" ] || fail "node_modules missing: run npm ci first"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" = 20 ] || fail "the image carries the host's node, which is $(node --version), not Node 20"

if [ -z "${SLUICE_IMAGE_SKIP_BUILD:-}" ]; then
  (cd "$repo" && npm run build >/dev/null) || fail "npm run build failed"
fi
[ -f "$repo/dist/cli/run.js" ] || fail "dist/cli/run.js missing: run npm run build"

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
app="$root/opt/sluice"
mkdir -p "$root"/usr/{bin,lib,lib64,sbin,local/bin} "$root"/{etc,tmp,var/lib/sluice} "$app"
# Debian's merged /usr: the loader and scripts find /bin/sh, /lib/... and /lib64/... as on the host.
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/sbin "$root/sbin"
chmod 1777 "$root/tmp"

# Copies a host file to the same path in the image, through any symlinks of its directory
# (/lib/x86_64-linux-gnu/libc.so.6 lands in /usr/lib/x86_64-linux-gnu/).
put() {
  local src="$1" dir
  dir=$(readlink -f "$(dirname "$src")")
  mkdir -p "$root$dir"
  cp -L --preserve=mode,timestamps "$src" "$root$dir/$(basename "$src")"
}
# A binary and every shared library it loads (the dynamic loader included).
put_elf() {
  put "$1"
  ldd "$1" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | while read -r lib; do
    [ -e "$root$(readlink -f "$(dirname "$lib")")/$(basename "$lib")" ] || put "$lib"
  done
}

put_elf "$(readlink -f "$(command -v node)")"
[ -e "$root/usr/bin/node" ] || fail "node is not /usr/bin/node on this host"
put_elf /usr/bin/git
put_elf /usr/bin/ssh
# git runs its transports and local server side as separate programs from its exec path.
for helper in git-remote-http git-remote-https; do put_elf "/usr/lib/git-core/$helper"; done
for builtin in git-upload-pack git-receive-pack git-upload-archive; do
  ln -s ../../bin/git "$root/usr/lib/git-core/$builtin"
done
mkdir -p "$root/usr/share/git-core"
cp -a /usr/share/git-core/templates "$root/usr/share/git-core/"

# busybox-static is one static binary: /bin/sh for git's hooks and helpers, and env, readlink,
# dirname, stat and cat for bin/sluice; nothing else of a shell userland is in the image.
cp /bin/busybox "$root/usr/bin/busybox"
for cmd in sh env readlink dirname stat cat ls id; do ln -s busybox "$root/usr/bin/$cmd"; done

mkdir -p "$root/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nsluice:x:10001:10001:Sluice:/var/lib/sluice:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nsluice:x:10001:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

# Sluice itself: the compiled CLI, the dashboard, the schema, and the production dependencies.
cp -a "$repo/bin" "$repo/dist" "$repo/package.json" "$repo/package-lock.json" "$app/"
[ -d "$repo/schema" ] && cp -a "$repo/schema" "$app/"
# The production dependencies are pruned once per lockfile and Node version and kept in
# ${SLUICE_CACHE}/image (default ~/.cache/sluice/image); later builds copy them from there.
cache="${SLUICE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice}/image"
key=$( (cat "$repo/package-lock.json"; node --version) | sha256sum | cut -c1-16)
modules="$cache/node_modules-$key"
if [ ! -d "$modules" ]; then
  mkdir -p "$cache"
  rm -rf "$cache"/node_modules-*
  prune="$cache/prune.$$"
  rm -rf "$prune" && mkdir -p "$prune"
  cp -a "$repo/package.json" "$repo/package-lock.json" "$repo/node_modules" "$prune/"
  (cd "$prune" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --offline >/dev/null) ||
    { rm -rf "$prune"; fail "npm prune --omit=dev failed"; }
  mv "$prune/node_modules" "$modules" && rm -rf "$prune"
fi
cp -a "$modules" "$app/node_modules"
rm -f "$app/package-lock.json"
# Native addons load their own libraries (better-sqlite3: libstdc++).
find "$app/node_modules" -name '*.node' -type f | while read -r addon; do
  ldd "$addon" | awk '/=> \//{print $3}' | while read -r lib; do
    [ -e "$root$(readlink -f "$(dirname "$lib")")/$(basename "$lib")" ] || put "$lib"
  done
done
ln -s ../../../opt/sluice/bin/sluice "$root/usr/local/bin/sluice"

cp "$repo/Dockerfile" "$ctx/Dockerfile"
# The one RUN step needs no network; without one the build never depends on the default bridge.
docker build -q --network none -t "$tag" "$ctx" >/dev/null
echo "$tag"
