// struct sockaddr_{in,in6,un} bytes -> SockAddr, the way Falco prints addresses.
import type { SockAddr } from '../event.js';
import { AF_INET, AF_INET6, AF_UNIX } from './layout.js';

export function decodeSockaddr(buf: Buffer, start: number, len: number): SockAddr | undefined {
  if (len < 2) return undefined;
  const family = buf.readUInt16LE(start);
  if (family === AF_INET && len >= 8) {
    return { family: 'ipv4', ip: ipv4(buf, start + 4), port: buf.readUInt16BE(start + 2) };
  }
  if (family === AF_INET6 && len >= 24) {
    return { family: 'ipv6', ip: ipv6(buf, start + 8), port: buf.readUInt16BE(start + 2) };
  }
  if (family === AF_UNIX) {
    const end = start + len;
    // An abstract socket's name starts with a NUL; Falco shows it with a leading '@'.
    if (len > 2 && buf[start + 2] === 0) return { family: 'unix', path: '@' + cstr(buf, start + 3, end) };
    return { family: 'unix', path: cstr(buf, start + 2, end) };
  }
  return { family: 'unknown', raw: family };
}

function cstr(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

export function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** RFC 5952 text form: lowercase hex, the longest run of two or more zero groups as "::". */
export function ipv6(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + 2 * i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${ipv4(buf, at + 12)}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
