import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolStore } from './spool.js';

let dir: string;
const open: SpoolStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'falconet-spool-'));
});

afterEach(() => {
  for (const s of open.splice(0)) {
    try {
      s.close();
    } catch {
      // closed by the test
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function spool(maxBytes = 1 << 20, name = 'http'): SpoolStore {
  const s = new SpoolStore(dir, name, maxBytes);
  open.push(s);
  return s;
}

/** A restart: the old store closed, a new one on the same directory. */
function restart(s: SpoolStore, maxBytes = 1 << 20): SpoolStore {
  s.close();
  open.splice(open.indexOf(s), 1);
  return spool(maxBytes);
}

const fileSize = () => statSync(join(dir, 'http.spool')).size;
/** The bytes one payload takes in the file. */
const recBytes = (p: string) => Buffer.byteLength(JSON.stringify(p) + '\n');
const pushAll = (s: SpoolStore, ps: string[]) => ps.map((p) => s.push(p));

describe('SpoolStore', () => {
  it('gives back what was pushed, oldest first, a batch at a time', () => {
    const s = spool();
    expect(pushAll(s, ['a', 'b', 'c', 'd'])).toEqual([0, 0, 0, 0]);
    expect(s.waiting).toBe(4);
    expect(s.take(2)).toEqual(['a', 'b']);
    expect(s.waiting).toBe(2);
    s.ack();
    expect(s.take(10)).toEqual(['c', 'd']);
    s.ack();
    expect([s.waiting, s.take(1)]).toEqual([0, []]);
    expect(s.durable).toBe(true);
  });

  it('truncates the file to 0 once everything is acked, and goes on appending', () => {
    const s = spool();
    pushAll(s, ['a', 'b']);
    expect(fileSize()).toBe(recBytes('a') + recBytes('b'));
    s.take(2);
    expect(fileSize()).toBe(recBytes('a') + recBytes('b'));
    s.ack();
    expect(fileSize()).toBe(0);
    s.push('c');
    expect(fileSize()).toBe(recBytes('c'));
    expect(s.take(5)).toEqual(['c']);
  });

  it('a restart recovers exactly the alerts not acked, in order, the batch in delivery first', () => {
    const s = spool();
    pushAll(s, ['a', 'b', 'c', 'd', 'e']);
    expect(s.take(2)).toEqual(['a', 'b']);
    s.ack();
    expect(s.take(2)).toEqual(['c', 'd']); // taken, never acked: the monitor died mid-delivery
    const t = restart(s);
    expect(t.recovered).toBe(3);
    expect(t.waiting).toBe(3);
    expect(t.take(10)).toEqual(['c', 'd', 'e']);
    t.ack();
    const u = restart(t);
    expect([u.recovered, u.take(10)]).toEqual([0, []]);
  });

  it('a restart with nothing acked gives everything back; with everything acked, nothing', () => {
    const s = spool();
    pushAll(s, ['x', 'y']);
    const t = restart(s);
    expect(t.take(10)).toEqual(['x', 'y']);
    t.ack();
    const u = restart(t);
    expect(u.recovered).toBe(0);
    expect(fileSize()).toBe(0);
  });

  it('ignores a last line cut short by a crash, and appends after the last whole one', () => {
    const s = spool();
    pushAll(s, ['a', 'b']);
    s.close();
    open.splice(open.indexOf(s), 1);
    appendFileSync(join(dir, 'http.spool'), '"half of an ale');
    const t = spool();
    expect(t.recovered).toBe(2);
    expect(fileSize()).toBe(recBytes('a') + recBytes('b'));
    t.push('c');
    const u = restart(t);
    expect(u.take(10)).toEqual(['a', 'b', 'c']);
  });

  it('keeps payloads with newlines, quotes, unicode and lone surrogates intact, across a restart', () => {
    const payloads = ['line one\nline two\r\n', '{"output":"x \\"y\\""}', 'café 🐳 日本', '\u2028\u0000\x1b[31m', 'bad byte \udcff', ''];
    const s = spool();
    pushAll(s, payloads);
    expect(s.take(2)).toEqual(payloads.slice(0, 2));
    const t = restart(s);
    expect(t.take(100)).toEqual(payloads);
    // One record a line: the file has as many newlines as records.
    expect(readFileSync(join(dir, 'http.spool'), 'utf8').split('\n').length - 1).toBe(payloads.length);
  });

  it('past spool_max_mb drops the oldest waiting alerts and returns how many', () => {
    const rec = recBytes('p0');
    const s = spool(rec * 3);
    expect(pushAll(s, ['p0', 'p1', 'p2'])).toEqual([0, 0, 0]);
    expect(s.push('p3')).toBe(1);
    expect(s.waiting).toBe(3);
    // A longer one needs two places.
    expect(s.push('p4xxx')).toBe(2);
    expect(s.take(10)).toEqual(['p3', 'p4xxx']);
  });

  it('while a batch is in delivery, drops only as many of the waiting ones as the new one needs', () => {
    const rec = recBytes('p0');
    const s = spool(rec * 3);
    pushAll(s, ['p0', 'p1', 'p2']);
    expect(s.take(1)).toEqual(['p0']); // the receiver is down: p0 stays in delivery
    expect(s.push('p3')).toBe(1); // p1 goes
    expect(s.push('p4')).toBe(1); // p2 goes
    expect(s.push('p5')).toBe(1); // p3 goes
    expect(s.waiting).toBe(2);
    s.ack();
    expect(s.take(10)).toEqual(['p4', 'p5']);
  });

  it('refuses a payload bigger than the whole spool, keeping what waits', () => {
    const s = spool(recBytes('p0') * 2);
    s.push('p0');
    expect(s.push('x'.repeat(100))).toBe(1);
    expect(s.take(10)).toEqual(['p0']);
  });

  it('refuses a new alert when the batch in delivery alone fills the spool', () => {
    const s = spool(recBytes('p0') * 2);
    pushAll(s, ['p0', 'p1']);
    s.take(2);
    expect(s.push('p2')).toBe(1);
    expect(s.waiting).toBe(0);
    s.ack();
    expect(s.push('p2')).toBe(0);
  });

  it('compacts the delivered head away, keeping the waiting alerts intact and recoverable', () => {
    const rec = recBytes('a000');
    const max = rec * 10;
    const s = spool(max);
    const all = Array.from({ length: 8 }, (_, i) => `a${String(i).padStart(3, '0')}`);
    pushAll(s, all);
    expect(s.take(6)).toEqual(all.slice(0, 6));
    s.ack();
    expect(fileSize()).toBe(rec * 8); // delivered head still in the file
    expect(s.push('a008')).toBe(0); // 6 delivered >= half the limit: compacted first
    expect(fileSize()).toBe(rec * 3);
    expect(s.take(1)).toEqual(['a006']);
    const t = restart(s, max);
    expect(t.take(10)).toEqual(['a006', 'a007', 'a008']);
  });

  it('bounds the file while a batch is stuck in delivery: compaction drops the dropped ones too', () => {
    const rec = recBytes('b0000');
    const max = rec * 4;
    const s = spool(max);
    pushAll(s, ['b0000', 'b0001', 'b0002', 'b0003']);
    expect(s.take(1)).toEqual(['b0000']);
    let dropped = 0;
    for (let i = 4; i < 200; i++) {
      dropped += s.push(`b${String(i).padStart(4, '0')}`);
      expect(fileSize()).toBeLessThanOrEqual(max * 1.5 + rec);
    }
    expect(dropped).toBe(196);
    expect(s.waiting).toBe(3);
    // The batch in delivery and the newest three survive a restart, in order. Dropped records not
    // yet compacted away (less than half the limit) come back too: at least once, not exactly once.
    const t = restart(s, max);
    const back = t.take(100);
    expect(back[0]).toBe('b0000');
    expect(back.slice(-3)).toEqual(['b0197', 'b0198', 'b0199']);
    expect(back.length).toBeLessThanOrEqual(4 + max / 2 / rec);
    expect(back).toEqual([...back].sort());
  });

  it('keeps channels apart in one directory', () => {
    const a = spool(1 << 20, 'http');
    const b = spool(1 << 20, 'syslog');
    a.push('to http');
    b.push('to syslog');
    expect([a.take(5), b.take(5)]).toEqual([['to http'], ['to syslog']]);
  });
});

describe('SpoolStore with a damaged file', () => {
  it('skips a line that is not a record, counts it, and delivers the rest in order', () => {
    const s = spool();
    pushAll(s, ['a0']);
    s.close();
    open.splice(open.indexOf(s), 1);
    appendFileSync(join(dir, 'http.spool'), '{not json}\n' + JSON.stringify('a1') + '\n');
    const again = spool();
    expect(again.waiting).toBe(3);
    expect(again.take(10)).toEqual(['a0', 'a1']);
    expect(again.takeUnreadable()).toBe(1);
    expect(again.takeUnreadable()).toBe(0);
    again.ack();
    expect(again.waiting).toBe(0);
    expect(fileSize()).toBe(0);
  });
});
