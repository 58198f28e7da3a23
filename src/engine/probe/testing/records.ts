// Probe records built by hand in events.h's layout, for the decoder's tests and those of raw event
// files. Concatenated, they make a batch.
import { EVENT_BY_NAME } from '../../schema.js';
import { LAYOUT as L } from '../layout.js';

/** A param: raw bytes, or an 8-byte value. */
export type Param = Buffer | bigint;

export interface RecordHeader {
  ts: bigint;
  tid: number;
  pid: number;
  ppid: number;
  uid: number;
  cgroupId: bigint;
  comm: string;
  res: number;
  flags: number;
}

/** A record of `type` with these params in order; header fields default to a root `cat`, pid 42. */
export function record(type: string, params: Param[], h: Partial<RecordHeader> = {}): Buffer {
  const data = params.map((p) => {
    if (Buffer.isBuffer(p)) return p;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, p));
    return b;
  });
  const body = L.hdrSize + 2 * params.length + data.reduce((n, d) => n + d.length, 0);
  const len = (body + 7) & ~7;
  const buf = Buffer.alloc(len);
  buf.writeBigUInt64LE(h.ts ?? 1000n, L.offTs);
  buf.writeUInt32LE(len, L.offLen);
  buf.writeUInt16LE(EVENT_BY_NAME.get(type)!.id, L.offType);
  buf.writeUInt16LE(params.length, L.offNparams);
  buf.writeUInt32LE(h.tid ?? h.pid ?? 42, L.offTid);
  buf.writeUInt32LE(h.pid ?? 42, L.offPid);
  buf.writeUInt32LE(h.ppid ?? 1, L.offPpid);
  buf.writeUInt32LE(h.uid ?? 0, L.offUid);
  buf.writeUInt32LE(0xffffffff, L.offLoginuid);
  buf.write(h.comm ?? 'cat', L.offComm);
  buf.writeBigUInt64LE(h.cgroupId ?? 7n, L.offCgroupId);
  buf.writeBigInt64LE(BigInt(h.res ?? 0), L.offRes);
  buf.writeUInt32LE(h.flags ?? 0, L.offFlags);
  let p = L.hdrSize + 2 * params.length;
  data.forEach((d, i) => {
    buf.writeUInt16LE(d.length, L.hdrSize + 2 * i);
    d.copy(buf, p);
    p += d.length;
  });
  return buf;
}

/** An openat of `name` (fd 3, relative to the cwd, read-only). */
export function openat(name: string, h: Partial<RecordHeader> = {}): Buffer {
  return record('openat', [3n, -100n, Buffer.from(name), 0n, 0n, 2049n, 1234n], { res: 3, ...h });
}
