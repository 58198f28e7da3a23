import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { BoundedQueue } from './queue.js';
import { StreamChannel } from './stream.js';

describe('BoundedQueue', () => {
  it('drops the oldest item when full and counts it', () => {
    const q = new BoundedQueue<number>(2);
    expect(q.push(1)).toBe(true);
    expect(q.push(2)).toBe(true);
    expect(q.push(3)).toBe(false);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([2, 3, undefined]);
    expect(q.stats.dropped).toBe(1);
  });

  it('rejects a capacity that is not positive', () => {
    expect(() => new BoundedQueue(0)).toThrow(/capacity/);
  });
});

describe('StreamChannel', () => {
  it('writes lines in order and counts what a stalled reader made it drop', async () => {
    const chunks: string[] = [];
    let release: (() => void) | undefined;
    // A reader that takes one chunk and then stalls until released, like a full pipe.
    const stream = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        if (chunks.length === 1) release = done;
        else done();
      },
    });
    const ch = new StreamChannel({ name: 't', stream, json: false, capacity: 3, ownsStream: true });
    for (let i = 0; i < 10; i++) ch.send({ text: `alert ${i}`, json: '{}' });
    expect(ch.stats().dropped).toBe(6);
    release?.();
    await ch.close();
    expect(chunks.join('').trim().split('\n')).toEqual(['alert 0', 'alert 7', 'alert 8', 'alert 9']);
    expect(ch.stats()).toMatchObject({ sent: 4, dropped: 6 });
  });
});
