// Batch buffer (many records of native/probe/events.h back to back) -> RawRecord. The header is read
// at fixed offsets; params follow schema.ts for the record's type, sized by the record's u16 length
// table. Paths are sent raw: a relative path stays relative and its dirfd param (AT_FDCWD = -100 for
// the cwd) travels with it, for the process/fd state to resolve.
import type { ArgValue, RawRecord } from '../event.js';
import { EVENT_BY_ID, type ParamType } from '../schema.js';
import { int64, text, u16, u32, u64big, uint64 } from './bytes.js';
import { LAYOUT } from './layout.js';
import { cgroupIdAt, commAt } from './repeats.js';
import { decodeSockaddr } from './sockaddr.js';

const L = LAYOUT;

/** Calls fn with the offset of each record in a batch; returns the number of records. */
export function forEachRecord(buf: Buffer, fn: (off: number) => void): number {
  let n = 0;
  for (let off = 0; off + L.hdrSize <= buf.length; ) {
    const len = u32(buf, off + L.offLen);
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
  const typeId = u16(buf, off + L.offType);
  const nparams = u16(buf, off + L.offNparams);
  const spec = EVENT_BY_ID[typeId];
  const args: Record<string, ArgValue> = {};
  if (spec) {
    let p = off + L.hdrSize + 2 * nparams;
    const n = Math.min(nparams, spec.params.length);
    for (let i = 0; i < n; i++) {
      const len = u16(buf, off + L.hdrSize + 2 * i);
      const param = spec.params[i]!;
      // The byte reads below do not bounds-check (Buffer#read* did): a length past the batch is corrupt.
      if (p + len > buf.length) throw new RangeError(`corrupt probe batch: param ${i} of the record at ${off} runs past the batch`);
      args[param.name] = decodeParam(buf, p, len, param.type);
      p += len;
    }
  }
  return {
    ts: u64big(buf, off + L.offTs) + bootToEpochNs,
    type: spec ? spec.name : 'unknown',
    tid: u32(buf, off + L.offTid),
    pid: u32(buf, off + L.offPid),
    ppid: u32(buf, off + L.offPpid),
    uid: u32(buf, off + L.offUid),
    gid: u32(buf, off + L.offGid),
    loginuid: u32(buf, off + L.offLoginuid),
    comm: commAt(buf, off + L.offComm),
    cgroupId: cgroupIdAt(buf, off + L.offCgroupId),
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
      return text(buf, at, at + len);
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

function argv(buf: Buffer, start: number, end: number): string[] {
  const out: string[] = [];
  let s = start;
  while (s < end) {
    let e = s;
    while (e < end && buf[e] !== 0) e++;
    out.push(text(buf, s, e));
    s = e + 1;
  }
  return out;
}
