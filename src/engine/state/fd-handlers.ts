// The fd table's handlers, one per syscall family: opens, closes and dups, sockets, pipes, memfds.
// Each returns the fd the event refers to (for the fd.* fields). The fd shapes and socket tuples
// they build come from fds.ts.

import type { Fd, RawRecord, Thread } from '../event.js';
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

/** Syscalls that only use an fd: the event refers to it, the table does not change. */
const usesFd: Handler = (rec, t) => t.fds.get(num(rec.args.fd));

const close: Handler = (rec, t, ok, m) => {
  const fd = t.fds.get(num(rec.args.fd));
  if (ok && fd) m.closeAfter(t.fds, fd.num);
  return fd;
};

const dup: Handler = (rec, t, ok) => {
  const old = t.fds.get(num(rec.args.oldfd));
  if (!ok || !old) return old;
  const copy = copyFd(old);
  copy.num = rec.res;
  copy.openFlags = rec.type === 'dup3' ? num(rec.args.flags) : old.openFlags & ~O_CLOEXEC;
  t.fds.set(rec.res, copy);
  return copy;
};

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;

/** fcntl's F_DUPFD and F_DUPFD_CLOEXEC are dups to the lowest free fd at or above the argument. */
const fcntl: Handler = (rec, t, ok) => {
  const old = t.fds.get(num(rec.args.fd));
  const cmd = num(rec.args.cmd);
  if (!ok || !old || (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC)) return old;
  const copy = copyFd(old);
  copy.num = rec.res;
  copy.openFlags = cmd === F_DUPFD_CLOEXEC ? old.openFlags | O_CLOEXEC : old.openFlags & ~O_CLOEXEC;
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
  const fd = accepted(ok ? rec.res : -1, listener, sockAddr(rec.args.addr), sockAddr(rec.args.laddr));
  if (ok) t.fds.set(rec.res, fd);
  return fd;
}

/** send/recv with an address: an unconnected (UDP) socket takes that exchange's tuple. */
const exchange =
  (sending: boolean): Handler =>
  (rec, t, ok, m) => {
    const fd = t.fds.get(num(rec.args.fd));
    return fd && ok ? renaming(fd, m, (f) => datagram(f, sockAddr(rec.args.tuple), sockAddr(rec.args.laddr), sending)) : fd;
  };

const memfdCreate: Handler = (rec, t, ok) => {
  const fd = makeFd(ok ? rec.res : -1, 'memfd', `memfd:${str(rec.args.name)}`, 0);
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
};
