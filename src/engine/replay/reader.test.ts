import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYOUT } from '../probe/layout.js';
import { encodeLine } from './format.js';
import { WIRE_LAYOUT } from './raw.js';
import { readEventFile, type ReadItem } from './reader.js';
import { openat } from '../probe/testing/records.js';

const dir = mkdtempSync(join(tmpdir(), 'falconet-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(lines: string[]): Promise<{ file: string; items: ReadItem[] }> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  const items: ReadItem[] = [];
  for await (const item of readEventFile(file)) items.push(item);
  return { file, items };
}

const BOOT = 1_700_000_000_000_000_000n;
const rawHeader = (layout: object = WIRE_LAYOUT): string => encodeLine({ kind: 'header', version: 1, hostname: 'h', bootToEpochNs: BOOT, layout: { ...layout } });
const batch = (...records: Buffer[]): string => encodeLine({ kind: 'batch', data: Buffer.concat(records) });

/** Each item as a short string: `line:type:name[:cgroup]` or `line!message`. */
function brief(items: ReadItem[]): string[] {
  return items.map((i) => {
    if (!i.ok) return `${i.lineNo}!${i.message}`;
    if (i.line.kind !== 'event') return `${i.lineNo}:${i.line.kind}`;
    const r = i.line.record;
    return [i.lineNo, r.type, r.args.name, r.cgroup].filter((x) => x !== undefined).join(':');
  });
}

describe('readEventFile on raw files', () => {
  it('expands a batch line into events, with epoch times and the cgroup paths recorded before it', async () => {
    const { items } = await read([
      rawHeader(),
      encodeLine({ kind: 'cgroup', id: 7n, path: '/system.slice/ssh.service' }),
      batch(openat('/etc/shadow', { ts: 5n }), openat('/etc/hosts', { cgroupId: 9n })),
      encodeLine({ kind: 'cgroup', id: 9n, path: '/docker/3f2a9c81d2e4' }),
      batch(openat('/etc/passwd', { cgroupId: 9n })),
    ]);
    expect(brief(items)).toEqual(['1:header', '3:openat:/etc/shadow:/system.slice/ssh.service', '3:openat:/etc/hosts', '5:openat:/etc/passwd:/docker/3f2a9c81d2e4']);
    expect(items[1]).toMatchObject({ line: { record: { ts: BOOT + 5n, tid: 42, comm: 'cat', res: 3 } } });
  });

  it('takes a new boot-time offset from a batch line that carries one, for it and the batches after it', async () => {
    const stepped = BOOT + 3_600_000_000_000n; // the clock was stepped an hour forward
    const { items } = await read([
      rawHeader(),
      batch(openat('/a', { ts: 5n })),
      encodeLine({ kind: 'batch', data: openat('/b', { ts: 6n }), bootToEpochNs: stepped }),
      batch(openat('/c', { ts: 7n })),
    ]);
    const times = items.flatMap((i) => (i.ok && i.line.kind === 'event' ? [i.line.record.ts] : []));
    expect(times).toEqual([BOOT + 5n, stepped + 6n, stepped + 7n]);
  });

  it('refuses a file recorded under another layout at its header, and reads nothing after it', async () => {
    const { items } = await read([rawHeader({ ...WIRE_LAYOUT, offPid: 24 }), batch(openat('/etc/shadow'))]);
    expect(items).toEqual([
      {
        ok: false,
        lineNo: 1,
        message:
          "recorded with another probe record layout than this build's (offPid is 24 in the file, 20 in this build); replay it with the falconet that captured it. Nothing of the file is replayed",
      },
    ]);
  });

  it('counts a corrupt batch line in place and goes on', async () => {
    const cut = openat('/b');
    cut.writeUInt32LE(4, LAYOUT.offLen);
    const { items } = await read([
      rawHeader(),
      '{"kind":"batch","data":"not base64!"}',
      '{"kind":"batch","data":"QUJD"}', // "ABC": shorter than a record header, so no records
      batch(openat('/a'), cut),
      batch(openat('/c')),
    ]);
    expect(brief(items)).toEqual([
      '1:header',
      '2!"data" must be base64',
      '4:openat:/a',
      expect.stringMatching(/^4!corrupt probe batch: record at \d+ has length 4; the rest of the batch is skipped$/),
      '5:openat:/c',
    ]);
  });

  it('needs a raw header before a batch line', async () => {
    const { items } = await read(['{"kind":"header","version":1}', batch(openat('/a'))]);
    expect(brief(items)).toEqual(['1:header', '2!a batch line needs a header with "layout" and "bootToEpochNs" before it']);
  });

  it('still reads event lines written by hand', async () => {
    const { items } = await read(['{"kind":"header","version":1}', '{"ts":1,"type":"openat","tid":9,"args":{"name":"/x"}}', 'oops']);
    expect(brief(items)).toEqual(['1:header', '2:openat:/x', expect.stringMatching(/^3!not JSON/)]);
  });
});
