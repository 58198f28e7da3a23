#!/usr/bin/env bash
# Installs what the tests need beyond scripts/setup.sh (as root, on Debian): Docker for the container
# tests (dockerd, containerd, runc) and a static busybox, from which test/e2e/docker.ts builds the
# test image offline. Safe to run again.
set -euo pipefail

packages=(docker.io busybox-static util-linux bsdutils perl python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
