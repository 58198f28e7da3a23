import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeText, isSafeText, jsonSafe } from './escape.js';

describe('escapeText', () => {
  it.each([
    ['newline', 'a\nb', 'a\\nb'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['CRLF', 'x\r\ny', 'x\\r\\ny'],
    ['NUL', 'a\0b', 'a\\x00b'],
    ['BEL and backspace', '\x07\x08', '\\x07\\x08'],
    ['vertical tab, form feed', '\v\f', '\\x0b\\x0c'],
    ['ESC of an ANSI colour', '\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
    ['ESC of an OSC title', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['unit separator', '\x1f', '\\x1f'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['C1 U+0080', '\u0080', '\\u0080'],
    ['C1 NEL U+0085', 'a\u0085b', 'a\\u0085b'],
    ['C1 CSI U+009B', '\u009b31m', '\\u009b31m'],
    ['C1 U+009F', '\u009f', '\\u009f'],
    ['line separator U+2028', 'a\u2028b', 'a\\u2028b'],
    ['paragraph separator U+2029', 'a\u2029b', 'a\\u2029b'],
    ['RLO U+202E', 'evil\u202Etxt.exe', 'evil\\u202etxt.exe'],
    ['LRE U+202A', '\u202A', '\\u202a'],
    ['LRI U+2066 and PDI U+2069', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['LRM U+200E, RLM U+200F', '\u200e\u200f', '\\u200e\\u200f'],
    ['Arabic letter mark U+061C', 'a\u061cb', 'a\\u061cb'],
    ['a byte that was not UTF-8, 0xFF', 'x\udcffy', 'x\\xffy'],
    ['a byte that was not UTF-8, 0x80', '\udc80', '\\x80'],
    ['a lone low surrogate below the byte range', '\udc7f', '\\udc7f'],
    ['a lone high surrogate', 'a\ud800b', 'a\\ud800b'],
    ['a high surrogate at the end', 'a\udbff', 'a\\udbff'],
    ['a reversed pair', '\ude00\ud83d', '\\ude00\\ud83d'],
  ])('%s', (_what, input, escaped) => {
    expect(escapeText(input)).toBe(escaped);
    expect(isSafeText(escapeText(input))).toBe(true);
    expect(isSafeText(input)).toBe(false);
  });

  it.each([
    ['plain ASCII', '/usr/bin/cat /etc/shadow'],
    ['accented letters', 'café Ünïcødé'],
    ['emoji (surrogate pairs)', 'shell 🐚 in 🐳 container 👩‍💻'],
    ['CJK and RTL letters without controls', '日本語 עברית العربية'],
    ['backslashes, also before n', 'C:\\temp\\new \\n \\x1b'],
    ['quotes', `"it's" \`x\``],
    ['NBSP and BOM', '\u00a0\ufeff'],
    ['empty', ''],
  ])('leaves %s untouched (the same string)', (_what, input) => {
    expect(escapeText(input)).toBe(input);
    expect(isSafeText(input)).toBe(true);
  });
});

/** The characters a text channel must never carry, defined here independently of escape.ts. */
function unsafeChars(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a well-formed pair
        continue;
      }
    }
    const bad =
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x2028 && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      (c >= 0xd800 && c <= 0xdfff);
    if (bad) out.push(s[i]!);
  }
  return out;
}

// Characters chosen to hit every class, mixed with any UTF-16 code unit (lone surrogates
// included) and any code point.
const hostileChar = fc.oneof(
  fc.constantFrom('\n', '\r', '\t', '\0', '\x1b', '\x7f', '\u0085', '\u009b', '\u061c', '\u200f', '\u2028', '\u2029', '\u202e', '\u2066', '\udcff', '\ud83d', '\\', '"', 'é', '🐳'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostile = fc.string({ unit: hostileChar, maxLength: 40 });

describe('escapeText properties', () => {
  it('leaves no unsafe character and no newline in any string', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const e = escapeText(s);
        expect(unsafeChars(e)).toEqual([]);
        expect(e.includes('\n')).toBe(false);
        expect(isSafeText(e)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is the identity on strings without unsafe characters', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const safe = s.replace(/[\s\S]/gu, (ch) => (unsafeChars(ch).length ? '' : ch));
        expect(unsafeChars(safe)).toEqual([]);
        expect(escapeText(safe)).toBe(safe);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every safe character in place: unescaping the escapes gives the input back', () => {
    // Inverse of the escape forms, for strings without backslashes of their own.
    const unescape = (e: string) =>
      e.replace(/\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_m, code: string) => {
        if (code === 'n') return '\n';
        if (code === 'r') return '\r';
        if (code === 't') return '\t';
        const n = parseInt(code.slice(1), 16);
        return code[0] === 'x' && n >= 0x80 ? String.fromCharCode(0xdc00 + n) : String.fromCharCode(n);
      });
    fc.assert(
      fc.property(hostile, (s) => {
        const noBackslash = s.replace(/\\/g, '');
        expect(unescape(escapeText(noBackslash))).toBe(noBackslash);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('jsonSafe', () => {
  it('writes what JSON.stringify leaves raw (DEL, C1, separators, bidi) as \\u escapes, keeping the value', () => {
    const value = 'a\u007fb\u009b31mc\u2028d\u202ee\u2066f\u061cg é 😀';
    const raw = JSON.stringify({ v: value });
    const safe = jsonSafe(raw);
    expect(safe).toBe('{"v":"a\\u007fb\\u009b31mc\\u2028d\\u202ee\\u2066f\\u061cg é 😀"}');
    expect((JSON.parse(safe) as { v: string }).v).toBe(value);
    expect(jsonSafe('{"v":"plain"}')).toBe('{"v":"plain"}');
  });
});
