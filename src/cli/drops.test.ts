import { describe, expect, it } from 'vitest';
import { DropPolicy } from './drops.js';

describe('DropPolicy', () => {
  it('alerts when the share of a second lost passes the threshold, not below it', () => {
    const p = new DropPolicy({ threshold: 0.1, rate: 1 / 30, maxBurst: 1 });
    expect(p.observe(5, 0, 95, 0)).toBeUndefined(); // 5%
    expect(p.observe(10, 5, 85, 1000)).toEqual({ ring: 15, batch: 5, delivered: 180, seconds: 2 }); // 15%, with the 5 before
  });

  it('alerts at most once per interval, and the next alert counts what it held back', () => {
    const p = new DropPolicy({ threshold: 0, rate: 1 / 30, maxBurst: 1 });
    expect(p.observe(1, 0, 10, 0)).toMatchObject({ ring: 1 });
    expect(p.observe(2, 0, 10, 1000)).toBeUndefined();
    expect(p.observe(0, 3, 10, 29_999)).toBeUndefined();
    expect(p.observe(4, 0, 10, 30_000)).toEqual({ ring: 6, batch: 3, delivered: 30, seconds: 3 });
  });

  it('lets max_burst actions through at once, then rate per second', () => {
    const p = new DropPolicy({ threshold: 0, rate: 0.5, maxBurst: 2 });
    const due = [0, 100, 200, 1900, 2100, 3000, 4100].map((t) => p.observe(1, 0, 10, t) !== undefined);
    expect(due).toEqual([true, true, false, false, true, false, true]);
  });

  it('with rate 0, acts on every second over the threshold', () => {
    const p = new DropPolicy({ threshold: 0, rate: 0, maxBurst: 1 });
    expect([0, 1, 2].map((t) => p.observe(1, 0, 10, t) !== undefined)).toEqual([true, true, true]);
  });

  it('with threshold 0, alerts on any drop', () => {
    expect(new DropPolicy({ threshold: 0, rate: 0, maxBurst: 1 }).observe(1, 0, 1_000_000, 0)).toBeDefined();
  });

  it('refuses a threshold outside [0, 1)', () => {
    expect(() => new DropPolicy({ threshold: 1, rate: 0, maxBurst: 1 })).toThrow(/below 1, got 1/);
    expect(() => new DropPolicy({ threshold: Number.NaN, rate: 0, maxBurst: 1 })).toThrow(/got NaN/);
  });
});
