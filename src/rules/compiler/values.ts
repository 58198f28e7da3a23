// Turns right-hand-side text into typed constants for a field type, so comparisons at run time are
// plain `===`/`<` on values of the same JS type. Bad values are errors at the value's span.

import type { FieldType, SpanError } from '../types.js';
import type { RhsItem } from './ops/types.js';

export type Scalar = string | number | bigint | boolean;

export type Coerced = { ok: true; value: Scalar } | { ok: false; error: SpanError };

const INT = /^[-+]?(?:0x[0-9a-f]+|\d+)$/i;

/** What the runtime value of a field type looks like. */
export function isNumeric(type: FieldType): boolean {
  return type === 'number' || type === 'port' || type === 'abstime' || type === 'reltime';
}

export function coerceItem(type: FieldType, item: RhsItem): Coerced {
  const bad = (what: string): Coerced => ({
    ok: false,
    error: { code: 'bad-value', message: `'${item.text}' is not ${what}, as this ${type} field needs`, span: item.span },
  });
  switch (type) {
    case 'number':
    case 'port': {
      if (!INT.test(item.text)) return bad('a number');
      const neg = item.text.startsWith('-');
      const digits = item.text.replace(/^[-+]/, '');
      const n = Number(digits);
      return { ok: true, value: neg ? -n : n };
    }
    case 'abstime':
    case 'reltime': {
      if (!INT.test(item.text)) return bad('a number');
      const neg = item.text.startsWith('-');
      const n = BigInt(item.text.replace(/^[-+]/, ''));
      return { ok: true, value: neg ? -n : n };
    }
    case 'bool': {
      const t = item.text.toLowerCase();
      if (t === 'true') return { ok: true, value: true };
      if (t === 'false') return { ok: true, value: false };
      return bad('true or false');
    }
    default:
      return { ok: true, value: item.text };
  }
}

/** Coerces every item, collecting all errors. */
export function coerceAll(type: FieldType, items: readonly RhsItem[]): { values: Scalar[]; errors: SpanError[] } {
  const values: Scalar[] = [];
  const errors: SpanError[] = [];
  for (const item of items) {
    const c = coerceItem(type, item);
    if (c.ok) values.push(c.value);
    else errors.push(c.error);
  }
  return { values, errors };
}
