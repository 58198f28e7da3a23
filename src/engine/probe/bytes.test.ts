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

  it("decode valid UTF-8 exactly as toString('utf8')", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
        const b = Buffer.from(s, 'utf8');
        expect(text(b, 0, b.length)).toBe(b.toString('utf8'));
      }),
      { numRuns: 3000 },
    );
  });

  it('keep each byte that is not valid UTF-8 as U+DC80+byte, so the bytes can be told back', () => {
    // The inverse: lone U+DC80..U+DCFF back to their byte, everything else as UTF-8.
    const back = (s: string) =>
      Buffer.concat([...s].map((ch) => (/^[\udc80-\udcff]$/.test(ch) ? Buffer.from([ch.charCodeAt(0) - 0xdc00]) : Buffer.from(ch, 'utf8'))));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const b = Buffer.from(bytes);
        const s = text(b, 0, b.length);
        expect(back(s).equals(b)).toBe(true);
        if (!s.includes('\ufffd') && !/[\udc80-\udcff]/.test(s)) expect(s).toBe(b.toString('utf8'));
      }),
      { numRuns: 5000 },
    );
    const cases: [number[], string][] = [
      [[0x61, 0xff, 0x62], 'a\udcffb'],
      [[0xc3, 0xa9], '\u00e9'],
      [[0xc3], '\udcc3'],
      [[0xe0, 0x80, 0x80], '\udce0\udc80\udc80'], // overlong
      [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // a UTF-16 surrogate in UTF-8
      [[0xef, 0xbf, 0xbd], '\ufffd'], // a genuine U+FFFD stays one
      [[0xf0, 0x9f, 0x98, 0x80, 0x80], '\u{1f600}\udc80'],
    ];
    for (const [bytes, want] of cases) expect(text(Buffer.from(bytes), 0, bytes.length)).toBe(want);
  });

  it('read NUL-terminated strings', () => {
    const b = Buffer.from('/tmp/caf\u00e9\0rest', 'utf8');
    expect(cstr(b, 0, b.length)).toBe('/tmp/caf\u00e9');
    expect(cstr(Buffer.from('abc'), 0, 3)).toBe('abc');
  });
});
