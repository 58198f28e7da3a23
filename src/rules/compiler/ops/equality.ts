// `=`, `==`, `!=`, `in`, `intersects` on strings, numbers, times and bools. Values were coerced to
// the field's JS type at compile time, so these are `===` and Set lookups at run time.

import { js } from '../codegen.js';
import { coerceAll } from '../values.js';
import { fail, prepare, type TestInput, type TestResult } from './types.js';

export function equality(input: TestInput): TestResult {
  const { op, items, v, b } = input;
  const { values, errors } = coerceAll(input.type, items);
  if (errors.length) return { ok: false, errors };
  if (op === 'in' || op === 'intersects') {
    // One-item lists are as common as long ones in Falco rules; `===` beats a Set lookup there.
    if (values.length === 1) return { ok: true, code: js`${v} === ${b.constant(values[0])}` };
    const set = prepare(input, 'set', () => new Set(values));
    return { ok: true, code: js`${b.constant(set)}.has(${v})` };
  }
  if (values.length !== 1) return fail('bad-value', `'${op}' compares with one value, not a list`, input.valueSpan);
  const k = b.constant(values[0]);
  // libsinsp: a field that is not available makes every comparison false, `!=` included.
  return { ok: true, code: op === '!=' ? js`(${v} !== undefined && ${v} !== ${k})` : js`${v} === ${k}` };
}
