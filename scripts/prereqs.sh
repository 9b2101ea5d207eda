#!/usr/bin/env bash
# What make demo and make test need on the machine, in one list (command:Debian package), used by both and by .ci/run.
#   scripts/prereqs.sh demo|test|images
# As root (and unless CNM_PREREQS_NO_INSTALL is set) it installs what is missing with apt-get; otherwise it stops at once
# with one line naming what to install. Nothing else is printed when everything is there.
set -euo pipefail

demo=(java:openjdk-17-jdk-headless ip:iproute2 nft:nftables)
test=("${demo[@]}" make:make curl:curl nsenter:util-linux ping:iputils-ping tcpdump:tcpdump python3:python3 tshark:tshark iperf3:iperf3)
# make images, and cnm-lab up --images (podman with runc: crun fails on this kind's hybrid cgroups).
images=(mmdebstrap:mmdebstrap umoci:umoci podman:podman runc:runc)

case "${1:-}" in
  demo) wanted=("${demo[@]}") ;;
  test) wanted=("${test[@]}") ;;
  images) wanted=("${images[@]}") ;;
  *) echo "usage: $0 demo|test|images" >&2; exit 2 ;;
esac

missing=()
packages=()
for p in "${wanted[@]}"; do
  if ! command -v "${p%%:*}" >/dev/null 2>&1; then
    missing+=("${p%%:*}")
    packages+=("${p#*:}")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && [ -z "${CNM_PREREQS_NO_INSTALL:-}" ] && command -v apt-get >/dev/null 2>&1; then
  echo "make $1: installing ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  exit 0
fi
echo "make $1 needs ${missing[*]}: apt-get install -y ${packages[*]} (as root, make $1 installs them itself)" >&2
exit 1
