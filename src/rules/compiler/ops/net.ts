// Comparisons on IP address and network fields: `fd.sip = 10.0.0.1`, `fd.net = 127.0.0.0/8`,
// `fd.snet in (rfc_1918_addresses)`. Both sides become IpSets; an address field compared with a
// network tests membership, as libsinsp does for ipnet fields.

import { js } from '../codegen.js';
import { IpSet, parseNet } from '../ipset.js';
import type { SpanError } from '../../types.js';
import { fail, prepare, type TestInput, type TestResult } from './types.js';

export function net(input: TestInput): TestResult {
  const { op, items, v, b } = input;
  if (op !== '=' && op !== '==' && op !== '!=' && op !== 'in' && op !== 'intersects') {
    return fail('bad-operator', `'${op}' does not apply to ${input.type} fields (use =, !=, in)`, input.span);
  }
  if ((op === '=' || op === '==' || op === '!=') && items.length !== 1) {
    return fail('bad-value', `'${op}' compares with one value, not a list`, input.valueSpan);
  }
  const errors: SpanError[] = [];
  const nets = items.flatMap((i) => {
    const n = parseNet(i.text);
    if (!n) errors.push({ code: 'bad-value', message: `'${i.text}' is not an IP address or network`, span: i.span });
    return n ? [n] : [];
  });
  if (errors.length) return { ok: false, errors };
  const set = b.constant(prepare(input, 'ipset', () => new IpSet(nets)));
  return { ok: true, code: op === '!=' ? js`(${v} !== undefined && !${set}.has(${v}))` : js`${set}.has(${v})` };
}
