// `<`, `<=`, `>`, `>=` on numeric fields (numbers, ports, times). `undefined` (not available)
// compares false with everything in JS, which is exactly libsinsp's rule.

import { js } from '../codegen.js';
import { coerceItem, isNumeric } from '../values.js';
import { fail, type TestInput, type TestResult } from './types.js';

export function order(input: TestInput): TestResult {
  const { op, items, v, b } = input;
  if (!isNumeric(input.type)) return fail('bad-operator', `'${op}' needs a numeric field, not a ${input.type} one`, input.span);
  if (items.length !== 1) return fail('bad-value', `'${op}' compares with one value, not a list`, input.valueSpan);
  const c = coerceItem(input.type, items[0]!);
  if (!c.ok) return { ok: false, errors: [c.error] };
  const k = b.constant(c.value);
  switch (op) {
    case '<':
      return { ok: true, code: js`${v} < ${k}` };
    case '<=':
      return { ok: true, code: js`${v} <= ${k}` };
    case '>':
      return { ok: true, code: js`${v} > ${k}` };
    default:
      return { ok: true, code: js`${v} >= ${k}` };
  }
}
