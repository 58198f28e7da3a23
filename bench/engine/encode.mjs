// Encodes RawRecords into the probe's wire format (native/probe/events.h, as restated by
// src/engine/probe/layout.ts), so the engine benchmark decodes exactly what the kernel would send.
import { LAYOUT as L } from '../../dist/engine/probe/layout.js';
import { EVENT_BY_NAME } from '../../dist/engine/schema.js';

function paramBytes(type, v) {
  switch (type) {
    case 'path':
    case 'string':
      return Buffer.from(String(v ?? ''), 'utf8');
    case 'argv':
      return Buffer.from((v ?? []).join('\0'), 'utf8');
    case 'sockaddr': {
      if (!v) return Buffer.alloc(0);
      const b = Buffer.alloc(16);
      b.writeUInt16LE(2, 0);
      b.writeUInt16BE(v.port, 2);
      v.ip.split('.').forEach((o, i) => b.writeUInt8(Number(o), 4 + i));
      return b;
    }
    default: {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(v ?? 0));
      return b;
    }
  }
}

export function encodeRecord(rec, bootNs = 0n) {
  const spec = EVENT_BY_NAME.get(rec.type);
  const params = spec.params.map((p) => paramBytes(p.type, rec.args[p.name]));
  // events.h: zero padding up to hdr.len, a multiple of 8.
  const len = (L.hdrSize + 2 * params.length + params.reduce((n, b) => n + b.length, 0) + 7) & ~7;
  const buf = Buffer.alloc(len);
  buf.writeBigUInt64LE(rec.ts - bootNs, L.offTs);
  buf.writeUInt32LE(len, L.offLen);
  buf.writeUInt16LE(spec.id, L.offType);
  buf.writeUInt16LE(params.length, L.offNparams);
  buf.writeUInt32LE(rec.tid, L.offTid);
  buf.writeUInt32LE(rec.pid, L.offPid);
  buf.writeUInt32LE(rec.ppid, L.offPpid);
  buf.writeUInt32LE(rec.uid, L.offUid);
  buf.writeUInt32LE(rec.gid, L.offGid);
  buf.writeUInt32LE(rec.loginuid, L.offLoginuid);
  buf.write(rec.comm.slice(0, 15), L.offComm, 'utf8');
  buf.writeBigUInt64LE(rec.cgroupId, L.offCgroupId);
  buf.writeBigInt64LE(BigInt(rec.res), L.offRes);
  let p = L.hdrSize + 2 * params.length;
  params.forEach((b, i) => {
    buf.writeUInt16LE(b.length, L.hdrSize + 2 * i);
    b.copy(buf, p);
    p += b.length;
  });
  return buf;
}

/**
 * Packs records into batches of about `bytes` each, as the addon hands them to JS. `bootNs` is the
 * epoch time of boot: the probe stamps records with CLOCK_BOOTTIME, so a record's raw ts is small.
 */
export function encodeBatches(records, bytes = 1 << 20, bootNs = 0n) {
  const batches = [];
  let cur = [];
  let size = 0;
  for (const r of records) {
    const b = encodeRecord(r, bootNs);
    if (size + b.length > bytes && cur.length) {
      batches.push(Buffer.concat(cur));
      cur = [];
      size = 0;
    }
    cur.push(b);
    size += b.length;
  }
  if (cur.length) batches.push(Buffer.concat(cur));
  return batches;
}
