import { describe, expect, it } from 'vitest';
import type { Alert, AlertFieldValue } from './alert.js';
import { dedupKey, Limiter, type LimiterOptions } from './limiter.js';

/** A clock the test moves by hand, in ms. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, at: (ms: number) => (t = start + ms) };
}

function alert(fields: Record<string, AlertFieldValue>, rule = 'Read sensitive file'): Alert {
  return {
    ts: 1n,
    time: '',
    rule,
    priority: 'Warning',
    message: 'm',
    output_fields: { 'evt.time': 1n, ...fields },
    tags: [],
    source: 'syscall',
    hostname: 'h',
  };
}

const OFF: LimiterOptions = { rate: 0, maxBurst: 1000, dedupWindowS: 0 };

/** admit() over a list, as 'pass', 'drop' or the note's text. */
function run(l: Limiter, alerts: Alert[]): string[] {
  return alerts.map((a) => {
    const v = l.admit(a);
    return !v.pass ? 'drop' : v.suppressed ? `pass${v.suppressed.text} [${v.suppressed.count}]` : 'pass';
  });
}

describe('Limiter.needed', () => {
  it.each([
    [OFF, false],
    [{ ...OFF, rate: 1 }, true],
    [{ ...OFF, dedupWindowS: 1 }, true],
  ])('%j -> %s', (o, needed) => {
    expect(Limiter.needed(o)).toBe(needed);
  });
});

describe('token bucket', () => {
  it('lets max_burst through at once, then rate per second, and carries the held count on the next pass', () => {
    const c = clock();
    const l = new Limiter({ rate: 2, maxBurst: 3, dedupWindowS: 0 }, c.now);
    const a = (n: number) => alert({ 'proc.pid': n });
    expect(run(l, [a(1), a(2), a(3), a(4), a(5)])).toEqual(['pass', 'pass', 'pass', 'drop', 'drop']);
    c.at(250); // half a token
    expect(run(l, [a(6)])).toEqual(['drop']);
    c.at(1000); // 0.5 + 1.5 tokens
    expect(run(l, [a(7), a(8), a(9)])).toEqual(['pass (+3 alerts over the rate limit suppressed in the last 1 s) [3]', 'pass', 'drop']);
    c.at(3000); // 4 tokens worth, capped at the burst of 3
    expect(run(l, [a(10), a(11), a(12), a(13)])).toEqual(['pass (+1 alerts over the rate limit suppressed in the last 2 s) [1]', 'pass', 'pass', 'drop']);
    expect(l.counts).toEqual({ rateLimited: 5, deduplicated: 0 });
  });

  it('a fractional rate refills slowly', () => {
    const c = clock();
    const l = new Limiter({ rate: 0.1, maxBurst: 1, dedupWindowS: 0 }, c.now);
    expect(run(l, [alert({}), alert({})])).toEqual(['pass', 'drop']);
    c.at(9_000);
    expect(run(l, [alert({})])).toEqual(['drop']);
    c.at(10_000);
    expect(run(l, [alert({})])).toEqual(['pass (+2 alerts over the rate limit suppressed in the last 10 s) [2]']);
    expect(l.counts.rateLimited).toBe(2);
  });

  it('never limits with rate 0', () => {
    const l = new Limiter({ rate: 0, maxBurst: 1, dedupWindowS: 0 }, clock().now);
    expect(run(l, Array.from({ length: 50 }, () => alert({}))).filter((v) => v !== 'pass')).toEqual([]);
    expect(l.counts).toEqual({ rateLimited: 0, deduplicated: 0 });
  });
});

describe('deduplication', () => {
  const base = { 'fd.name': '/etc/shadow', 'proc.name': 'cat', 'evt.num': 1 };

  it('suppresses identical alerts within the window and notes the count on the next one that passes', () => {
    const c = clock();
    const l = new Limiter({ rate: 0, maxBurst: 1, dedupWindowS: 60 }, c.now);
    expect(run(l, [alert(base)])).toEqual(['pass']);
    c.at(1_000);
    expect(run(l, [alert({ ...base, 'evt.time': 2n, 'evt.num': 2 }), alert({ ...base, 'evt.time': 3n, 'evt.datetime': 'x', 'evt.rawtime': 3n, 'evt.time.s': 'y' })])).toEqual(['drop', 'drop']);
    c.at(59_999);
    expect(run(l, [alert(base)])).toEqual(['drop']);
    c.at(60_000);
    expect(run(l, [alert(base)])).toEqual(['pass (+3 similar alerts suppressed in the last 60 s) [3]']);
    // A new window starts from that alert, with a fresh count.
    c.at(61_000);
    expect(run(l, [alert(base)])).toEqual(['drop']);
    c.at(125_000);
    expect(run(l, [alert(base)])).toEqual(['pass (+1 similar alerts suppressed in the last 65 s) [1]']);
    c.at(190_000);
    expect(run(l, [alert(base)])).toEqual(['pass']);
    expect(l.counts).toEqual({ rateLimited: 0, deduplicated: 4 });
  });

  it.each<[string, Alert, Alert]>([
    ['another file', alert(base), alert({ ...base, 'fd.name': '/etc/passwd' })],
    ['one more field', alert(base), alert({ ...base, 'user.name': 'root' })],
    ['a field fewer', alert(base), alert({ 'fd.name': '/etc/shadow', 'evt.num': 1 })],
    ['another event type', alert({ ...base, 'evt.type': 'open' }), alert({ ...base, 'evt.type': 'openat' })],
    ['a number and its text', alert({ ...base, 'proc.pid': 1 }), alert({ ...base, 'proc.pid': '1' })],
    ['<NA> and "<NA>"', alert({ ...base, 'container.id': null }), alert({ ...base, 'container.id': '<NA>' })],
    ['another bigint', alert({ ...base, 'fd.num': 1n }), alert({ ...base, 'fd.num': 2n })],
    ['another rule', alert(base), alert(base, 'Another rule')],
  ])('does not suppress %s', (_what, first, other) => {
    const l = new Limiter({ rate: 0, maxBurst: 1, dedupWindowS: 60 }, clock().now);
    expect(run(l, [first, other, first])).toEqual(['pass', 'pass', 'drop']);
    expect(l.counts.deduplicated).toBe(1);
  });

  it('keeps the count of each alert apart', () => {
    const c = clock();
    const l = new Limiter({ rate: 0, maxBurst: 1, dedupWindowS: 10 }, c.now);
    const x = alert({ 'fd.name': 'x' });
    const y = alert({ 'fd.name': 'y' });
    expect(run(l, [x, y, x, x, y])).toEqual(['pass', 'pass', 'drop', 'drop', 'drop']);
    c.at(10_000);
    expect(run(l, [y, x])).toEqual(['pass (+1 similar alerts suppressed in the last 10 s) [1]', 'pass (+2 similar alerts suppressed in the last 10 s) [2]']);
  });

  it('dedupKey ignores the per-event fields only', () => {
    expect(dedupKey(alert({ ...base, 'evt.time': 5n, 'evt.num': 9, 'evt.reltime': 1, 'evt.time.iso8601': 'x' }))).toBe(dedupKey(alert(base)));
    expect(dedupKey(alert({ ...base, 'evt.timestamp': 1 }))).not.toBe(dedupKey(alert(base)));
    expect(dedupKey(alert({ ...base, 'evt.type': 'open' }))).not.toBe(dedupKey(alert(base)));
  });
});

describe('rate limit and deduplication together', () => {
  it('a duplicate costs no token', () => {
    const c = clock();
    const l = new Limiter({ rate: 1, maxBurst: 2, dedupWindowS: 60 }, c.now);
    const x = alert({ 'fd.name': 'x' });
    expect(run(l, [x, x, x, alert({ 'fd.name': 'y' }), alert({ 'fd.name': 'z' })])).toEqual(['pass', 'drop', 'drop', 'pass', 'drop']);
    expect(l.counts).toEqual({ rateLimited: 1, deduplicated: 2 });
  });

  it('an alert held back by the rate limit is not "seen": its repeats are rate-limited, then it passes', () => {
    const c = clock();
    const l = new Limiter({ rate: 1, maxBurst: 1, dedupWindowS: 60 }, c.now);
    const y = alert({ 'fd.name': 'y' });
    expect(run(l, [alert({ 'fd.name': 'x' }), y])).toEqual(['pass', 'drop']);
    c.at(100);
    expect(run(l, [y])).toEqual(['drop']);
    c.at(1_100);
    // y was never sent, so it is not a duplicate of anything: it goes out with the rate-limit count.
    expect(run(l, [y])).toEqual(['pass (+2 alerts over the rate limit suppressed in the last 1 s) [2]']);
    expect(l.counts).toEqual({ rateLimited: 2, deduplicated: 0 });
  });

  it('a dedup count survives its carrier being rate-limited, and both notes ride together', () => {
    const c = clock();
    const l = new Limiter({ rate: 1, maxBurst: 1, dedupWindowS: 5 }, c.now);
    const x = alert({ 'fd.name': 'x' });
    expect(run(l, [x])).toEqual(['pass']);
    c.at(1_000);
    expect(run(l, [x, x])).toEqual(['drop', 'drop']); // duplicates: 2
    c.at(5_000);
    expect(run(l, [alert({ 'fd.name': 'other' })])).toEqual(['pass']); // takes the token
    expect(run(l, [x])).toEqual(['drop']); // window over, but no token
    c.at(6_000);
    expect(run(l, [x])).toEqual(['pass (+2 similar alerts suppressed in the last 6 s) (+1 alerts over the rate limit suppressed in the last 1 s) [3]']);
    expect(l.counts).toEqual({ rateLimited: 1, deduplicated: 2 });
  });
});
