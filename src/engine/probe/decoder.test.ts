import { describe, expect, it } from 'vitest';
import { EVENT_BY_NAME } from '../schema.js';
import { decodeBatch, decodeRecord, forEachRecord, recordTruncated, recordTypeId } from './decoder.js';
import { LAYOUT as L } from './layout.js';
import { ipv6 } from './sockaddr.js';
import { record } from './testing/records.js';

// Hand-built records in the events.h layout: params are Buffers (raw bytes) or bigints (8-byte values).
const num = (v: number | bigint): bigint => BigInt(v);
const str = (s: string): Buffer => Buffer.from(s, 'utf8');

function sockaddrIn(ip: number[], port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(ip).copy(b, 4);
  return b;
}

describe('decodeRecord', () => {
  it('decodes the header and converts boot ns to epoch ns', () => {
    const buf = record('openat', [num(3), num(-100), str('/tmp/x'), num(0o1101), num(0o644), num(2049), num(1234)], {
      ts: 5_000n, tid: 11, pid: 10, ppid: 9, uid: 1000, res: 3, comm: 'touch',
    });
    const r = decodeRecord(buf, 0, 1_700_000_000_000_000_000n);
    expect(r).toMatchObject({ ts: 1_700_000_000_000_005_000n, type: 'openat', tid: 11, pid: 10, ppid: 9, uid: 1000, gid: 0, loginuid: 4294967295, comm: 'touch', cgroupId: 7n, res: 3 });
    expect(r.args).toEqual({ fd: 3, dirfd: -100, name: '/tmp/x', flags: 0o1101, mode: 0o644, dev: 2049, ino: 1234 });
  });

  it('keeps negative results and fds signed', () => {
    const r = decodeRecord(record('openat', [num(-2), num(-100), str('nope'), num(0), num(0), num(0), num(0)], { res: -2 }), 0, 0n);
    expect(r.res).toBe(-2);
    expect(r.args.fd).toBe(-2);
  });

  it('splits argv and keeps exe and filename', () => {
    const r = decodeRecord(record('execve', [str('sh'), str('-c\0echo hi\0\0last\0'), str('/usr/bin/sh')]), 0, 0n);
    expect(r.args).toEqual({ exe: 'sh', args: ['-c', 'echo hi', '', 'last'], filename: '/usr/bin/sh' });
  });

  it('decodes IPv4, IPv6 and unix socket addresses', () => {
    const v6 = Buffer.alloc(28);
    v6.writeUInt16LE(10, 0);
    v6.writeUInt16BE(443, 2);
    Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).copy(v6, 8);
    const un = Buffer.alloc(110);
    un.writeUInt16LE(1, 0);
    un.write('/run/docker.sock', 2);
    const abs = Buffer.concat([Buffer.from([1, 0, 0]), Buffer.from('abstract')]);
    const recs = [sockaddrIn([127, 0, 0, 1], 8080), v6, un, abs, Buffer.from([0x11, 0])].map((a) => decodeRecord(record('connect', [num(5), a]), 0, 0n).args.addr);
    expect(recs).toEqual([
      { family: 'ipv4', ip: '127.0.0.1', port: 8080 },
      { family: 'ipv6', ip: '2001:db8::1', port: 443 },
      { family: 'unix', path: '/run/docker.sock' },
      { family: 'unix', path: '@abstract' },
      { family: 'unknown', raw: 17 },
    ]);
  });

  it('leaves absent params undefined and large unsigned values as bigint', () => {
    const r = decodeRecord(record('ptrace', [num(16), num(77), num(0xffff_8000_0000_0000n), Buffer.alloc(0)]), 0, 0n);
    expect(r.args).toEqual({ request: 16, pid: 77, addr: 0xffff_8000_0000_0000n, data: undefined });
  });

  it('names an unknown type id "unknown" with no args', () => {
    const buf = record('close', [num(3)]);
    buf.writeUInt16LE(999, L.offType);
    expect(decodeRecord(buf, 0, 0n)).toMatchObject({ type: 'unknown', args: {} });
  });
});

describe('batches', () => {
  it('walks records back to back and reads type and truncation without decoding', () => {
    const batch = Buffer.concat([
      record('setuid', [num(65534)], { res: 0 }),
      record('rename', [str('/a'), str('/b')], { flags: L.flagTruncated }),
      record('procexit', [num(0)]),
    ]);
    const seen: [number, boolean][] = [];
    expect(forEachRecord(batch, (off) => seen.push([recordTypeId(batch, off), recordTruncated(batch, off)]))).toBe(3);
    expect(seen).toEqual([[38, false], [13, true], [7, false]]);
    const recs = decodeBatch(batch, 0n);
    expect(recs.map((r) => r.type)).toEqual(['setuid', 'rename', 'procexit']);
    expect(recs[1]!.args).toEqual({ oldpath: '/a', newpath: '/b' });
  });

  it('rejects a corrupt length instead of looping', () => {
    const buf = record('close', [num(3)]);
    buf.writeUInt32LE(4, L.offLen);
    expect(() => decodeBatch(buf, 0n)).toThrow(/corrupt/);
  });
});

describe('ipv6 text', () => {
  it.each([
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['fe800000000000000202b3fffe1e8329', 'fe80::202:b3ff:fe1e:8329'],
    ['00000000000000000000ffff7f000001', '::ffff:127.0.0.1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
  ])('%s -> %s', (hex, text) => {
    expect(ipv6(Buffer.from(hex, 'hex'), 0)).toBe(text);
  });
});
