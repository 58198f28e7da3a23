// Socket tuples of already-open sockets, from /proc/1/net/{tcp,tcp6,udp,udp6,unix}, keyed by inode,
// so that fds seeded at start-up have fd.sip/fd.sport and friends like fds the probe saw open.

import { readFileSync } from 'node:fs';
import type { Fd } from '../event.js';

export type SocketInfo = Pick<Fd, 'type' | 'name' | 'l4proto' | 'cip' | 'cport' | 'sip' | 'sport' | 'isServer' | 'connected'>;

/** "0100007F:1F90" (little-endian IPv4) or a 32-hex-digit IPv6 word list → "127.0.0.1", 8080. */
export function decodeProcAddr(text: string): { ip: string; port: number } {
  const [hex = '', portHex = '0'] = text.split(':');
  const port = parseInt(portHex, 16);
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return { ip: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'), port };
  }
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = word.match(/../g)?.reverse().join('') ?? '';
    groups.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const full = groups.map((g) => parseInt(g, 16).toString(16)).join(':');
  return { ip: compressIpv6(full), port };
}

function compressIpv6(full: string): string {
  const parts = full.split(':');
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) return full;
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

const LISTEN = 0x0a;

/** The rows of a /proc/net table split into columns, header dropped; none when it cannot be read. */
function rows(path: string, minColumns: number): string[][] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= minColumns);
}

function readInet(path: string, proto: 'tcp' | 'udp', v6: boolean, out: Map<number, SocketInfo>): void {
  for (const f of rows(path, 10)) {
    const local = decodeProcAddr(f[1] ?? '');
    const remote = decodeProcAddr(f[2] ?? '');
    const state = parseInt(f[3] ?? '0', 16);
    const inode = Number(f[9]);
    const listening = proto === 'tcp' && state === LISTEN;
    out.set(inode, {
      type: v6 ? 'ipv6' : 'ipv4',
      l4proto: proto,
      name: listening || remote.port === 0 ? `${local.ip}:${local.port}` : `${local.ip}:${local.port}->${remote.ip}:${remote.port}`,
      // Without the connect/accept we cannot know which end we are; the local end is the client.
      cip: local.ip,
      cport: local.port,
      sip: remote.ip,
      sport: remote.port,
      isServer: listening,
      connected: !listening && remote.port !== 0,
    });
  }
}

function readUnix(path: string, out: Map<number, SocketInfo>): void {
  for (const f of rows(path, 7)) {
    out.set(Number(f[6]), { type: 'unix', name: f[7] ?? '' });
  }
}

/**
 * The sockets of the network namespace of pid 1 of `procRoot` (the host's /proc): the host's, also
 * when falconet runs in a container of its own network (`procRoot`/net is the reader's namespace).
 */
export function readSocketTable(procRoot: string): Map<number, SocketInfo> {
  const out = new Map<number, SocketInfo>();
  const net = `${procRoot}/1/net`;
  readInet(`${net}/tcp`, 'tcp', false, out);
  readInet(`${net}/tcp6`, 'tcp', true, out);
  readInet(`${net}/udp`, 'udp', false, out);
  readInet(`${net}/udp6`, 'udp', true, out);
  readUnix(`${net}/unix`, out);
  return out;
}
