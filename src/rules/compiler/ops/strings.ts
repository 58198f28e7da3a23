// Substring operators on text fields: contains, icontains, startswith, endswith and their byte
// forms (bcontains CAFEBABE: the value is hex). Every test first checks the value is there.

import { js } from '../codegen.js';
import { fail, prepare, type TestInput, type TestResult } from './types.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function strings(input: TestInput): TestResult {
  const { op, items, v, b } = input;
  if (input.type !== 'string' && input.type !== 'bytes') {
    return fail('bad-operator', `'${op}' needs a text field, not a ${input.type} one`, input.span);
  }
  if (items.length !== 1) return fail('bad-value', `'${op}' compares with one value, not a list`, input.valueSpan);
  let text = items[0]!.text;
  if (op === 'bcontains' || op === 'bstartswith') {
    if (!/^(?:[0-9a-f]{2})+$/i.test(text)) return fail('bad-value', `'${text}' is not a hex byte string`, items[0]!.span);
    text = Buffer.from(text, 'hex').toString('latin1');
  }
  const k = b.constant(text);
  switch (op) {
    case 'contains':
    case 'bcontains':
      return { ok: true, code: js`(${v} !== undefined && ${v}.includes(${k}))` };
    case 'startswith':
    case 'bstartswith':
      return { ok: true, code: js`(${v} !== undefined && ${v}.startsWith(${k}))` };
    case 'endswith':
      return { ok: true, code: js`(${v} !== undefined && ${v}.endsWith(${k}))` };
    default: {
      // icontains: a case-insensitive RegExp avoids lower-casing (and allocating) the value per event.
      const re = prepare(input, 'icontains', () => new RegExp(escapeRegExp(text), 'i'));
      return { ok: true, code: js`(${v} !== undefined && ${b.constant(re)}.test(${v}))` };
    }
  }
}
