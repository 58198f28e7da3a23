// Parses an output template into literal text and field references: `%proc.name`,
// `%proc.aname[2]`, `%evt.arg.flags`, `%tolower(proc.name)`; `%%` is a literal percent sign.
// A field name runs over [A-Za-z0-9_.]; dots at its end belong to the text ("opened %fd.name.").

import type { Transformer } from '../ast.js';

export interface TemplateField {
  /** The reference as written after `%`, which is also its key in output_fields (`proc.aname[2]`). */
  key: string;
  name: string;
  arg?: string;
  transformers: Transformer[];
  /** Offsets of the reference in the template, `%` included. */
  start: number;
  end: number;
}

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'field'; field: TemplateField };

const TRANSFORMERS = new Set<string>(['tolower', 'toupper', 'b64', 'basename', 'len']);
const NAME_CHAR = /[A-Za-z0-9_.]/;

export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const ref = readRef(text, i);
    if (!ref) {
      lit += c;
      i++;
      continue;
    }
    if (lit) parts.push({ kind: 'text', text: lit });
    lit = '';
    parts.push({ kind: 'field', field: ref });
    i = ref.end;
  }
  if (lit) parts.push({ kind: 'text', text: lit });
  return parts;
}

/** Reads `name`, `name[arg]` or `fn(name[arg])` after the `%` at `at`. */
function readRef(text: string, at: number): TemplateField | undefined {
  let i = at + 1;
  const transformers: Transformer[] = [];
  // Transformers nest: %toupper(basename(fd.name)).
  for (;;) {
    const m = /^([a-z0-9]+)\(/.exec(text.slice(i, i + 12));
    if (!m || !TRANSFORMERS.has(m[1]!)) break;
    transformers.unshift(m[1] as Transformer);
    i += m[0].length;
  }
  const nameStart = i;
  while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
  let nameEnd = i;
  let arg: string | undefined;
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) return undefined;
    arg = text.slice(i + 1, close);
    i = close + 1;
  } else {
    while (nameEnd > nameStart && text[nameEnd - 1] === '.') nameEnd--;
    i = nameEnd;
  }
  const name = text.slice(nameStart, nameEnd);
  if (!/^[A-Za-z]/.test(name) || !name.includes('.')) return undefined;
  for (let n = 0; n < transformers.length; n++) {
    if (text[i] !== ')') return undefined;
    i++;
  }
  const key = text.slice(at + 1, i);
  const field: TemplateField = { key, name, transformers, start: at, end: i };
  if (arg !== undefined) field.arg = arg;
  return field;
}
