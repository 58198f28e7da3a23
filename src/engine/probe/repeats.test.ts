import { describe, expect, it } from 'vitest';
import { cgroupIdAt, commAt } from './repeats.js';

function comm16(s: string): Buffer {
  const b = Buffer.alloc(16);
  b.write(s.slice(0, 16), 'utf8');
  return b;
}

describe('repeated header values', () => {
  it('give each comm its own text, cached or not', () => {
    const names = ['bash', 'bash', 'nginx', 'sh', 'node', 'sh', 'a-very-long-nam', 'a-very-long-name', 'caf\u00e9', ''];
    for (let round = 0; round < 2; round++) for (const n of names) expect(commAt(comm16(n), 0)).toBe(n.slice(0, 16));
    // Thousands of distinct comms: the cache clears itself and stays right.
    for (let i = 0; i < 10_000; i++) expect(commAt(comm16(`w${i}`), 0)).toBe(`w${i}`);
  });

  it('reuse a cgroup id only when its bytes are the same', () => {
    const b = Buffer.alloc(8);
    for (const id of [7n, 7n, 2n ** 40n + 7n, 7n, 0n, 2n ** 64n - 1n]) {
      b.writeBigUInt64LE(id);
      expect(cgroupIdAt(b, 0)).toBe(id);
    }
  });
});
