// The process table's handlers, one per syscall family: exec, fork/clone, exit, the uid and gid
// changes, capabilities, session and process group, and the working directory. What the kernel
// reports after the call (capability sets, the executable's inode, the child's namespaced pids)
// wins over what the table had inferred.

import type { ArgValue, Fd, RawRecord, Thread } from '../event.js';
import { closeOnExec, num, resolveArg, str } from './fds.js';
import type { Handler } from './handler.js';
import { copyFd, makeThread } from './shapes.js';
import { normaliseLoginuid, type ThreadTable } from './threads.js';

const CLONE_THREAD = 0x10000;
const CLONE_FILES = 0x400;

/** A 64-bit param (capability sets, ns timestamps) as a bigint; undefined when the record lacks it. */
function big(v: ArgValue): bigint | undefined {
  return typeof v === 'bigint' ? v : typeof v === 'number' && Number.isFinite(v) ? BigInt(v) : undefined;
}

/** Capability sets the record reports (capset, exec, the setuid family), when it has them. */
function takeCaps(t: Thread, a: RawRecord['args']): void {
  const eff = big(a.cap_effective);
  if (eff === undefined) return;
  t.capEffective = eff;
  t.capPermitted = big(a.cap_permitted) ?? t.capPermitted;
  t.capInheritable = big(a.cap_inheritable) ?? t.capInheritable;
}

const setIds = (t: Thread, uid?: number, euid?: number, gid?: number, egid?: number): void => {
  const keep = (v: number | undefined, cur: number) => (v === undefined || Number.isNaN(v) || v === -1 || v === 4294967295 ? cur : v);
  t.uid = keep(uid, t.uid);
  t.euid = keep(euid, t.euid);
  t.gid = keep(gid, t.gid);
  t.egid = keep(egid, t.egid);
};

const uidChange =
  (ruid: string, euid: string): Handler =>
  (rec, t, ok) => {
    if (ok) {
      setIds(t, num(rec.args[ruid]), num(rec.args[euid]));
      takeCaps(t, rec.args);
    }
    return undefined;
  };

const gidChange =
  (rgid: string, egid: string): Handler =>
  (rec, t, ok) => {
    if (ok) setIds(t, undefined, undefined, num(rec.args[rgid]), num(rec.args[egid]));
    return undefined;
  };

const capset: Handler = (rec, t, ok) => {
  if (ok) takeCaps(t, rec.args);
  return undefined;
};

// The kernel marks unlinked and pseudo files (a memfd) so; proc.exepath drops it, as the procfs snapshot does.
const DELETED = / \(deleted\)$/;

const exec: Handler = (rec, t, ok) => {
  if (!ok) return undefined;
  const a = rec.args;
  const argv = Array.isArray(a.args) ? a.args : [];
  const filename = str(a.filename) || str(a.name);
  t.exe = str(a.exe) || argv[0] || filename;
  t.args = argv.length > 0 && argv[0] === t.exe ? argv.slice(1) : argv;
  // trusted_exepath is the file the image runs (a memfd behind /proc/self/fd/N, a symlink's target);
  // filename, what the caller passed, stands in for records that lack it (older captures).
  const exepath = str(a.trusted_exepath);
  t.exepath = exepath ? exepath.replace(DELETED, '') : filename ? (resolveArg(t, filename, a.dirfd) ?? t.exepath) : t.exepath;
  t.comm = rec.comm;
  t.execTs = rec.ts;
  t.exeFromMemfd = (exepath || t.exepath).startsWith('/memfd:');
  // The record header carries the effective ids after the exec (a setuid binary changes them); the
  // real ids an exec never changes.
  t.euid = rec.uid;
  t.egid = rec.gid;
  t.loginuid = normaliseLoginuid(rec.loginuid);
  takeCaps(t, a);
  if (a.exe_ino !== undefined) {
    t.exeIno = num(a.exe_ino);
    t.exeInoCtime = big(a.exe_ino_ctime);
    t.exeInoMtime = big(a.exe_ino_mtime);
    t.exeUpperLayer = num(a.exe_upper_layer) === 1;
  }
  if (a.tty !== undefined) t.tty = num(a.tty);
  // An environment the record could not carry (no room left) keeps the one the image inherited.
  if (Array.isArray(a.env) && a.env.length > 0) t.env = a.env;
  closeOnExec(t.fds);
  return undefined;
};

/** vpgid: the group leader's pid as the thread's own namespace numbers it, when the table can tell. */
function vpgidOf(t: Thread, threads: ThreadTable): number {
  if (t.pgid === t.pid) return t.vpid;
  const leader = threads.get(t.pgid);
  return leader && leader.containerId === t.containerId ? leader.vpid : 0;
}

const fork: Handler = (rec, t, ok, m) => {
  const childTid = num(rec.args.childtid);
  if (!ok || !(childTid > 0)) return undefined;
  const flags = num(rec.args.flags) || 0;
  const isThread = (flags & CLONE_THREAD) !== 0;
  const vpid = num(rec.args.vpid);
  const child = makeThread({
    ...t,
    tid: childTid,
    pid: isThread ? t.pid : childTid,
    ppid: isThread ? t.ppid : t.pid,
    // The probe sends the child's pid in its own namespace (1 for a container's init); older captures do not.
    vpid: isThread ? t.vpid : vpid > 0 ? vpid : childTid,
    args: [...t.args],
    startTs: isThread ? t.startTs : rec.ts,
    fds: isThread || (flags & CLONE_FILES) !== 0 ? t.fds : new Map<number, Fd>([...t.fds].map(([n, fd]) => [n, copyFd(fd)])),
  });
  child.exited = false;
  if (!isThread) {
    child.vpgid = vpgidOf(child, m.threads);
    child.leaderExited = false;
  }
  m.threads.set(child);
  return undefined;
};

const procexit: Handler = (rec, t, _ok, m) => {
  m.forgetAfter(t.tid, rec.ts);
  return undefined;
};

/** Every thread of process `pid`: session and group are process-wide, the table keeps one copy a thread. */
function eachThreadOf(threads: ThreadTable, pid: number, fn: (t: Thread) => void): void {
  for (const t of threads.values()) if (t.pid === pid) fn(t);
}

const setsid: Handler = (_rec, t, ok, m) => {
  if (ok) {
    eachThreadOf(m.threads, t.pid, (x) => {
      x.sid = t.pid;
      x.pgid = t.pid;
      x.vpgid = t.vpid;
    });
  }
  return undefined;
};

/**
 * setpgid(pid, pgid) numbers both in the caller's pid namespace, 0 meaning the caller (pid) or the
 * target itself (pgid). A process may only move itself or a child, within its session.
 */
const setpgid: Handler = (rec, t, ok, m) => {
  if (!ok) return undefined;
  const pidArg = num(rec.args.pid);
  const pgidArg = num(rec.args.pgid);
  let target: Thread | undefined = t;
  if (pidArg !== 0 && pidArg !== t.vpid) {
    target = undefined;
    for (const c of m.threads.values()) if (c.ppid === t.pid && c.vpid === pidArg && c.tid === c.pid) target = c;
  }
  if (!target) return undefined;
  let pgid: number | undefined;
  if (pgidArg === 0 || pgidArg === target.vpid) pgid = target.pid;
  else if (pgidArg === t.vpid) pgid = t.pid;
  else for (const g of m.threads.values()) if (g.vpid === pgidArg && g.sid === target.sid && g.tid === g.pid) pgid = g.pid;
  if (pgid === undefined) return undefined;
  const newPgid = pgid;
  eachThreadOf(m.threads, target.pid, (x) => {
    x.pgid = newPgid;
    x.vpgid = vpgidOf(x, m.threads);
  });
  return undefined;
};

// An empty cwd means "not known" (proc.cwd reads <NA>, relative paths stay unresolved): a chdir
// relative to an unknown cwd, or an fchdir to an fd the table does not know, leaves it so rather
// than keeping the directory the process just left.
const chdir: Handler = (rec, t, ok) => {
  if (ok) t.cwd = resolveArg(t, rec.args.path) ?? '';
  return undefined;
};

const fchdir: Handler = (rec, t, ok) => {
  const fd = t.fds.get(num(rec.args.fd));
  if (ok) t.cwd = fd?.name ?? '';
  return fd;
};

export const PROCESS_HANDLERS: Readonly<Record<string, Handler>> = {
  execve: exec,
  execveat: exec,
  clone: fork,
  clone3: fork,
  fork,
  vfork: fork,
  procexit,
  setuid: uidChange('uid', 'uid'),
  setresuid: uidChange('ruid', 'euid'),
  setreuid: uidChange('ruid', 'euid'),
  setgid: gidChange('gid', 'gid'),
  setresgid: gidChange('rgid', 'egid'),
  setregid: gidChange('rgid', 'egid'),
  capset,
  setsid,
  setpgid,
  chdir,
  fchdir,
  chroot: () => undefined,
};

/**
 * An exec from a thread other than the leader: the kernel ended the leader (the probe does not report
 * that as an exit) and gave the calling thread its pid. The process's state lives on under the pid;
 * the caller's old tid is gone. Returns true when the table changed.
 */
export function takeOverLeader(rec: RawRecord, threads: ThreadTable): boolean {
  const oldTid = num(rec.args.old_tid);
  if (!(oldTid > 0) || oldTid === rec.tid || rec.res < 0) return false;
  const caller = threads.get(oldTid);
  threads.delete(oldTid);
  if (!threads.get(rec.tid) && caller) {
    caller.tid = rec.tid;
    threads.set(caller);
  }
  return true;
}
