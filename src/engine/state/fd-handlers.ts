// The fd table's handlers, one per syscall family: opens, closes and dups, sockets, pipes, memfds.
// Each returns the fd the event refers to (for the fd.* fields). The fd shapes and socket tuples
// they build come from fds.ts.

import type { Fd, FdType, RawRecord, Thread } from '../event.js';
import { accepted, bound, connected, datagram, fileFd, num, O_CLOEXEC, resolveArg, sockAddr, socketFd, str } from './fds.js';
import type { Handler, StateHooks } from './handler.js';
import { copyFd, makeFd } from './shapes.js';

const open: Handler = (rec, t, ok) => {
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

/**
 * An fd whose origin the monitor did not see: received over SCM_RIGHTS, inherited before a snapshot
 * that missed it, made by a syscall the probe does not capture. Its number is known, its type and
 * name are not (fd.name reads <NA>): nothing is borrowed from the cwd or from another fd.
 */
function unseenFd(n: number): Fd {
  return makeFd(n, 'unknown', undefined, 0);
}

/** An argument that can name an fd (not a missing value, not AT_FDCWD or another negative). */
const isFdNumber = (n: number): boolean => !Number.isNaN(n) && n >= 0;

/**
 * The table's fd `n`, or, when the table does not have it, an unseen one. When the syscall succeeded
 * the fd exists, so the stub is kept: later events on it share it, and its close removes it.
 */
function fdOrUnseen(t: Thread, n: number, ok: boolean): Fd | undefined {
  const fd = t.fds.get(n);
  if (fd !== undefined || !isFdNumber(n)) return fd;
  const unseen = unseenFd(n);
  if (ok) t.fds.set(n, unseen);
  return unseen;
}

/** Syscalls that only use an fd: the event refers to it; the table only learns of an fd it never saw. */
const usesFd: Handler = (rec, t, ok) => fdOrUnseen(t, num(rec.args.fd), ok);

const close: Handler = (rec, t, ok, m) => {
  const n = num(rec.args.fd);
  const fd = t.fds.get(n);
  if (ok && fd) m.closeAfter(t.fds, fd.num);
  return fd ?? (isFdNumber(n) ? unseenFd(n) : undefined);
};

/**
 * A copy of `old` as fd `res`. A copy of an fd the table does not know is itself unknown: the new
 * number's previous entry (a stale one) must not stand in for it.
 */
function copyOf(old: Fd | undefined, res: number): Fd {
  const copy = old ? copyFd(old) : unseenFd(res);
  copy.num = res;
  return copy;
}

const dup: Handler = (rec, t, ok) => {
  const old = t.fds.get(num(rec.args.oldfd));
  if (!ok) return old;
  const copy = copyOf(old, rec.res);
  // dup and dup2 clear close-on-exec on the copy; dup3 sets it from its flags (O_CLOEXEC or 0).
  copy.openFlags = rec.type === 'dup3' ? (copy.openFlags & ~O_CLOEXEC) | (num(rec.args.flags) & O_CLOEXEC) : copy.openFlags & ~O_CLOEXEC;
  t.fds.set(rec.res, copy);
  return copy;
};

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;

/** fcntl's F_DUPFD and F_DUPFD_CLOEXEC are dups to the lowest free fd at or above the argument. */
const fcntl: Handler = (rec, t, ok) => {
  const n = num(rec.args.fd);
  const cmd = num(rec.args.cmd);
  const old = fdOrUnseen(t, n, ok);
  // F_SETFD would set or clear close-on-exec, but the probe does not send its argument: the flag
  // the table holds stays as the open, socket or dup set it.
  if (!ok || (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC)) return old;
  const copy = copyOf(t.fds.get(n), rec.res);
  copy.openFlags = cmd === F_DUPFD_CLOEXEC ? copy.openFlags | O_CLOEXEC : copy.openFlags & ~O_CLOEXEC;
  t.fds.set(rec.res, copy);
  return old;
};

const socket: Handler = (rec, t, ok) => {
  const fd = socketFd(ok ? rec.res : -1, num(rec.args.domain), num(rec.args.type));
  if (ok) t.fds.set(rec.res, fd);
  return fd;
};

/** A connect on an fd the table never saw open: a TCP socket of a type yet unknown. */
function unknownSocket(n: number): Fd {
  const fd = makeFd(n, 'unknown', '', 0);
  fd.l4proto = 'tcp';
  return fd;
}

/** Runs a change of an fd's tuple and tells the state machine when it renamed the fd. */
function renaming(fd: Fd, m: StateHooks, change: (fd: Fd) => Fd): Fd {
  const before = fd.name;
  const after = change(fd);
  if (after.name !== before) m.nameChanged();
  return after;
}

const connect: Handler = (rec, t, _ok, m) => {
  const fd = t.fds.get(num(rec.args.fd)) ?? unknownSocket(num(rec.args.fd));
  if (!t.fds.has(fd.num) && fd.num >= 0) t.fds.set(fd.num, fd);
  return renaming(fd, m, (f) => connected(f, sockAddr(rec.args.addr), sockAddr(rec.args.laddr)));
};

const bind: Handler = (rec, t) => {
  const fd = t.fds.get(num(rec.args.fd));
  return fd ? bound(fd, sockAddr(rec.args.addr)) : undefined;
};

function accept(rec: RawRecord, t: Thread, ok: boolean): Fd | undefined {
  const listener = t.fds.get(num(rec.args.listenfd));
  const fd = accepted(ok ? rec.res : -1, listener, sockAddr(rec.args.addr), sockAddr(rec.args.laddr), num(rec.args.flags) || 0);
  if (ok) t.fds.set(rec.res, fd);
  return fd;
}

/** send/recv with an address: an unconnected (UDP) socket takes that exchange's tuple. */
const exchange =
  (sending: boolean): Handler =>
  (rec, t, ok, m) => {
    const fd = fdOrUnseen(t, num(rec.args.fd), ok);
    return fd && ok ? renaming(fd, m, (f) => datagram(f, sockAddr(rec.args.tuple), sockAddr(rec.args.laddr), sending)) : fd;
  };

const MFD_CLOEXEC = 1;

const memfdCreate: Handler = (rec, t, ok) => {
  const cloexec = num(rec.args.flags) & MFD_CLOEXEC ? O_CLOEXEC : 0;
  const fd = makeFd(ok ? rec.res : -1, 'memfd', `memfd:${str(rec.args.name)}`, cloexec);
  if (ok) t.fds.set(rec.res, fd);
  return fd;
};

const pipe: Handler = (rec, t, ok) => {
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
};

/**
 * Syscalls whose result is a new fd of one anonymous kind, named as /proc names it. The kernel sets
 * close-on-exec on pidfds (pidfd_open, pidfd_getfd) and io_uring fds whatever the caller asks;
 * userfaultfd takes O_CLOEXEC in its flags. pidfd_getfd's fd is a copy of another process's fd
 * that the table does not follow across processes: its type and name stay unknown.
 */
const newFd =
  (type: FdType, name: string | undefined, cloexec: (rec: RawRecord) => number): Handler =>
  (rec, t, ok) => {
    if (!ok) return undefined;
    const fd = makeFd(rec.res, type, name, cloexec(rec));
    t.fds.set(rec.res, fd);
    return fd;
  };

const ALWAYS_CLOEXEC = (): number => O_CLOEXEC;

export const FD_HANDLERS: Readonly<Record<string, Handler>> = {
  open,
  openat: open,
  openat2: open,
  creat: open,
  close,
  dup,
  dup2: dup,
  dup3: dup,
  fcntl,
  socket,
  connect,
  bind,
  listen: usesFd,
  accept,
  accept4: accept,
  sendto: exchange(true),
  sendmsg: exchange(true),
  recvfrom: exchange(false),
  recvmsg: exchange(false),
  memfd_create: memfdCreate,
  pipe,
  pipe2: pipe,
  fchmod: usesFd,
  fchown: usesFd,
  read: usesFd,
  write: usesFd,
  finit_module: usesFd,
  setns: usesFd,
  mmap: usesFd,
  pidfd_open: newFd('unknown', 'anon_inode:[pidfd]', ALWAYS_CLOEXEC),
  pidfd_getfd: newFd('unknown', undefined, ALWAYS_CLOEXEC),
  userfaultfd: newFd('userfaultfd', 'anon_inode:[userfaultfd]', (rec) => num(rec.args.flags) & O_CLOEXEC),
  io_uring_setup: newFd('io_uring', 'anon_inode:[io_uring]', ALWAYS_CLOEXEC),
};
