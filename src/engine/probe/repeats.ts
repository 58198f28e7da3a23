// Header values that repeat from record to record, decoded once and reused. A host runs few distinct
// programs, so most comms have been seen before; consecutive records mostly share a cgroup. Both
// caches key on the raw bytes and compare them in full, so a reused value is always the right one.
import { cstr, u32 } from './bytes.js';
import { LAYOUT } from './layout.js';

const MAX_COMMS = 4096;

interface CommEntry {
  a: number;
  b: number;
  c: number;
  d: number;
  text: string;
}

const comms = new Map<number, CommEntry>();

/** The comm (LAYOUT.commLen = 16 bytes, NUL-padded) at `o`, from the cache when those 16 bytes were seen before. */
export function commAt(buf: Buffer, o: number): string {
  const a = u32(buf, o);
  const b = u32(buf, o + 4);
  const c = u32(buf, o + 8);
  const d = u32(buf, o + 12);
  // A small-integer key keeps Map.get on its fast path; collisions are settled by the full compare.
  const key = (a ^ Math.imul(b, 31) ^ Math.imul(c, 17) ^ Math.imul(d, 7)) & 0x3fffffff;
  const hit = comms.get(key);
  if (hit !== undefined && hit.a === a && hit.b === b && hit.c === c && hit.d === d) return hit.text;
  const text = cstr(buf, o, o + LAYOUT.commLen);
  if (comms.size >= MAX_COMMS) comms.clear();
  comms.set(key, { a, b, c, d, text });
  return text;
}

let lastLo = 0;
let lastHi = 0;
let lastId = 0n;

/** The u64 cgroup id at `o`; the previous record's bigint when the bytes are the same. */
export function cgroupIdAt(buf: Buffer, o: number): bigint {
  const lo = u32(buf, o);
  const hi = u32(buf, o + 4);
  if (lo !== lastLo || hi !== lastHi) {
    lastLo = lo;
    lastHi = hi;
    lastId = buf.readBigUInt64LE(o);
  }
  return lastId;
}
