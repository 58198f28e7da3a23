// Unescaping of quoted condition strings, kept apart like libsinsp's `escaping` unit.
//
// Backslash escapes the quote characters, the backslash itself and the usual control letters. Any
// other escape is kept as written, backslash included: Falco's own rules rely on that, e.g.
// `proc.args contains "\ "` looks for a literal backslash followed by a space.

const SIMPLE: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
};

/** The value of a quoted string token, quotes removed and escapes resolved. */
export function unquote(text: string): string {
  const body = text.slice(1, -1);
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const next = body[i + 1] as string;
    const mapped = SIMPLE[next];
    out += mapped ?? c + next;
    i++;
  }
  return out;
}
