// The decoder as it was before the engine performance work (src/engine/probe/decoder.ts at commit
// f40b61c, types removed): Buffer#read* calls, toString('utf8') for every string, BigInt reads for
// ts and cgroupId. decode-variants.mjs measures today's decoder against it, and checks that both
// decode every record to the same value.
import { LAYOUT as L } from '../../dist/engine/probe/layout.js';
import { decodeSockaddr } from '../../dist/engine/probe/sockaddr.js';
import { EVENT_BY_ID } from '../../dist/engine/schema.js';

const TWO32 = 2 ** 32;

export function decodeRecordReference(buf, off, bootToEpochNs) {
  const typeId = buf.readUInt16LE(off + L.offType);
  const nparams = buf.readUInt16LE(off + L.offNparams);
  const spec = EVENT_BY_ID[typeId];
  const args = {};
  if (spec) {
    let p = off + L.hdrSize + 2 * nparams;
    const n = Math.min(nparams, spec.params.length);
    for (let i = 0; i < n; i++) {
      const len = buf.readUInt16LE(off + L.hdrSize + 2 * i);
      const param = spec.params[i];
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

/** forEachRecord as it was: a Buffer#readUInt32LE per record length. */
export function forEachRecordReference(buf, fn) {
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

function decodeParam(buf, at, len, type) {
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
    default:
      return len === 8 ? uint64(buf, at) : undefined;
  }
}

function int64(buf, at) {
  return buf.readInt32LE(at + 4) * TWO32 + buf.readUInt32LE(at);
}

function uint64(buf, at) {
  const hi = buf.readUInt32LE(at + 4);
  if (hi < 0x200000) return hi * TWO32 + buf.readUInt32LE(at);
  return buf.readBigUInt64LE(at);
}

function cstr(buf, start, end) {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

function argv(buf, start, end) {
  const out = [];
  let s = start;
  while (s < end) {
    let e = buf.indexOf(0, s);
    if (e < 0 || e > end) e = end;
    out.push(buf.toString('utf8', s, e));
    s = e + 1;
  }
  return out;
}
