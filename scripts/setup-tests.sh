#!/usr/bin/env bash
# Installs what the tests need beyond scripts/setup.sh (as root, on Debian): Docker for the container
# tests (dockerd, containerd, runc) and a static busybox, from which test/e2e/docker.ts builds the
# test image offline; rsyslog and openssl for the alert-delivery receivers (test/e2e/rsyslog.ts,
# tls.ts; the tests start their own rsyslogd, never the system's); debootstrap for the container
# image's base (scripts/build-image.sh, test/e2e/image.test.ts); logrotate for the benign workload
# (test/e2e/benign.test.ts). Safe to run again.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/lib.sh
install_missing docker.io busybox-static util-linux bsdutils perl python3 rsyslog openssl debootstrap logrotate
