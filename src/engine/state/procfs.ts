// Seeds the process table from /proc when the monitor starts, so that processes that were running
// before the probe attached have their exe, args, cwd, ids, cgroup and fds.

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Fd, FdType, ProcSnapshot } from '../event.js';
import { cgroupPathFromProcFile } from '../../metadata/cgroup.js';
import type { CgroupHierarchy } from '../../metadata/cgroup-hierarchy.js';
import { readSocketTable, type SocketInfo } from './procnet.js';

const CLK_TCK = 100;
const MAX_ENV_BYTES = 32 * 1024;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** The inode facts of the file /proc/PID/exe leads to (the running executable), when it can be read. */
function exeFacts(dir: string): Pick<ProcSnapshot, 'exeIno' | 'exeInoCtime' | 'exeInoMtime'> {
  try {
    const st = statSync(`${dir}/exe`, { bigint: true });
    return { exeIno: Number(st.ino), exeInoCtime: st.ctimeNs, exeInoMtime: st.mtimeNs };
  } catch {
    return {};
  }
}

/** Boot time in ns since the epoch, from /proc/stat's btime. */
export function bootTimeNs(procRoot: string): bigint {
  const m = /^btime (\d+)$/m.exec(read(`${procRoot}/stat`) ?? '');
  return m?.[1] ? BigInt(m[1]) * 1_000_000_000n : 0n;
}

interface StatFields {
  ppid: number;
  pgid: number;
  sid: number;
  tty: number;
  startTicks: bigint;
}

/** /proc/PID/stat: the comm may contain spaces and parentheses, so fields are counted after the last ')'. */
export function parseStat(text: string): StatFields | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // After ')': state(0) ppid(1) pgrp(2) session(3) tty_nr(4) ... starttime(19)
  return { ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), tty: Number(f[4]), startTicks: BigInt(f[19] ?? '0') };
}

function statusField(status: string, key: string): string[] {
  const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status);
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
}

function fdType(target: string): FdType {
  if (target.startsWith('socket:')) return 'unknown';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('/memfd:')) return 'memfd';
  if (target.startsWith('anon_inode:')) {
    if (target.includes('eventpoll')) return 'eventpoll';
    if (target.includes('inotify')) return 'inotify';
    if (target.includes('eventfd')) return 'event';
    if (target.includes('signalfd')) return 'signalfd';
    if (target.includes('timerfd')) return 'timerfd';
    if (target.includes('bpf')) return 'bpf';
    if (target.includes('io_uring')) return 'io_uring';
    if (target.includes('userfaultfd')) return 'userfaultfd';
    return 'unknown';
  }
  return 'file';
}

function readFds(dir: string, sockets: Map<number, SocketInfo>): Fd[] {
  let names: string[];
  try {
    names = readdirSync(`${dir}/fd`);
  } catch {
    return [];
  }
  const fds: Fd[] = [];
  for (const n of names) {
    const target = link(`${dir}/fd/${n}`);
    if (target === undefined) continue;
    const flagsHex = /^flags:\s*([0-7]+)$/m.exec(read(`${dir}/fdinfo/${n}`) ?? '')?.[1];
    const fd: Fd = { num: Number(n), type: fdType(target), name: target, openFlags: flagsHex ? parseInt(flagsHex, 8) : 0 };
    const sock = /^socket:\[(\d+)\]$/.exec(target);
    if (sock?.[1]) Object.assign(fd, sockets.get(Number(sock[1])) ?? { type: 'unknown', name: undefined });
    else if (fd.type === 'memfd') fd.name = target.replace(/^\//, '').replace(/ \(deleted\)$/, '');
    fds.push(fd);
  }
  return fds;
}

/** One process's snapshot, or undefined when it vanished while being read. */
export function readProcess(
  procRoot: string,
  pid: number,
  bootNs: bigint,
  sockets: Map<number, SocketInfo>,
  hierarchy?: CgroupHierarchy,
): ProcSnapshot | undefined {
  const dir = `${procRoot}/${pid}`;
  const stat = parseStat(read(`${dir}/stat`) ?? '');
  const status = read(`${dir}/status`);
  if (!stat || status === undefined) return undefined;
  const argv = (read(`${dir}/cmdline`) ?? '').split('\0');
  if (argv.at(-1) === '') argv.pop();
  const uids = statusField(status, 'Uid').map(Number);
  const gids = statusField(status, 'Gid').map(Number);
  const nspid = statusField(status, 'NSpid');
  const nspgid = statusField(status, 'NSpgid');
  const cap = (k: string) => BigInt(`0x${statusField(status, k)[0] ?? '0'}`);
  const env = (read(`${dir}/environ`) ?? '').slice(0, MAX_ENV_BYTES).split('\0').filter(Boolean);
  const comm = (read(`${dir}/comm`) ?? '').replace(/\n$/, '');
  return {
    tid: pid,
    pid,
    ppid: stat.ppid,
    comm,
    exe: argv[0] ?? comm,
    exepath: (link(`${dir}/exe`) ?? '').replace(/ \(deleted\)$/, ''),
    args: argv.slice(1),
    cwd: link(`${dir}/cwd`) ?? '/',
    uid: uids[0] ?? 0,
    euid: uids[1] ?? 0,
    gid: gids[0] ?? 0,
    egid: gids[1] ?? 0,
    loginuid: Number((read(`${dir}/loginuid`) ?? '4294967295').trim()),
    tty: stat.tty,
    sid: stat.sid,
    pgid: stat.pgid,
    vpid: Number(nspid.at(-1) ?? pid),
    vpgid: Number(nspgid.at(-1) ?? stat.pgid),
    cgroup: cgroupPathFromProcFile(read(`${dir}/cgroup`) ?? '', hierarchy) || '/',
    startTs: bootNs + (stat.startTicks * 1_000_000_000n) / BigInt(CLK_TCK),
    env,
    capEffective: cap('CapEff'),
    capPermitted: cap('CapPrm'),
    capInheritable: cap('CapInh'),
    ...exeFacts(dir),
    fds: readFds(dir, sockets),
  };
}

/**
 * Every running process of `procRoot`, the host's /proc (which is not /proc when falconet runs in a
 * container). Processes that exit while being read are skipped.
 */
export function readProcTable(procRoot: string, hierarchy?: CgroupHierarchy): ProcSnapshot[] {
  const bootNs = bootTimeNs(procRoot);
  const sockets = readSocketTable(procRoot);
  const out: ProcSnapshot[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const snap = readProcess(procRoot, Number(name), bootNs, sockets, hierarchy);
    if (snap) out.push(snap);
  }
  return out;
}
