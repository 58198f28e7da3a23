// The state machine: turns each RawRecord into a SyscallEvent while keeping the process and fd tables
// current. Removals (exit, close) take effect after the event, so the event itself still sees them.

import type { Fd, RawRecord, SyscallEvent, Thread } from '../event.js';
import {
  accepted,
  bound,
  closeOnExec,
  connected,
  datagram,
  fileFd,
  num,
  resolveArg,
  sockAddr,
  socketFd,
  str,
} from './fds.js';
import { copyFd, makeFd, makeThread } from './shapes.js';
import { normaliseLoginuid, ThreadTable } from './threads.js';

const CLONE_THREAD = 0x10000;
const CLONE_FILES = 0x400;

/** Where the state machine learns a thread's cgroup path and container id from. */
export interface CgroupSource {
  /** The cgroup path of a live task; undefined when it cannot be known (replay, task gone). */
  pathOf(pid: number, cgroupId: bigint): string | undefined;
  /** container.id for a cgroup path ("host" when it is no container's). */
  containerOf(cgroup: string): string;
}

/**
 * A handler applies one record to the calling thread's state and returns the fd the event refers
 * to. Positional arguments, not a `{ rec, t, ok }` bag: that bag was one allocation per event.
 */
type Handler = (rec: RawRecord, t: Thread, ok: boolean, m: StateMachine) => Fd | undefined;

const openHandler: Handler = (rec, t, ok) => {
  const a = rec.args;
  const name = resolveArg(t, a.name, a.dirfd);
  const flags = num(a.flags) || (rec.type === 'creat' ? 0o1101 : 0);
  const fd = fileFd(ok ? rec.res : -1, name, flags);
  // fd.nameraw: the path as the process passed it (Falco's directory traversal rule looks for '../').
  fd.nameRaw = str(a.name);
  if (a.dev !== undefined) fd.dev = num(a.dev);
  if (a.ino !== undefined) fd.ino = num(a.ino);
  if (ok) t.fds.set(rec.res, fd);
  return fd;
};

const argFd: Handler = (rec, t) => t.fds.get(num(rec.args.fd));

const dupHandler: Handler = (rec, t, ok) => {
  const old = t.fds.get(num(rec.args.oldfd));
  if (!ok || !old) return old;
  const copy = copyFd(old);
  copy.num = rec.res;
  copy.openFlags = rec.type === 'dup3' ? num(rec.args.flags) : old.openFlags & ~0o2000000;
  t.fds.set(rec.res, copy);
  return copy;
};

const setIds = (t: Thread, uid?: number, euid?: number, gid?: number, egid?: number): void => {
  const keep = (v: number | undefined, cur: number) => (v === undefined || Number.isNaN(v) || v === -1 || v === 4294967295 ? cur : v);
  t.uid = keep(uid, t.uid);
  t.euid = keep(euid, t.euid);
  t.gid = keep(gid, t.gid);
  t.egid = keep(egid, t.egid);
};

const HANDLERS: Record<string, Handler> = {
  open: openHandler,
  openat: openHandler,
  openat2: openHandler,
  creat: openHandler,
  close: (rec, t, ok, m) => {
    const fd = t.fds.get(num(rec.args.fd));
    if (ok && fd) m.closeAfter(t.fds, fd.num);
    return fd;
  },
  dup: dupHandler,
  dup2: dupHandler,
  dup3: dupHandler,
  socket: (rec, t, ok) => {
    const fd = socketFd(ok ? rec.res : -1, num(rec.args.domain), num(rec.args.type));
    if (ok) t.fds.set(rec.res, fd);
    return fd;
  },
  connect: (rec, t) => {
    const fd = t.fds.get(num(rec.args.fd)) ?? unknownSocket(num(rec.args.fd));
    if (!t.fds.has(fd.num) && fd.num >= 0) t.fds.set(fd.num, fd);
    return connected(fd, sockAddr(rec.args.addr), sockAddr(rec.args.laddr));
  },
  bind: (rec, t) => {
    const fd = t.fds.get(num(rec.args.fd));
    return fd ? bound(fd, sockAddr(rec.args.addr)) : undefined;
  },
  listen: argFd,
  accept: acceptHandler,
  accept4: acceptHandler,
  memfd_create: (rec, t, ok) => {
    const fd = makeFd(ok ? rec.res : -1, 'memfd', `memfd:${str(rec.args.name)}`, 0);
    if (ok) t.fds.set(rec.res, fd);
    return fd;
  },
  pipe: pipeHandler,
  pipe2: pipeHandler,
  chdir: (rec, t, ok) => {
    if (ok) t.cwd = resolveArg(t, rec.args.path);
    return undefined;
  },
  fchdir: (rec, t, ok) => {
    const fd = t.fds.get(num(rec.args.fd));
    if (ok && fd) t.cwd = fd.name;
    return fd;
  },
  chroot: () => undefined,
  setuid: (rec, t, ok) => (ok && setIds(t, num(rec.args.uid), num(rec.args.uid)), undefined),
  setgid: (rec, t, ok) => (ok && setIds(t, undefined, undefined, num(rec.args.gid), num(rec.args.gid)), undefined),
  setresuid: (rec, t, ok) => (ok && setIds(t, num(rec.args.ruid), num(rec.args.euid)), undefined),
  setreuid: (rec, t, ok) => (ok && setIds(t, num(rec.args.ruid), num(rec.args.euid)), undefined),
  setresgid: (rec, t, ok) => (ok && setIds(t, undefined, undefined, num(rec.args.rgid), num(rec.args.egid)), undefined),
  setregid: (rec, t, ok) => (ok && setIds(t, undefined, undefined, num(rec.args.rgid), num(rec.args.egid)), undefined),
  fchmod: argFd,
  fchown: argFd,
  read: argFd,
  write: argFd,
  sendto: sendHandler,
  sendmsg: sendHandler,
  recvfrom: recvHandler,
  recvmsg: recvHandler,
  fcntl: fcntlHandler,
  finit_module: argFd,
  setns: argFd,
  mmap: argFd,
  execve: execHandler,
  execveat: execHandler,
  clone: forkHandler,
  clone3: forkHandler,
  fork: forkHandler,
  vfork: forkHandler,
  procexit: (_rec, t, _ok, m) => {
    m.forgetAfter(t.tid);
    return undefined;
  },
};

/** A connect on an fd the table never saw open: a TCP socket of a type yet unknown. */
function unknownSocket(n: number): Fd {
  const fd = makeFd(n, 'unknown', '', 0);
  fd.l4proto = 'tcp';
  return fd;
}

function acceptHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  const listener = t.fds.get(num(rec.args.listenfd));
  const fd = accepted(ok ? rec.res : -1, listener, sockAddr(rec.args.addr), sockAddr(rec.args.laddr));
  if (ok) t.fds.set(rec.res, fd);
  return fd;
}

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;

/** fcntl's F_DUPFD and F_DUPFD_CLOEXEC are dups to the lowest free fd at or above the argument. */
function fcntlHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  const old = t.fds.get(num(rec.args.fd));
  const cmd = num(rec.args.cmd);
  if (!ok || !old || (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC)) return old;
  const copy = copyFd(old);
  copy.num = rec.res;
  copy.openFlags = cmd === F_DUPFD_CLOEXEC ? old.openFlags | 0o2000000 : old.openFlags & ~0o2000000;
  t.fds.set(rec.res, copy);
  return old;
}

function sendHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  const fd = t.fds.get(num(rec.args.fd));
  return fd && ok ? datagram(fd, sockAddr(rec.args.tuple), sockAddr(rec.args.laddr), true) : fd;
}

function recvHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  const fd = t.fds.get(num(rec.args.fd));
  return fd && ok ? datagram(fd, sockAddr(rec.args.tuple), sockAddr(rec.args.laddr), false) : fd;
}

function pipeHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  if (!ok) return undefined;
  // Named as /proc names them, pipe:[ino]: the same name whether the table learnt the pipe here or
  // from the /proc snapshot. Records without the inode (older captures) leave it empty.
  const ino = num(rec.args.ino);
  const name = ino > 0 ? `pipe:[${ino}]` : '';
  const fds = [num(rec.args.fd1), num(rec.args.fd2)].map((n) => makeFd(n, 'pipe', name, num(rec.args.flags) || 0));
  for (const fd of fds) {
    if (ino > 0) fd.ino = ino;
    t.fds.set(fd.num, fd);
  }
  return fds[0];
}

// The kernel marks unlinked and pseudo files (a memfd) so; proc.exepath drops it, as the procfs snapshot does.
const DELETED = / \(deleted\)$/;

function execHandler(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  if (!ok) return undefined;
  const argv = Array.isArray(rec.args.args) ? rec.args.args : [];
  const filename = str(rec.args.filename) || str(rec.args.name);
  t.exe = str(rec.args.exe) || argv[0] || filename;
  t.args = argv.length > 0 && argv[0] === t.exe ? argv.slice(1) : argv;
  // trusted_exepath is the file the image runs (a memfd behind /proc/self/fd/N, a symlink's target);
  // filename, what the caller passed, stands in for records that lack it (older captures).
  const exepath = str(rec.args.trusted_exepath);
  t.exepath = exepath ? exepath.replace(DELETED, '') : filename ? resolveArg(t, filename, rec.args.dirfd) : t.exepath;
  t.comm = rec.comm;
  t.execTs = rec.ts;
  t.exeFromMemfd = (exepath || t.exepath).startsWith('/memfd:');
  // The record header carries the effective ids after the exec (a setuid binary changes them); the
  // real ids an exec never changes.
  t.euid = rec.uid;
  t.egid = rec.gid;
  t.loginuid = normaliseLoginuid(rec.loginuid);
  closeOnExec(t.fds);
  return undefined;
}

function forkHandler(rec: RawRecord, t: Thread, ok: boolean, m: StateMachine): Fd | undefined {
  const childTid = num(rec.args.childtid);
  if (!ok || !(childTid > 0)) return undefined;
  const flags = num(rec.args.flags) || 0;
  const isThread = (flags & CLONE_THREAD) !== 0;
  const child = makeThread({
    ...t,
    tid: childTid,
    pid: isThread ? t.pid : childTid,
    ppid: isThread ? t.ppid : t.pid,
    vpid: isThread ? t.vpid : childTid,
    args: [...t.args],
    startTs: isThread ? t.startTs : rec.ts,
    fds: isThread || (flags & CLONE_FILES) !== 0 ? t.fds : new Map([...t.fds].map(([n, fd]) => [n, copyFd(fd)])),
  });
  m.threads.set(child);
  return undefined;
}

export class StateMachine {
  readonly threads: ThreadTable;
  private seq = 0;
  // Removals the previous event scheduled (a close, an exit), run before the next event is applied.
  // Plain fields rather than a closure: a close is a third of a busy host's events.
  private closeFds: Map<number, Fd> | undefined;
  private closeNum = 0;
  private exitTid = -1;

  constructor(threads: ThreadTable, private readonly cgroups: CgroupSource) {
    this.threads = threads;
  }

  /** Applies one record to the tables and returns the event that rules see. */
  apply(rec: RawRecord): SyscallEvent {
    if (this.closeFds !== undefined) {
      this.closeFds.delete(this.closeNum);
      this.closeFds = undefined;
    }
    if (this.exitTid >= 0) {
      this.threads.delete(this.exitTid);
      this.exitTid = -1;
    }
    const t = this.threadFor(rec);
    const handler = HANDLERS[rec.type];
    const fd = handler ? handler(rec, t, rec.res >= 0, this) : undefined;
    return { num: ++this.seq, ts: rec.ts, type: rec.type, dir: '<', tid: rec.tid, res: rec.res, args: rec.args, thread: t, fd };
  }

  /** Removes fd `n` from `fds` once the current event has been evaluated. */
  closeAfter(fds: Map<number, Fd>, n: number): void {
    this.closeFds = fds;
    this.closeNum = n;
  }

  /** Forgets thread `tid` once the current event has been evaluated. */
  forgetAfter(tid: number): void {
    this.exitTid = tid;
  }

  private threadFor(rec: RawRecord): Thread {
    const known = this.threads.get(rec.tid);
    if (known && known.pid === rec.pid) {
      // The header is the kernel's word on identity; keep ids that changed behind our back current.
      known.ppid = rec.ppid || known.ppid;
      if (rec.cgroup !== undefined) {
        if (rec.cgroup !== known.cgroup) this.setCgroup(known, rec.cgroup);
      } else if (rec.cgroupId !== 0n && rec.cgroupId !== known.cgroupId) {
        // Moved to another cgroup (runc moves a container's first process before it execs).
        const path = this.cgroups.pathOf(rec.pid, rec.cgroupId);
        if (path !== undefined) this.setCgroup(known, path);
        known.cgroupId = rec.cgroupId;
      }
      return known;
    }
    const cgroup = rec.cgroup ?? this.cgroups.pathOf(rec.pid, rec.cgroupId) ?? this.threads.get(rec.ppid)?.cgroup ?? '/';
    const t = this.threads.adopt(rec, (c) => this.cgroups.containerOf(c), cgroup);
    t.cgroupId = rec.cgroupId;
    return t;
  }

  private setCgroup(t: Thread, cgroup: string): void {
    t.cgroup = cgroup;
    t.containerId = this.cgroups.containerOf(cgroup);
  }
}

