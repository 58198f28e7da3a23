// Little-endian integers and strings read straight off a batch's bytes. The decoder's hot loop reads
// a dozen header fields per record: Buffer#readUInt32LE and friends are calls with argument checks,
// and Buffer#toString('utf8', s, e) goes through three JS wrappers before it reaches the native
// slice. bench/engine/decode-variants.mjs measures the difference.

const TWO32 = 2 ** 32;

/** Node's native UTF-8 slicer: present on every Buffer, not in @types/node. */
type Slicing = Buffer & { utf8Slice(start: number, end: number): string };

export function u16(b: Buffer, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u32(b: Buffer, o: number): number {
  // The top byte is multiplied in, not shifted: a shift would make values >= 2^31 negative.
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}

export function i32(b: Buffer, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

/** A signed 64-bit value as a number (syscall results, fds and pids always fit). */
export function int64(b: Buffer, o: number): number {
  return i32(b, o + 4) * TWO32 + u32(b, o);
}

/** An unsigned 64-bit value: a number when exact, a bigint beyond 2^53 (addresses, high flag bits). */
export function uint64(b: Buffer, o: number): number | bigint {
  const hi = u32(b, o + 4);
  if (hi < 0x200000) return hi * TWO32 + u32(b, o);
  return b.readBigUInt64LE(o);
}

/**
 * An unsigned 64-bit value as a bigint. Below 2^53 (boot-time ns for 104 days, every cgroup id seen
 * in practice) one BigInt(number) is exact and allocates less than readBigUInt64LE's shift-and-or.
 */
export function u64big(b: Buffer, o: number): bigint {
  const hi = u32(b, o + 4);
  if (hi < 0x200000) return BigInt(hi * TWO32 + u32(b, o));
  return b.readBigUInt64LE(o);
}

/**
 * Bytes [s, e) as UTF-8 text, through the native slicer directly. (An ASCII check in JS followed by
 * latin1Slice was tried: the check cost more than utf8Slice's own ASCII fast path saves.)
 */
export function text(b: Buffer, s: number, e: number): string {
  const str = (b as Slicing).utf8Slice(s, e);
  // utf8Slice turns a byte that is not valid UTF-8 into U+FFFD, losing it; such names are rare and
  // suspicious, so they are decoded again keeping each bad byte (see keepInvalidBytes).
  return str.indexOf('\ufffd') === -1 ? str : keepInvalidBytes(b, s, e);
}

/**
 * Bytes [s, e) as text where each byte that is not part of valid UTF-8 becomes the lone surrogate
 * U+DC80 + byte (Python's "surrogateescape"): alerts can then show the byte itself (`\xff`, see
 * src/outputs/escape.ts) and JSON encodes it as `\udcff`, still valid.
 */
export function keepInvalidBytes(b: Buffer, s: number, e: number): string {
  let out = '';
  let i = s;
  while (i < e) {
    const n = validSequenceLength(b, i, e);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + b[i]!);
      i++;
    } else {
      out += (b as Slicing).utf8Slice(i, i + n);
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence starting at i (1-4), or 0 when the byte there starts none. */
function validSequenceLength(b: Buffer, i: number, e: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < e && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  // Second-byte ranges exclude overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The NUL-terminated string in [s, e), or all of it when there is no NUL. */
export function cstr(b: Buffer, s: number, e: number): string {
  let z = s;
  while (z < e && b[z] !== 0) z++;
  return text(b, s, z);
}
