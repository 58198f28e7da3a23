// Batch buffer (many records of native/probe/events.h back to back) -> RawRecord. The header is read
// at fixed offsets; params follow schema.ts for the record's type, sized by the record's u16 length
// table. Paths are sent raw: a relative path stays relative and its dirfd param (AT_FDCWD = -100 for
// the cwd) travels with it, for the process/fd state to resolve.
import type { ArgValue, RawRecord } from '../event.js';
import { EVENT_BY_ID, type ParamType } from '../schema.js';
import { LAYOUT } from './layout.js';
import { decodeSockaddr } from './sockaddr.js';

const L = LAYOUT;
const TWO32 = 2 ** 32;

/** Calls fn with the offset of each record in a batch; returns the number of records. */
export function forEachRecord(buf: Buffer, fn: (off: number) => void): number {
  let n = 0;
  for (let off = 0; off + L.hdrSize <= buf.length; ) {
    const len = buf.readUInt32LE(off + L.offLen);
    if (len < L.hdrSize || off + len > buf.length) throw new Error(`corrupt probe batch: record at ${off} has length ${len}`);
    fn(off);
    n++;
    off += len;
  }
  return n;
}

/** The wire type id of the record at off, without decoding it. */
export function recordTypeId(buf: Buffer, off: number): number {
  return buf.readUInt16LE(off + L.offType);
}

/** True when some param of the record was cut at its size bound (paths 4096, argv 4096). */
export function recordTruncated(buf: Buffer, off: number): boolean {
  return (buf.readUInt32LE(off + L.offFlags) & L.flagTruncated) !== 0;
}

export function decodeRecord(buf: Buffer, off: number, bootToEpochNs: bigint): RawRecord {
  const typeId = buf.readUInt16LE(off + L.offType);
  const nparams = buf.readUInt16LE(off + L.offNparams);
  const spec = EVENT_BY_ID[typeId];
  const args: Record<string, ArgValue> = {};
  if (spec) {
    let p = off + L.hdrSize + 2 * nparams;
    const n = Math.min(nparams, spec.params.length);
    for (let i = 0; i < n; i++) {
      const len = buf.readUInt16LE(off + L.hdrSize + 2 * i);
      const param = spec.params[i]!;
      args[param.name] = decodeParam(buf, p, len, param.type);
      p += len;
    }
  }
  return {
    ts: buf.readBigUInt64LE(off + L.offTs) + bootToEpochNs,
    type: spec ? spec.name : 'unknown',
    tid: buf.readUInt32LE(off + L.offTid),
    pid: buf.readUInt32LE(off + L.offPid),
    ppid: buf.readUInt32LE(off + L.offPpid),
    uid: buf.readUInt32LE(off + L.offUid),
    gid: buf.readUInt32LE(off + L.offGid),
    loginuid: buf.readUInt32LE(off + L.offLoginuid),
    comm: cstr(buf, off + L.offComm, off + L.offComm + L.commLen),
    cgroupId: buf.readBigUInt64LE(off + L.offCgroupId),
    res: int64(buf, off + L.offRes),
    args,
  };
}

/** Decodes every record of a batch, appending to out. */
export function decodeBatch(buf: Buffer, bootToEpochNs: bigint, out: RawRecord[] = []): RawRecord[] {
  forEachRecord(buf, (off) => out.push(decodeRecord(buf, off, bootToEpochNs)));
  return out;
}

function decodeParam(buf: Buffer, at: number, len: number, type: ParamType): ArgValue {
  switch (type) {
    case 'path':
    case 'string':
      return buf.toString('utf8', at, at + len);
    case 'argv':
      return argv(buf, at, at + len);
    case 'sockaddr':
      return decodeSockaddr(buf, at, len);
    case 'fd':
    case 'int':
    case 'pid':
      return len === 8 ? int64(buf, at) : undefined;
    default: // uint, uid, gid, mode, flags:*, enum:*
      return len === 8 ? uint64(buf, at) : undefined;
  }
}

/** A signed 64-bit value as a number (syscall results, fds and pids always fit). */
function int64(buf: Buffer, at: number): number {
  return buf.readInt32LE(at + 4) * TWO32 + buf.readUInt32LE(at);
}

/** An unsigned 64-bit value: a number when exact, a bigint beyond 2^53 (addresses, high flag bits). */
function uint64(buf: Buffer, at: number): number | bigint {
  const hi = buf.readUInt32LE(at + 4);
  if (hi < 0x200000) return hi * TWO32 + buf.readUInt32LE(at);
  return buf.readBigUInt64LE(at);
}

function cstr(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

function argv(buf: Buffer, start: number, end: number): string[] {
  const out: string[] = [];
  let s = start;
  while (s < end) {
    let e = buf.indexOf(0, s);
    if (e < 0 || e > end) e = end;
    out.push(buf.toString('utf8', s, e));
    s = e + 1;
  }
  return out;
}
