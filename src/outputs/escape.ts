// Alert text is built from attacker-chosen strings (file names, command lines, env values). Before
// it reaches a text channel, every character that could end a line, repaint a terminal, reorder
// text or start a new syslog frame is written as an escape, so one alert is always one line and
// reads as what it is. JSON output needs none of this: its encoder escapes, and JSON stays valid.
//
//   newline, carriage return, tab        \n \r \t
//   other C0 controls, DEL (ESC: \x1b)   \xNN
//   C1 controls U+0080-U+009F            \u0085
//   line and paragraph separators,
//   bidi controls (U+061C, U+200E/F,
//   U+202A-E, U+2066-9)                  \u2028
//   bytes that were not valid UTF-8      \xNN (the original byte; the decoder keeps it, see
//                                         src/engine/probe/bytes.ts)
//   other lone surrogates                \uDxxx
// Backslashes are left as they are: a literal "\n" in a name stays readable, and cannot break a line.
//
// JSON's encoder escapes C0 controls and lone surrogates but passes DEL, C1 controls (U+009B starts
// a terminal escape sequence), line separators and bidi controls through; jsonSafe writes those as
// \uXXXX too, so a JSON line read on a terminal is as inert as a text line.

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/u;
const UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/gu;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

function escapeOne(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x0a) return '\\n';
  if (c === 0x0d) return '\\r';
  if (c === 0x09) return '\\t';
  if (c < 0x20 || c === 0x7f) return `\\x${hex2(c)}`;
  // The decoder maps a byte that is not valid UTF-8 to U+DC80 + byte (Python's surrogateescape).
  if (c >= 0xdc80 && c <= 0xdcff) return `\\x${hex2(c - 0xdc00)}`;
  return `\\u${hex4(c)}`;
}

/** `s` with every unsafe character escaped; `s` itself (no copy) when there is none. */
export function escapeText(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeOne) : s;
}

/** Whether `s` holds a character escapeText would escape (for tests and assertions). */
export function isSafeText(s: string): boolean {
  return !UNSAFE.test(s);
}

const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const JSON_UNSAFE_ALL = /[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Encoded JSON text with the characters JSON.stringify leaves raw written as \uXXXX: same value, inert text. */
export function jsonSafe(json: string): string {
  return JSON_UNSAFE.test(json) ? json.replace(JSON_UNSAFE_ALL, (c) => `\\u${hex4(c.charCodeAt(0))}`) : json;
}
