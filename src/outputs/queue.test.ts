import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './queue.js';
import { MemoryStore } from './store.js';

describe('BoundedQueue', () => {
  it('drops the oldest item when full and counts it', () => {
    const q = new BoundedQueue<number>(2);
    expect([q.push(1), q.push(2), q.push(3), q.push(4)]).toEqual([true, true, false, false]);
    expect(q.stats).toMatchObject({ queued: 2, dropped: 2 });
    expect([q.shift(), q.shift(), q.shift()]).toEqual([3, 4, undefined]);
    expect(q.stats).toMatchObject({ queued: 0, dropped: 2 });
  });

  it('keeps FIFO order across many pushes and shifts (through compaction)', () => {
    const q = new BoundedQueue<number>(100);
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 !== 0) out.push(q.shift()!);
    }
    while (q.length) out.push(q.shift()!);
    // 5000 pushed, at most 100 waiting: the drops are the oldest at each overflow.
    expect(out.length + q.stats.dropped).toBe(5000);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    expect(out[out.length - 1]).toBe(4999);
  });

  it('counts length and queued as items come and go', () => {
    const q = new BoundedQueue<string>(3);
    q.push('a');
    q.push('b');
    expect([q.length, q.stats.queued]).toEqual([2, 2]);
    q.shift();
    expect([q.length, q.stats.queued]).toEqual([1, 1]);
  });

  it('clear() returns everything waiting, oldest first, and empties the queue', () => {
    const q = new BoundedQueue<number>(3);
    for (const i of [1, 2, 3, 4]) q.push(i);
    q.shift();
    expect(q.clear()).toEqual([3, 4]);
    expect([q.length, q.stats.queued, q.shift()]).toEqual([0, 0, undefined]);
  });

  it('is unbounded with capacity Infinity', () => {
    const q = new BoundedQueue<number>(Infinity);
    for (let i = 0; i < 20_000; i++) expect(q.push(i)).toBe(true);
    expect([q.length, q.stats.dropped]).toEqual([20_000, 0]);
  });

  it.each([0, -1, NaN])('rejects capacity %s', (capacity) => {
    expect(() => new BoundedQueue(capacity)).toThrow(`queue capacity must be positive, got ${capacity}`);
  });
});

describe('MemoryStore', () => {
  it('returns how many it dropped to make room: the oldest', () => {
    const s = new MemoryStore(2);
    expect([s.push('a'), s.push('b'), s.push('c')]).toEqual([0, 0, 1]);
    expect(s.waiting).toBe(2);
    expect(s.take(10)).toEqual(['b', 'c']);
    expect(s.waiting).toBe(0);
  });

  it('takes at most n, oldest first; ack is a no-op and it is not durable', () => {
    const s = new MemoryStore(10);
    for (const p of ['1', '2', '3', '4', '5']) s.push(p);
    expect(s.take(2)).toEqual(['1', '2']);
    s.ack();
    expect(s.waiting).toBe(3);
    expect(s.take(2)).toEqual(['3', '4']);
    expect(s.take(2)).toEqual(['5']);
    expect(s.take(2)).toEqual([]);
    expect(s.durable).toBe(false);
  });

  it('capacity 0 is unbounded (Falco outputs_queue.capacity: 0)', () => {
    const s = new MemoryStore(0);
    let dropped = 0;
    for (let i = 0; i < 15_000; i++) dropped += s.push(String(i));
    expect([dropped, s.waiting]).toEqual([0, 15_000]);
    expect(s.take(1)).toEqual(['0']);
  });

  it('discard() forgets what waits and says how many', () => {
    const s = new MemoryStore(5);
    for (const p of ['a', 'b', 'c']) s.push(p);
    s.take(1);
    expect(s.discard()).toBe(2);
    expect([s.waiting, s.take(5).length]).toEqual([0, 0]);
    expect(s.discard()).toBe(0);
  });
});
