#!/usr/bin/env bash
# Installs what falconet needs on a Debian host (as root): the BPF toolchain for the probe, the build
# tools for the addon, then the npm packages, then builds everything. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
install_missing clang llvm libbpf-dev bpftool build-essential pkg-config libelf-dev zlib1g-dev python3 make g++

# npm ci builds the probe and the addon (package.json "install"), then tsc builds the engine.
npm ci --no-audit --no-fund
npm run build
