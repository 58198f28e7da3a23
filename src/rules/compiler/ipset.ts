// IP addresses and networks for `fd.sip = 10.0.0.1`, `fd.net = 127.0.0.0/8`,
// `fd.snet in (rfc_1918_addresses)`. Constants are parsed once at compile time; an event's address
// string is parsed per comparison without allocating (IPv4), so the hot path stays cheap.

/** An IPv4 dotted quad as an unsigned 32-bit number, or -1 when it is not one. */
export function parseIPv4(s: string): number {
  let out = 0;
  let part = -1;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (part < 0 || dots === 3) return -1;
      out = out * 256 + part;
      part = -1;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + (c - 48);
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || part < 0) return -1;
  return out * 256 + part;
}

/** An IPv6 address as a 128-bit bigint (IPv4-mapped tails allowed), or undefined. */
export function parseIPv6(s: string): bigint | undefined {
  if (!s.includes(':')) return undefined;
  let text = s.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const v4 = text.slice(lastColon + 1);
  if (v4.includes('.')) {
    const n = parseIPv4(v4);
    if (n < 0) return undefined;
    tail = [Math.floor(n / 65536), n % 65536];
    // Keep a `::` that ended right before the IPv4 tail ("::1.2.3.4"), drop a single separator.
    const before = text.slice(0, lastColon);
    text = before.endsWith(':') ? `${before}:` : before;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

interface Net4 {
  v6: false;
  base: number;
  /** Number of addresses in the network (2^(32 - prefix)). */
  size: number;
}
interface Net6 {
  v6: true;
  base: bigint;
  shift: bigint;
}
type Net = Net4 | Net6;

/** Parses `a.b.c.d`, `a.b.c.d/n` or an IPv6 form; a bare address is a one-address network. */
export function parseNet(text: string): Net | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bitsText = slash < 0 ? undefined : text.slice(slash + 1);
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits > 32) return undefined;
    const size = 2 ** (32 - bits);
    return { v6: false, base: v4 - (v4 % size), size };
  }
  const v6 = parseIPv6(addr);
  if (v6 === undefined) return undefined;
  const bits = bitsText === undefined ? 128 : Number(bitsText);
  if (bits > 128) return undefined;
  const shift = BigInt(128 - bits);
  return { v6: true, base: (v6 >> shift) << shift, shift };
}

// One event's address is tested by many rules in a row (fd.ip, fd.net, fd.snet...); remembering the
// last parse turns those repeats into one string identity check.
let lastText = '';
let lastV4 = -1;
function cachedIPv4(s: string): number {
  if (s !== lastText) {
    lastV4 = parseIPv4(s);
    lastText = s;
  }
  return lastV4;
}

/** A set of addresses and networks; `has` answers "is this address in any of them". */
export class IpSet {
  private readonly hosts4 = new Set<number>();
  private readonly nets4: Net4[] = [];
  private readonly nets6: Net6[] = [];

  constructor(nets: readonly Net[]) {
    for (const n of nets) {
      if (n.v6) this.nets6.push(n);
      else if (n.size === 1) this.hosts4.add(n.base);
      else this.nets4.push(n);
    }
  }

  has(ip: string | undefined): boolean {
    if (ip === undefined) return false;
    const v4 = cachedIPv4(ip);
    if (v4 >= 0) {
      if (this.hosts4.has(v4)) return true;
      for (const n of this.nets4) if (v4 - n.base >= 0 && v4 - n.base < n.size) return true;
      return false;
    }
    if (this.nets6.length === 0) return false;
    const v6 = parseIPv6(ip);
    if (v6 === undefined) return false;
    for (const n of this.nets6) if ((v6 >> n.shift) << n.shift === n.base) return true;
    return false;
  }
}
