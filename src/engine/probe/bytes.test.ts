import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cstr, i32, int64, text, u16, u32, u64big, uint64 } from './bytes.js';

describe('byte reads', () => {
  it('agree with Buffer#read* on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(u16(b, 0)).toBe(b.readUInt16LE(0));
        expect(u32(b, 0)).toBe(b.readUInt32LE(0));
        expect(i32(b, 0)).toBe(b.readInt32LE(0));
        // The same double the decoder always computed (exact for fds, pids and results).
        expect(int64(b, 0)).toBe(b.readInt32LE(4) * 2 ** 32 + b.readUInt32LE(0));
        expect(u64big(b, 0)).toBe(b.readBigUInt64LE(0));
        const u = uint64(b, 0);
        expect(BigInt(u)).toBe(b.readBigUInt64LE(0));
        expect(typeof u).toBe(b.readBigUInt64LE(0) < 2n ** 53n ? 'number' : 'bigint');
      }),
      { numRuns: 5000 },
    );
  });

  it("decode text exactly as toString('utf8'), ASCII or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(text(b, 0, b.length)).toBe(b.toString('utf8'));
      }),
      { numRuns: 5000 },
    );
    const b = Buffer.from('/tmp/caf\u00e9\0rest', 'utf8');
    expect(cstr(b, 0, b.length)).toBe('/tmp/caf\u00e9');
    expect(cstr(Buffer.from('abc'), 0, 3)).toBe('abc');
  });
});
