// The condition parser: text in, AST out (src/rules/ast.ts), or a ConditionSyntaxError pointing at
// the offending token. The grammar is condition.ne, compiled by `npm run build:grammar`.

import nearley from 'nearley';
import type { ConditionSource, Expr, FieldRef, Span, Value } from '../ast.js';
import grammarRules from './condition.generated.js';
import { syntaxError } from './errors.js';
import type { Token, TokenType } from './lexer.js';

export { ConditionSyntaxError } from './errors.js';
export { DOTTED_ARG_FIELDS } from './build.js';
export { unquote } from './escaping.js';

const grammar = nearley.Grammar.fromCompiled(grammarRules as unknown as nearley.CompiledRules);

/** The parts of nearley's parse table we read to explain a failure (absent from its typings). */
interface ParseState {
  rule: { name: string; symbols: readonly unknown[] };
  dot: number;
  reference: number;
}
interface ParseTable {
  table: { states: ParseState[] }[];
}

/**
 * Parses a Falco condition. Every node's span is stamped with `src` when given, so errors found by
 * later passes can be shown as file:line:col even after macros from other texts were inlined.
 * @throws ConditionSyntaxError for any text that is not a valid condition.
 */
export function parseCondition(text: string, src?: ConditionSource): Expr {
  const parser = new nearley.Parser(grammar);
  try {
    parser.feed(text);
  } catch (err) {
    const token = nearleyToken(err);
    if (token === undefined) throw err;
    const table = (parser as unknown as ParseTable).table;
    throw syntaxError(text, { token, ...expectations(table[table.length - 2]?.states ?? []) });
  }
  const results = parser.results as Expr[];
  if (results.length === 0) {
    const table = (parser as unknown as ParseTable).table;
    throw syntaxError(text, { token: undefined, ...expectations(table[table.length - 1]?.states ?? []) });
  }
  if (results.length > 1) {
    // A grammar bug, not a user mistake: the grammar promises one parse per condition.
    throw new Error(`condition grammar is ambiguous: ${results.length} parses of ${JSON.stringify(text)}`);
  }
  const expr = results[0] as Expr;
  if (src !== undefined) stampExpr(expr, src);
  return expr;
}

/** The token nearley failed on, when the error is a syntax error rather than a bug. */
function nearleyToken(err: unknown): Token | undefined {
  if (typeof err !== 'object' || err === null || !('token' in err)) return undefined;
  const t = (err as { token: unknown }).token;
  if (typeof t !== 'object' || t === null || !('type' in t) || !('offset' in t) || !('text' in t)) return undefined;
  const { type, offset, text } = t as { type: unknown; offset: unknown; text: unknown };
  if (typeof type !== 'string' || typeof offset !== 'number' || typeof text !== 'string') return undefined;
  return { type: type as TokenType, offset, text };
}

function expectations(states: readonly ParseState[]): { expected: Set<string>; couldEnd: boolean } {
  const expected = new Set<string>();
  let couldEnd = false;
  for (const s of states) {
    const next = s.rule.symbols[s.dot];
    if (typeof next === 'object' && next !== null && 'type' in next) expected.add(String(next.type));
    if (s.rule.name === grammar.start && s.dot === s.rule.symbols.length && s.reference === 0) couldEnd = true;
  }
  return { expected, couldEnd };
}

function stamp(span: Span, src: ConditionSource): void {
  span.src = src;
}

function stampField(f: FieldRef, src: ConditionSource): void {
  stamp(f.span, src);
}

function stampValue(v: Value, src: ConditionSource): void {
  stamp(v.span, src);
  if (v.kind === 'list') for (const item of v.items) stamp(item.span, src);
  else if (v.kind === 'fieldval') stampField(v.field, src);
}

function stampExpr(e: Expr, src: ConditionSource): void {
  stamp(e.span, src);
  switch (e.kind) {
    case 'and':
    case 'or':
      stampExpr(e.left, src);
      stampExpr(e.right, src);
      return;
    case 'not':
      stampExpr(e.expr, src);
      return;
    case 'compare':
      stampField(e.field, src);
      stampValue(e.value, src);
      return;
    case 'unary':
      stampField(e.field, src);
      return;
    case 'macro':
    case 'const':
      return;
  }
}
