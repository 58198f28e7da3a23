#!/usr/bin/env bash
# Installs what falconet needs on a Debian host (as root): the BPF toolchain for the probe, the build
# tools for the addon, then the npm packages, then builds everything. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(clang llvm libbpf-dev bpftool build-essential pkg-config libelf-dev zlib1g-dev python3 make g++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm ci builds the probe and the addon (package.json "install"), then tsc builds the engine.
npm ci --no-audit --no-fund
npm run build
