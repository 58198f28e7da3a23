// Pattern operators: glob/iglob (fnmatch), regex (whole-value match, like RE2 FullMatch in
// libsinsp), and pmatch (path prefix against a list: /usr/lib matches /usr/lib and /usr/lib/x).
// Patterns compile once, at rule compile time.

import { globToRegExp } from '../../../engine/fields/glob.js';
import { js } from '../codegen.js';
import { fail, prepare, type TestInput, type TestResult } from './types.js';

/** Directory prefixes for pmatch; a prefix matches itself and anything below it. */
export class PathPrefixes {
  private readonly exact = new Set<string>();
  private readonly dirs: string[] = [];

  constructor(prefixes: readonly string[]) {
    for (const p of prefixes) {
      const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
      this.exact.add(trimmed);
      this.dirs.push(trimmed === '/' ? '/' : `${trimmed}/`);
    }
  }

  has(path: string | undefined): boolean {
    if (path === undefined) return false;
    if (this.exact.has(path)) return true;
    for (const d of this.dirs) if (path.startsWith(d)) return true;
    return false;
  }
}

export function patterns(input: TestInput): TestResult {
  const { op, items, v, b } = input;
  if (input.type !== 'string') return fail('bad-operator', `'${op}' needs a text field, not a ${input.type} one`, input.span);
  if (op === 'pmatch') {
    const set = prepare(input, 'pmatch', () => new PathPrefixes(items.map((i) => i.text)));
    return { ok: true, code: js`${b.constant(set)}.has(${v})` };
  }
  if (items.length !== 1) return fail('bad-value', `'${op}' compares with one pattern, not a list`, input.valueSpan);
  const text = items[0]!.text;
  let re: RegExp;
  if (op === 'regex') {
    try {
      re = prepare(input, 'regex', () => new RegExp(`^(?:${text})$`));
    } catch (err) {
      return fail('bad-regex', `invalid regular expression: ${(err as Error).message}`, items[0]!.span);
    }
  } else {
    re = prepare(input, op, () => globToRegExp(text, op === 'iglob'));
  }
  return { ok: true, code: js`(${v} !== undefined && ${b.constant(re)}.test(${v}))` };
}
