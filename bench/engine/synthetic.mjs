// A deterministic synthetic syscall stream shaped like a busy container host: mostly opens/closes and
// reads of ordinary files, some execs, connects and accepts, a few sensitive opens. The same seed always
// yields the same stream, so runs compare.

const FILES = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/ld.so.cache', '/proc/self/status', '/var/lib/app/data.db',
  '/tmp/work.tmp', '/etc/hosts', '/etc/resolv.conf', '/usr/share/zoneinfo/UTC', '/etc/passwd', '/dev/null'];
const SENSITIVE = ['/etc/shadow', '/etc/sudoers', '/root/.ssh/authorized_keys'];
const PROGRAMS = [['nginx', '/usr/sbin/nginx'], ['node', '/usr/bin/node'], ['python3', '/usr/bin/python3'], ['sh', '/bin/sh'],
  ['bash', '/bin/bash'], ['cat', '/bin/cat'], ['curl', '/usr/bin/curl'], ['ls', '/bin/ls']];
const CONTAINER = '/system.slice/docker-3f2a9c81d2e4b5a6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4.scope';

/** When the synthetic host booted (epoch ns): three days before the stream's first event. */
export const BOOT_NS = 1_700_000_000_000_000_000n - 3n * 86_400n * 1_000_000_000n;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Process snapshots the stream's events run in: 64 processes, half of them in a container. */
export function syntheticProcs() {
  const procs = [];
  for (let i = 0; i < 64; i++) {
    const [comm, exepath] = PROGRAMS[i % PROGRAMS.length];
    procs.push({
      tid: 1000 + i, pid: 1000 + i, ppid: i === 0 ? 1 : 1000 + Math.floor(i / 2), comm, exe: comm, exepath, args: ['--serve'],
      cwd: '/srv', uid: i % 3 === 0 ? 0 : 1000, gid: 0, euid: 0, egid: 0, loginuid: 4294967295, tty: 0, sid: 1000, pgid: 1000,
      vpid: 1000 + i, vpgid: 1000, cgroup: i % 2 ? CONTAINER : '/system.slice/app.service', startTs: 1n, env: [],
      capEffective: 0n, capPermitted: 0n, capInheritable: 0n, fds: [],
    });
  }
  return procs;
}

/** `n` records, as RawRecords. */
export function syntheticRecords(n, seed = 42) {
  const r = rng(seed);
  const out = new Array(n);
  let ts = 1_700_000_000_000_000_000n;
  const nextFd = new Map();
  for (let i = 0; i < n; i++) {
    const pid = 1000 + Math.floor(r() * 64);
    const [comm] = PROGRAMS[(pid - 1000) % PROGRAMS.length];
    // Live records carry the kernel's cgroup id (no path): one for the container, one for the host service.
    const cgroupId = (pid - 1000) % 2 ? 0x2f3an : 0x1c4n;
    const base = { ts: (ts += 1000n), tid: pid, pid, ppid: 1000, uid: 0, gid: 0, loginuid: 4294967295, comm, cgroupId };
    const x = r();
    // Each process keeps between 3 and 10 files open: opens and closes balance like a steady server.
    const fd = (nextFd.get(pid) ?? 3);
    if (x < 0.45 && fd < 10) {
      const name = x < 0.002 ? SENSITIVE[i % SENSITIVE.length] : FILES[Math.floor(r() * FILES.length)];
      const write = r() < 0.2;
      out[i] = { ...base, type: 'openat', res: fd, args: { fd, dirfd: -100, name, flags: write ? 0o1101 : 0o2000000, mode: 0o644, dev: 0, ino: 0 } };
      nextFd.set(pid, fd + 1);
    } else if (x < 0.85 && fd > 3) {
      out[i] = { ...base, type: 'close', res: 0, args: { fd: fd - 1 } };
      nextFd.set(pid, fd - 1);
    } else if (x < 0.85) {
      out[i] = { ...base, type: 'openat', res: -2, args: { fd: -2, dirfd: -100, name: 'missing.conf', flags: 0, mode: 0, dev: 0, ino: 0 } };
    } else if (x < 0.92) {
      const [p, path] = PROGRAMS[Math.floor(r() * PROGRAMS.length)];
      out[i] = { ...base, comm: p, type: 'execve', res: 0, args: { exe: p, args: [p, '-c', 'true'], filename: path } };
    } else if (x < 0.97) {
      out[i] = { ...base, type: 'connect', res: 0, args: { fd: 3, addr: { family: 'ipv4', ip: '127.0.0.1', port: 5432 } } };
    } else {
      out[i] = { ...base, type: 'setuid', res: 0, args: { uid: 0 } };
    }
  }
  return out;
}
