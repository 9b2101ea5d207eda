#!/usr/bin/env bash
# make images: the operator and node-daemon images as OCI archives, from Debian packages only (no Docker, no registry).
#   scripts/images.sh [OUT]        (default build/images; run make build first; CNM_IMAGES_CACHE: where the root file
#                                   system is cached, default OUT/cache)
# Layer 1, shared by both images: a Debian bookworm root file system (mmdebstrap: openjdk-17-jre-headless, nftables,
# iproute2, ca-certificates, libssl3 for the ESP path's AES-GCM), cached under OUT/cache by its package list. Layer 2: the component's application at
# /deployments (the operator's quarkus-app directory; the node-daemon's jar and its lib/). Every tar is reproducible:
# sorted names, owner 0:0, mtime SOURCE_DATE_EPOCH (0 unless set), and the image config's dates are that time too, so
# the same inputs give the same digests. mmdebstrap makes the root file system reproducible for the same packages, but
# for Java's trust store, which is rewritten with fixed dates.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build/images}
EPOCH=${SOURCE_DATE_EPOCH:-0}
CREATED=$(date -u -d "@$EPOCH" +%Y-%m-%dT%H:%M:%SZ)
SUITE=bookworm
MIRROR=${CNM_IMAGES_MIRROR:-http://deb.debian.org/debian}
SECURITY=${CNM_IMAGES_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PACKAGES=openjdk-17-jre-headless,nftables,iproute2,ca-certificates,libssl3
# The image tag is the chart's appVersion, so the chart's default image references name exactly these images.
TAG=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/cnm-operator/Chart.yaml)
REPO=$(sed -n 's/^  registry: *//p' helm/cnm-operator/values.yaml | head -1)

die() { echo "make images: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap builds the root file system in root mode)"
scripts/prereqs.sh images
# Each component's application: the directory put at /deployments, and the jar the entrypoint runs there.
app_dir() { case $1 in operator) echo operator/target/quarkus-app ;; node-daemon) echo node-daemon/target/daemon-app ;; esac; }
app_jar() { case $1 in operator) echo quarkus-run.jar ;; node-daemon) echo cnm-node-daemon.jar ;; esac; }
for app in operator node-daemon; do
  [ -f "$(app_dir $app)/$(app_jar $app)" ] || die "$(app_dir $app)/$(app_jar $app) is missing: run make build first"
done

CACHE=${CNM_IMAGES_CACHE:-$OUT/cache}
mkdir -p "$CACHE"
key=$(printf '%s\n' "$SUITE" "$MIRROR" "$SECURITY" "$PACKAGES" "$EPOCH" v2 "$(sha256sum scripts/ReproducibleCacerts.java)" | sha256sum | cut -c1-16)
rootfs="$CACHE/rootfs-$SUITE-$key.tar"
if [ ! -s "$rootfs" ]; then
  echo "make images: building the $SUITE root file system ($PACKAGES)" >&2
  # Documentation and locales are left out; openjdk's post-install still needs the man1 directory to exist.
  SOURCE_DATE_EPOCH=$EPOCH mmdebstrap --quiet --mode=root --format=tar --variant=essential --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" "$1/var/log/"*' \
    --customize-hook="java '$PWD/scripts/ReproducibleCacerts.java' \"\$1/etc/ssl/certs/java/cacerts\" $EPOCH" \
    "$SUITE" "$rootfs.tmp" "$MIRROR" "deb $SECURITY $SUITE-security main" >&2
  mv "$rootfs.tmp" "$rootfs"
fi

work=$(mktemp -d "$OUT/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# One image: the shared root file system, the app at /deployments, the entrypoint and user.
image() {
  local name=$1 user=$2 title=$3
  local layout="$work/$name" app="$work/$name-app.tar"
  mkdir -p "$work/$name-root/deployments"
  cp -a "$(app_dir "$name")/." "$work/$name-root/deployments/"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$work/$name-root" -cf "$app" deployments
  umoci init --layout "$layout"
  umoci new --image "$layout:build"
  umoci raw add-layer --image "$layout:build" --history.created "$CREATED" --history.author cnm-operator \
    --history.created_by "mmdebstrap --variant=essential $SUITE: $PACKAGES" "$rootfs"
  umoci raw add-layer --image "$layout:build" --history.created "$CREATED" --history.author cnm-operator \
    --history.created_by "$(app_dir "$name") at /deployments" "$app"
  umoci config --no-history --image "$layout:build" --created "$CREATED" --author "cnm-operator" --os linux --architecture amd64 \
    --config.user "$user" --config.workingdir /deployments \
    --config.entrypoint java --config.entrypoint -jar --config.entrypoint "/deployments/$(app_jar "$name")" \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.env LANG=C.UTF-8 \
    --config.label "org.opencontainers.image.title=$title" --config.label "org.opencontainers.image.version=$TAG" \
    --manifest.annotation "org.opencontainers.image.version=$TAG" --manifest.annotation "org.opencontainers.image.created=$CREATED"
  # The index names the image by the chart's full reference, so podman, ctr (kind load image-archive) and skopeo name
  # it as the chart expects without being told.
  umoci tag --image "$layout:build" "$REPO/cnm-operator/$name:$TAG"
  umoci rm --image "$layout:build"
  umoci gc --layout "$layout"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$layout" -cf "$OUT/$name-$TAG.oci-archive" .
  echo "$OUT/$name-$TAG.oci-archive  $REPO/cnm-operator/$name:$TAG  $(sha256sum "$OUT/$name-$TAG.oci-archive" | cut -c1-19)  $(du -h "$OUT/$name-$TAG.oci-archive" | cut -f1)"
}

# The operator runs as a numeric non-root user (the Deployment sets runAsNonRoot); the node-daemon as root (privileged).
image operator 185 "cnm-operator operator"
image node-daemon 0 "cnm-operator node-daemon"
