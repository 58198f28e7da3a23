// The fd table side of the state machine: what each file, socket and fd-copying syscall does to the
// calling process's fds. Each handler returns the fd the event refers to, for the fd.* fields.

import type { ArgValue, Fd, FdType, L4Proto, SockAddr, Thread } from '../event.js';
import { AT_FDCWD, resolvePath } from './paths.js';
import { makeFd } from './shapes.js';

export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;
export const O_TMPFILE = 0o20000000 | O_DIRECTORY;

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const SOCK_TYPE_MASK = 0xf;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;

export function num(v: ArgValue): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : NaN;
}

export function str(v: ArgValue): string {
  return typeof v === 'string' ? v : '';
}

function isSockAddr(v: ArgValue): v is SockAddr {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'family' in v;
}

export function sockAddr(v: ArgValue): SockAddr | undefined {
  return isSockAddr(v) ? v : undefined;
}

/**
 * The directory a *at syscall resolves a relative path against, or undefined when the monitor does
 * not know it: a dirfd the table never saw open (passed over SCM_RIGHTS, taken with pidfd_getfd, open
 * before a snapshot that missed it), one whose own path is unknown, or an unknown cwd. Never the cwd
 * in place of an unknown dirfd: that was a guess that named files in the wrong directory.
 */
export function baseDir(t: Thread, dirfd: ArgValue): string | undefined {
  const n = num(dirfd);
  if (Number.isNaN(n) || n === AT_FDCWD) return t.cwd || undefined;
  const fd = t.fds.get(n);
  // A directory opened without O_DIRECTORY is typed 'file'; anything else (a socket) is ENOTDIR.
  return fd !== undefined && (fd.type === 'directory' || fd.type === 'file') ? fd.name : undefined;
}

/**
 * Resolves a path argument of an event against dirfd or the cwd: absolute paths always, relative
 * ones when their base is known; undefined otherwise.
 */
export function resolveArg(t: Thread, path: ArgValue, dirfd?: ArgValue): string | undefined {
  const p = str(path);
  if (p === '' || p.charCodeAt(0) === 47 /* '/' */) return resolvePath('/', p);
  const base = dirfd === undefined ? t.cwd || undefined : baseDir(t, dirfd);
  return base === undefined ? undefined : resolvePath(base, p);
}

export function fileFd(numFd: number, name: string | undefined, flags: number): Fd {
  const type: FdType = (flags & O_DIRECTORY) === O_DIRECTORY && (flags & O_TMPFILE) !== O_TMPFILE ? 'directory' : 'file';
  return makeFd(numFd, type, name, flags);
}

function addrText(a: SockAddr | undefined): { ip?: string; port?: number; text: string } {
  if (!a) return { text: '' };
  if (a.family === 'ipv4') return { ip: a.ip, port: a.port, text: `${a.ip}:${a.port}` };
  if (a.family === 'ipv6') return { ip: a.ip, port: a.port, text: `${a.ip}:${a.port}` };
  if (a.family === 'unix') return { text: a.path };
  return { text: '' };
}

/**
 * SOCK_CLOEXEC and SOCK_NONBLOCK have O_CLOEXEC's and O_NONBLOCK's values (socket(2), accept4(2)), so a
 * socket keeps them in openFlags and closeOnExec treats it like a file opened with O_CLOEXEC.
 */
export const SOCK_FLAGS = O_CLOEXEC | 0o4000;

export function socketFd(numFd: number, domain: number, type: number): Fd {
  const fdType: FdType = domain === AF_INET ? 'ipv4' : domain === AF_INET6 ? 'ipv6' : domain === AF_UNIX ? 'unix' : domain === AF_NETLINK ? 'netlink' : 'unknown';
  const base = type & SOCK_TYPE_MASK;
  const l4proto: L4Proto = base === SOCK_STREAM ? 'tcp' : base === SOCK_DGRAM ? 'udp' : base === SOCK_RAW ? 'raw' : 'unknown';
  const fd = makeFd(numFd, fdType, '', type & SOCK_FLAGS);
  fd.l4proto = l4proto;
  return fd;
}

type Endpoint = ReturnType<typeof addrText>;

/** One end as fd.name shows it: the address the probe sent, else the one the fd already knew. */
function endText(sent: Endpoint, ip: string | undefined, port: number | undefined): string {
  return sent.text || (ip !== undefined ? `${ip}:${port}` : '');
}

/** This process is the client of an inet exchange with `p` from `l`: fd.name is local->peer. */
function asClient(fd: Fd, p: Endpoint, l: Endpoint): void {
  fd.isServer = false;
  fd.sip = p.ip;
  fd.sport = p.port;
  fd.cip = l.ip ?? fd.cip;
  fd.cport = l.port ?? fd.cport;
  fd.name = `${endText(l, fd.cip, fd.cport)}->${p.text}`;
}

/** This process is the server of an inet exchange with `p` on `l`: fd.name is peer->local. */
function asServer(fd: Fd, p: Endpoint, l: Endpoint): void {
  fd.isServer = true;
  fd.cip = p.ip;
  fd.cport = p.port;
  fd.sip = l.ip ?? fd.sip;
  fd.sport = l.port ?? fd.sport;
  fd.name = `${p.text}->${endText(l, fd.sip, fd.sport)}`;
}

/** The fd a connect refers to, updated with the peer: this process is the client end. */
export function connected(fd: Fd, peer: SockAddr | undefined, local: SockAddr | undefined): Fd {
  const p = addrText(peer);
  if (peer?.family === 'unix') {
    fd.type = 'unix';
    fd.name = peer.path;
  } else if (p.ip !== undefined) {
    if (fd.type === 'unknown') fd.type = peer?.family === 'ipv6' ? 'ipv6' : 'ipv4';
    asClient(fd, p, addrText(local));
  }
  fd.isServer = false;
  fd.connected = true;
  return fd;
}

/**
 * A new fd from accept: this process is the server end, the peer is the client. The server address is
 * the accepted socket's own local end when the probe sent it (a listener bound to 0.0.0.0 accepts on
 * a real address), else the listener's bound address.
 */
export function accepted(numFd: number, known: Fd | undefined, peer: SockAddr | undefined, local?: SockAddr, flags = 0): Fd {
  // A listener the table holds only as an unseen stub (its type unknown) tells nothing: the peer does.
  const listener = known?.type === 'unknown' ? undefined : known;
  // accept4's SOCK_CLOEXEC/SOCK_NONBLOCK; the new socket never inherits the listener's flags.
  const fd = makeFd(numFd, listener?.type ?? (peer?.family === 'ipv6' ? 'ipv6' : peer?.family === 'unix' ? 'unix' : 'ipv4'), '', flags & SOCK_FLAGS);
  fd.l4proto = listener?.l4proto ?? 'tcp';
  const l = addrText(local);
  fd.sip = l.ip ?? listener?.sip;
  fd.sport = l.port ?? listener?.sport;
  fd.isServer = true;
  fd.connected = true;
  const p = addrText(peer);
  if (peer?.family === 'unix' || fd.type === 'unix') {
    fd.name = listener?.name ?? p.text;
  } else {
    fd.cip = p.ip;
    fd.cport = p.port;
    fd.name = `${p.text}->${fd.sip ?? ''}:${fd.sport ?? ''}`;
  }
  return fd;
}

/**
 * A send or receive with an address on a socket that is not connected (UDP): the fd takes that
 * exchange's tuple, as Falco does. Sending makes this process the client (local->peer); receiving
 * makes it the server (peer->local). A connected socket, or a call without an inet address, is left
 * as it is.
 */
export function datagram(fd: Fd, peer: SockAddr | undefined, local: SockAddr | undefined, sending: boolean): Fd {
  if (fd.connected || (peer?.family !== 'ipv4' && peer?.family !== 'ipv6')) return fd;
  if (fd.type === 'unknown') fd.type = peer.family;
  (sending ? asClient : asServer)(fd, addrText(peer), addrText(local));
  return fd;
}

/** bind records the local address, which accept later reports as the server end. */
export function bound(fd: Fd, local: SockAddr | undefined): Fd {
  const l = addrText(local);
  if (local?.family === 'unix') fd.name = local.path;
  else if (l.ip !== undefined) {
    fd.sip = l.ip;
    fd.sport = l.port;
    fd.name = l.text;
  }
  return fd;
}

/** Drops the fds marked close-on-exec, as the kernel does on a successful execve. */
export function closeOnExec(fds: Map<number, Fd>): void {
  // forEach with a hoisted callback: `for (const [n, fd] of fds)` allocates an entry per fd.
  fds.forEach(dropIfCloexec);
}

function dropIfCloexec(fd: Fd, n: number, fds: Map<number, Fd>): void {
  if (fd.openFlags & O_CLOEXEC) fds.delete(n);
}
