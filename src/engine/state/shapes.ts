// One object shape per kind of table entry. Field extractors (`e.fd?.name`, `e.thread.comm`) run for
// every event; when threads and fds come in several shapes (seeded from /proc, adopted, forked,
// opened, accepted, or gaining `cip`/`dev`/`cgroupId` later) those loads turn polymorphic and slow.
// So every Thread and Fd the tables hold is built here, with every optional property present
// (undefined until known) and in one order: adding a value later keeps the shape.

import type { Fd, FdType, Thread } from '../event.js';

/** A new fd with no socket, rename or inode facts yet. */
export function makeFd(num: number, type: FdType, name: string | undefined, openFlags: number): Fd {
  return {
    num,
    type,
    name,
    openFlags,
    l4proto: undefined,
    cip: undefined,
    cport: undefined,
    sip: undefined,
    sport: undefined,
    isServer: undefined,
    connected: undefined,
    nameRaw: undefined,
    dev: undefined,
    ino: undefined,
  };
}

/** A copy of any Fd (a dup, a forked table, a snapshot's fd) in the table's shape. */
export function copyFd(f: Fd): Fd {
  const fd = makeFd(f.num, f.type, f.name, f.openFlags);
  fd.l4proto = f.l4proto;
  fd.cip = f.cip;
  fd.cport = f.cport;
  fd.sip = f.sip;
  fd.sport = f.sport;
  fd.isServer = f.isServer;
  fd.connected = f.connected;
  fd.nameRaw = f.nameRaw;
  fd.dev = f.dev;
  fd.ino = f.ino;
  return fd;
}

/** Any Thread-shaped value (a snapshot spread, an adopted or forked thread) in the table's shape. */
export function makeThread(t: Thread): Thread {
  return {
    tid: t.tid,
    pid: t.pid,
    ppid: t.ppid,
    comm: t.comm,
    exe: t.exe,
    exepath: t.exepath,
    args: t.args,
    cwd: t.cwd,
    uid: t.uid,
    gid: t.gid,
    euid: t.euid,
    egid: t.egid,
    loginuid: t.loginuid,
    tty: t.tty,
    sid: t.sid,
    pgid: t.pgid,
    vpid: t.vpid,
    vpgid: t.vpgid,
    cgroup: t.cgroup,
    cgroupId: t.cgroupId,
    containerId: t.containerId,
    startTs: t.startTs,
    execTs: t.execTs,
    env: t.env,
    capEffective: t.capEffective,
    capPermitted: t.capPermitted,
    capInheritable: t.capInheritable,
    exeUpperLayer: t.exeUpperLayer,
    exeFromMemfd: t.exeFromMemfd,
    exeIno: t.exeIno,
    exeInoCtime: t.exeInoCtime,
    exeInoMtime: t.exeInoMtime,
    leaderExited: t.leaderExited ?? false,
    exited: t.exited ?? false,
    fds: t.fds,
  };
}
