// Field class `fd`: the file descriptor the event refers to (evt.fd) — files, sockets, pipes...
// Socket ends: c = client (the side that called connect), s = server; l/r = local/remote from the
// point of view of this process (the server end is local when the fd came from accept).

import type { EngineContext, Fd, FdType, SyscallEvent } from '../event.js';
import { indexed, plain, type FieldClass, type FieldDescriptor, type SomeTester } from './types.js';

const TYPECHAR = new Map<FdType, string>([
  ['file', 'f'], ['directory', 'd'], ['ipv4', '4'], ['ipv6', '6'], ['unix', 'u'], ['pipe', 'p'], ['event', 'e'],
  ['signalfd', 's'], ['eventpoll', 'l'], ['inotify', 'i'], ['timerfd', 't'], ['netlink', 'n'], ['memfd', 'm'],
  ['bpf', 'b'], ['userfaultfd', 'u'], ['io_uring', 'r'], ['unknown', 'o'],
]);

const isFile = (fd: Fd): boolean => fd.type === 'file' || fd.type === 'memfd';
const isIp = (fd: Fd): boolean => fd.type === 'ipv4' || fd.type === 'ipv6';

// Extractors here are written out one per field rather than made by a shared factory: closures
// from one factory share V8's call feedback, which turns every field's inner call megamorphic.

// Several rules read fd.directory of one event (each predicate extracts it once): remember the last
// answer so they share one slice instead of each allocating its own.
let lastPath = '';
let lastDir = '/';

const dirname = (p: string): string => {
  if (p === lastPath) return lastDir;
  const i = p.lastIndexOf('/');
  lastDir = i <= 0 ? '/' : p.slice(0, i);
  lastPath = p;
  return lastDir;
};

const localIp = (fd: Fd | undefined) => fd && (fd.isServer ? fd.sip : fd.cip);
const remoteIp = (fd: Fd | undefined) => fd && (fd.isServer ? fd.cip : fd.sip);
const localPort = (fd: Fd | undefined) => fd && (fd.isServer ? fd.sport : fd.cport);
const remotePort = (fd: Fd | undefined) => fd && (fd.isServer ? fd.cport : fd.sport);

/** The event's fd when it is an IP socket: socket fields are <NA> on files (`fd.sport = 80`). */
const ipFd = (evt: SyscallEvent): Fd | undefined => {
  const fd = evt.fd;
  return fd !== undefined && (fd.type === 'ipv4' || fd.type === 'ipv6') ? fd : undefined;
};

/**
 * DNS names of socket ends, as libsinsp answers them: not reverse lookups, but the names the loaded
 * rules compare the field with, resolved by `falconet run` every 10 s (src/metadata/dns). In a
 * condition every such name whose addresses hold the IP is a candidate (`fd.sip.name = a` holds when
 * a's addresses include fd.sip, whichever other names also do); as a value (outputs) the first of
 * them in rule order. <NA> for other IPs and where nothing resolves names (replays). Made by a factory
 * despite the note above: few rules read these four, and only on connect/accept-like events.
 */
const dnsName = (name: string, which: string, ip: (fd: Fd | undefined) => string | undefined): FieldDescriptor => {
  const namesOf = (e: SyscallEvent, ctx: EngineContext): readonly string[] | undefined => {
    const a = ip(ipFd(e));
    return a === undefined ? undefined : ctx.dnsNames?.(a);
  };
  const some: SomeTester = (e, ctx, test) => {
    const names = namesOf(e, ctx);
    if (names === undefined) return false;
    for (const n of names) if (test(n)) return true;
    return false;
  };
  const desc = `the domain name of the ${which} IP address: one of the names the rules compare this field with whose resolved addresses hold it (falconet run resolves them every 10 s; no reverse lookups).`;
  return plain(name, 'string', desc, (e, ctx) => namesOf(e, ctx)?.[0], { multi: () => 'any', some: () => some });
};

/** fd.types: the distinct types of the process's open fds; fd.types[N]: the type of fd N. */
const fdTypes = indexed(
  'fd.types',
  'string',
  "the types of the process's open fds, as a list; fd.types[N] for the type of fd N.",
  (n) => (evt) => evt.thread.fds.get(n)?.type,
  (evt) => {
    const seen: string[] = [];
    for (const fd of evt.thread.fds.values()) if (!seen.includes(fd.type)) seen.push(fd.type);
    return seen.length ? seen : undefined;
  },
  { multi: (a) => (a === undefined ? 'list' : undefined) },
);

export const fdFields: FieldClass = {
  name: 'fd',
  desc: 'File descriptor fields: the fd the event refers to, files as well as sockets.',
  fields: [
    plain('fd.num', 'number', 'the fd number (-1 for an open that failed).', (e) => e.fd?.num),
    plain('fd.type', 'string', "the fd type: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, memfd, bpf...", (e) => e.fd?.type),
    plain('fd.typechar', 'string', "the fd type as one character: f file, d directory, 4 ipv4, 6 ipv6, u unix, p pipe, e event, s signalfd, l eventpoll, i inotify, t timerfd, n netlink, m memfd, b bpf, o unknown.", (e) => {
      const fd = e.fd;
      if (fd === undefined) return undefined;
      // Files first: open rules test fd.typechar='f' on every open, and a Map lookup costs more.
      return fd.type === 'file' ? 'f' : TYPECHAR.get(fd.type);
    }),
    plain('fd.name', 'string', 'the full name: the path of a file, the connection tuple of a socket.', (e) => e.fd?.name),
    plain('fd.nameraw', 'string', 'the file name as the process passed it, before path resolution.', (e) => e.fd?.nameRaw),
    plain('fd.directory', 'string', 'for files, the directory that contains the file; for directories, the directory itself.', (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : fd.type === 'directory' ? fd.name : isFile(fd) && fd.name ? dirname(fd.name) : undefined;
    }),
    plain('fd.filename', 'string', 'for files, the file name without its path.', (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : isFile(fd) && fd.name ? fd.name.slice(fd.name.lastIndexOf('/') + 1) : undefined;
    }),
    plain('fd.ip', 'ipaddr', '(filter only) matches the client or the server IP address of the fd.', (e) => ipFd(e)?.cip, { alternatives: ['fd.cip', 'fd.sip'] }),
    plain('fd.cip', 'ipaddr', 'client IP address.', (e) => ipFd(e)?.cip),
    plain('fd.sip', 'ipaddr', 'server IP address.', (e) => ipFd(e)?.sip),
    plain('fd.lip', 'ipaddr', 'local IP address.', (e) => localIp(ipFd(e))),
    plain('fd.rip', 'ipaddr', 'remote IP address.', (e) => remoteIp(ipFd(e))),
    plain('fd.port', 'port', '(filter only) matches the client or the server port of the fd.', (e) => ipFd(e)?.cport, { alternatives: ['fd.cport', 'fd.sport'] }),
    plain('fd.cport', 'port', 'for TCP/UDP fds, the client port.', (e) => ipFd(e)?.cport),
    plain('fd.sport', 'port', 'for TCP/UDP fds, the server port.', (e) => ipFd(e)?.sport),
    plain('fd.lport', 'port', 'for TCP/UDP fds, the local port.', (e) => localPort(ipFd(e))),
    plain('fd.rport', 'port', 'for TCP/UDP fds, the remote port.', (e) => remotePort(ipFd(e))),
    plain('fd.net', 'ipnet', '(filter only) matches the client or the server IP network of the fd.', (e) => ipFd(e)?.cip, { alternatives: ['fd.cnet', 'fd.snet'] }),
    plain('fd.cnet', 'ipnet', 'client IP network (compare with a CIDR: fd.cnet = 10.0.0.0/8).', (e) => ipFd(e)?.cip),
    plain('fd.snet', 'ipnet', 'server IP network.', (e) => ipFd(e)?.sip),
    plain('fd.lnet', 'ipnet', 'local IP network.', (e) => localIp(ipFd(e))),
    plain('fd.rnet', 'ipnet', 'remote IP network.', (e) => remoteIp(ipFd(e))),
    plain('fd.l4proto', 'string', "the IP protocol of a socket: tcp, udp, icmp or raw.", (e) => ipFd(e)?.l4proto),
    plain('fd.sockfamily', 'string', "the socket family: ip or unix.", (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : (isIp(fd) ? 'ip' : fd.type === 'unix' ? 'unix' : undefined);
    }),
    plain('fd.is_server', 'bool', 'true if the process is the server end of the connection.', (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : (isIp(fd) || fd.type === 'unix' ? fd.isServer === true : undefined);
    }),
    plain('fd.connected', 'bool', 'for sockets, true if the socket is connected.', (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : (isIp(fd) || fd.type === 'unix' ? fd.connected === true : undefined);
    }),
    plain('fd.name_changed', 'bool', "true when the event changed the fd's name (an unconnected UDP socket's tuple moved to another peer, a connect).", (e) =>
      e.fd === undefined ? undefined : e.fdNameChanged === true,
    ),
    plain('fd.dev', 'number', 'the device number of the file.', (e) => e.fd?.dev),
    plain('fd.ino', 'number', 'the inode number of the file.', (e) => e.fd?.ino),
    plain('fd.openflags', 'number', 'the flags the file was opened with.', (e) => {
      const fd = e.fd;
      return fd === undefined ? undefined : (isFile(fd) || fd.type === 'directory' ? fd.openFlags : undefined);
    }),
    fdTypes,
    dnsName('fd.cip.name', 'client', (fd) => fd?.cip),
    dnsName('fd.sip.name', 'server', (fd) => fd?.sip),
    dnsName('fd.lip.name', 'local', localIp),
    dnsName('fd.rip.name', 'remote', remoteIp),
  ],
};
