// `field op val(other)`: comparing two fields of the same event. Both values are known to be
// present when this code runs (compile.ts guards for undefined first).

import type { CompareOp, Span } from '../ast.js';
import { js, type Code } from './codegen.js';
import { fail, type TestResult } from './ops/types.js';

export function compareFields(op: CompareOp, a: Code, b: Code, span: Span): TestResult {
  switch (op) {
    case '=':
    case '==':
      return { ok: true, code: js`${a} === ${b}` };
    case '!=':
      return { ok: true, code: js`${a} !== ${b}` };
    case '<':
      return { ok: true, code: js`${a} < ${b}` };
    case '<=':
      return { ok: true, code: js`${a} <= ${b}` };
    case '>':
      return { ok: true, code: js`${a} > ${b}` };
    case '>=':
      return { ok: true, code: js`${a} >= ${b}` };
    case 'contains':
      return { ok: true, code: js`(typeof ${a} === 'string' && ${a}.includes(String(${b})))` };
    case 'startswith':
      return { ok: true, code: js`(typeof ${a} === 'string' && ${a}.startsWith(String(${b})))` };
    case 'endswith':
      return { ok: true, code: js`(typeof ${a} === 'string' && ${a}.endsWith(String(${b})))` };
    default:
      return fail('bad-operator', `'${op}' cannot compare with val(); use =, !=, <, <=, >, >=, contains, startswith or endswith`, span);
  }
}
