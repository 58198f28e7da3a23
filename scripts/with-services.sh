#!/usr/bin/env bash
# Runs a command (the tests) with the services they need: a dockerd, started here unless one already
# answers, without a bridge or iptables rules (containers run --network none), and stopped again by
# its PID when the command ends. Usage: sudo bash scripts/with-services.sh npm test
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dockerd >/dev/null && [ -x /bin/busybox ] || bash scripts/setup-tests.sh

started=""
stop() {
  if [ -n "$started" ]; then
    kill "$started" 2>/dev/null || true
    # dockerd stops its containerd and containers first; give it the time it needs
    for _ in $(seq 1 30); do kill -0 "$started" 2>/dev/null || break; sleep 1; done
  fi
}
trap stop EXIT

if ! docker info >/dev/null 2>&1; then
  log="${TMPDIR:-/tmp}/falconet-dockerd.log"
  dockerd --bridge=none --iptables=false >"$log" 2>&1 &
  started=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$started" 2>/dev/null || { echo "dockerd exited; its log ($log):" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not answer within 60 s; its log ($log):" >&2; tail -20 "$log" >&2; exit 1; }
fi

"$@"
