// Pattern operators: glob/iglob (fnmatch), regex (whole-value match, like RE2 FullMatch in
// libsinsp), and pmatch (path prefix against a list: /usr/lib matches /usr/lib and /usr/lib/x).
// Patterns compile once, at rule compile time.
//
// regex runs on RE2 (re2js, a pure-JS port): the values it is matched against are file names,
// command lines and the like that an attacker chooses, and a backtracking engine (RegExp) can be
// made to take exponential time on them (`(a+)+$` against 'aaa...!'); RE2 is linear in the input.
// It also gives Falco's syntax: RE2's, not JavaScript's (no backreferences or lookaround).

import { RE2JS } from 're2js';
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
  if (op === 'regex') {
    let re: RE2JS;
    try {
      re = prepare(input, 'regex', () => RE2JS.compile(text));
    } catch (err) {
      return fail('bad-regex', `invalid regular expression (RE2 syntax): ${regexProblem(err)}`, items[0]!.span);
    }
    // matches() is a whole-input match, as RE2::FullMatch.
    return { ok: true, code: js`(${v} !== undefined && ${b.constant(re)}.matches(${v}))` };
  }
  const re = prepare(input, op, () => globToRegExp(text, op === 'iglob'));
  return { ok: true, code: js`(${v} !== undefined && ${b.constant(re)}.test(${v}))` };
}

/** RE2's own words for what is wrong ("missing closing )"), without its "error parsing regexp:" lead. */
function regexProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^error parsing regexp:\s*/, '');
}
