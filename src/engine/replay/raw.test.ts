import { describe, expect, it } from 'vitest';
import { LAYOUT as L } from '../probe/layout.js';
import { decodeBatchLine, forEachCgroupId, layoutDifferences, WIRE_LAYOUT } from './raw.js';
import { openat, record } from '../probe/testing/records.js';

describe('layoutDifferences', () => {
  it('accepts this build and a file whose event types and params are a prefix of it', () => {
    expect(layoutDifferences(JSON.parse(JSON.stringify(WIRE_LAYOUT)))).toEqual([]);
    const types = WIRE_LAYOUT.eventTypes;
    const execve = types[1]!;
    // execve as a build before its last param was appended; the last type not yet added.
    const older = [...types.slice(0, -1)];
    older[1] = `${execve.slice(0, execve.lastIndexOf(','))})`;
    expect(older[1]).toMatch(/^execve\(exe:string,.*\)$/);
    expect(layoutDifferences({ ...WIRE_LAYOUT, eventTypes: older })).toEqual([]);
  });

  it('names each difference', () => {
    const types = [...WIRE_LAYOUT.eventTypes, 'newtype(fd:fd)'];
    types[9] = 'openat(fd:fd,name:path)';
    const { offPid: _, ...noPid } = WIRE_LAYOUT;
    expect(layoutDifferences({ ...noPid, hdrSize: 88, extra: 1, eventTypes: types })).toEqual([
      'hdrSize is 88 in the file, 80 in this build',
      'offPid is missing in the file (20 in this build)',
      'the file has "extra", unknown to this build',
      `the file knows ${types.length} event types, this build ${types.length - 1}`,
      `event type 9 is openat(fd:fd,name:path) in the file, ${WIRE_LAYOUT.eventTypes[9]} in this build`,
    ]);
    expect(layoutDifferences({ ...WIRE_LAYOUT, eventTypes: 'x' })).toEqual(['"eventTypes" is missing in the file or not a list of strings']);
  });

  it('reports at most five differences and how many more', () => {
    const d = layoutDifferences({ eventTypes: [] });
    expect(d).toHaveLength(6);
    expect(d[5]).toBe(`${Object.keys(L).length - 5} more`);
  });
});

describe('decodeBatchLine', () => {
  const cgroups = new Map([[7n, '/system.slice/ssh.service']]);

  it('decodes every record with the boot offset and the recorded cgroup path', () => {
    const batch = Buffer.concat([openat('/etc/shadow', { ts: 5n, pid: 10 }), openat('/etc/passwd', { ts: 6n, cgroupId: 8n })]);
    const out = decodeBatchLine(batch, 1_000n, cgroups);
    expect(out).toMatchObject([
      { ok: true, record: { ts: 1_005n, type: 'openat', pid: 10, cgroupId: 7n, cgroup: '/system.slice/ssh.service', args: { name: '/etc/shadow' } } },
      { ok: true, record: { ts: 1_006n, cgroupId: 8n, args: { name: '/etc/passwd' } } },
    ]);
    expect(out[1]?.ok && out[1].record.cgroup).toBeUndefined();
  });

  it('costs a bad record that record, and a corrupt length the rest of the batch', () => {
    const bad = record('close', [3n]);
    bad.writeUInt16LE(60_000, L.hdrSize); // the param claims more bytes than the batch holds
    const cut = openat('/b');
    cut.writeUInt32LE(4, L.offLen);
    const batch = Buffer.concat([openat('/a'), bad, openat('/c'), cut, openat('/d')]);
    const out = decodeBatchLine(batch, 0n, cgroups);
    expect(out.map((d) => (d.ok ? d.record.args.name : d.message))).toEqual([
      '/a',
      expect.stringMatching(/^the record at byte \d+ of the batch: corrupt probe batch: param 0/),
      '/c',
      expect.stringMatching(/^corrupt probe batch: record at \d+ has length 4; the rest of the batch is skipped$/),
    ]);
  });
});

describe('forEachCgroupId', () => {
  it('reads pid and cgroup id of each record without decoding it', () => {
    const seen: [number, bigint][] = [];
    const n = forEachCgroupId(Buffer.concat([openat('/a', { pid: 5, cgroupId: 2n ** 63n + 1n }), record('close', [3n], { pid: 6 })]), (pid, id) => seen.push([pid, id]));
    expect(n).toBe(2);
    expect(seen).toEqual([[5, 2n ** 63n + 1n], [6, 7n]]);
  });
});
