// AST construction for the grammar's postprocessors. nearley hands each postprocessor the matched
// symbols as an untyped array; these functions give them shape and compute spans from token offsets.
// Spans here carry no `src`: parseCondition stamps it on every node once the parse succeeded.

import type { CompareOp, Expr, FieldRef, ListItem, Span, Transformer, UnaryOp, Value } from '../ast.js';
import { unquote } from './escaping.js';

/** What moo gives the parser for a token (only what we read). */
interface Tok {
  type: string;
  text: string;
  offset: number;
}

type Data = readonly unknown[];

const tok = (d: Data, i: number): Tok => d[i] as Tok;
const tokSpan = (t: Tok): Span => ({ start: t.offset, end: t.offset + t.text.length });
const join = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });

/**
 * Fields whose argument may follow a dot instead of brackets: `evt.arg.flags` is `evt.arg[flags]`.
 * Other fields keep their full dotted name; the field catalog decides whether it exists.
 */
export const DOTTED_ARG_FIELDS: readonly string[] = ['evt.arg', 'evt.rawarg'];

export function binary(kind: 'and' | 'or'): (d: Data) => Expr {
  return (d) => {
    const left = d[0] as Expr;
    const right = d[2] as Expr;
    return { kind, left, right, span: join(left.span, right.span) };
  };
}

export function not(d: Data): Expr {
  const expr = d[1] as Expr;
  return { kind: 'not', expr, span: join(tokSpan(tok(d, 0)), expr.span) };
}

/** `( expr )`: the node itself, its span widened to the parentheses so carets cover them. */
export function group(d: Data): Expr {
  const inner = d[1] as Expr;
  return { ...inner, span: join(tokSpan(tok(d, 0)), tokSpan(tok(d, 2))) };
}

export function macro(d: Data): Expr {
  const t = tok(d, 0);
  return { kind: 'macro', name: t.text, span: tokSpan(t) };
}

export function compare(d: Data): Expr {
  const field = d[0] as FieldRef;
  const value = d[2] as Value;
  return { kind: 'compare', field, op: tok(d, 1).text as CompareOp, value, span: join(field.span, value.span) };
}

export function unary(d: Data): Expr {
  const field = d[0] as FieldRef;
  const t = tok(d, 1);
  return { kind: 'unary', field, op: t.text as UnaryOp, span: join(field.span, tokSpan(t)) };
}

export function field(d: Data): FieldRef {
  const t = tok(d, 0);
  const span = tokSpan(t);
  for (const prefix of DOTTED_ARG_FIELDS) {
    if (t.text.startsWith(prefix + '.')) {
      return { kind: 'field', name: prefix, arg: t.text.slice(prefix.length + 1), transformers: [], span };
    }
  }
  return { kind: 'field', name: t.text, transformers: [], span };
}

/** `name[arg]`; an empty `[]` gives an empty argument, which the compiler rejects with context. */
export function fieldWithArg(d: Data): FieldRef {
  const t = tok(d, 0);
  const arg = d[2] as Tok | null;
  return {
    kind: 'field',
    name: t.text,
    arg: arg === null ? '' : arg.text,
    transformers: [],
    span: join(tokSpan(t), tokSpan(tok(d, 3))),
  };
}

export function transformed(d: Data): FieldRef {
  const inner = d[2] as FieldRef;
  return {
    ...inner,
    transformers: [...inner.transformers, tok(d, 0).text as Transformer],
    span: join(tokSpan(tok(d, 0)), tokSpan(tok(d, 3))),
  };
}

/** A single value: quoted string or bare word. */
export function literal(d: Data): Value & ListItem {
  const t = tok(d, 0);
  const quoted = t.type === 'string';
  return { kind: 'literal', value: quoted ? unquote(t.text) : t.text, quoted, span: tokSpan(t) };
}

export function listref(d: Data): Value {
  const t = tok(d, 0);
  return { kind: 'listref', name: t.text, span: tokSpan(t) };
}

export function fieldval(d: Data): Value {
  return { kind: 'fieldval', field: d[2] as FieldRef, span: join(tokSpan(tok(d, 0)), tokSpan(tok(d, 3))) };
}

export function list(d: Data): Value {
  const items = d.length === 3 ? (d[1] as ListItem[]) : [];
  return { kind: 'list', items, span: join(tokSpan(tok(d, 0)), tokSpan(tok(d, d.length - 1))) };
}

export function firstItem(d: Data): ListItem[] {
  return [d[0] as ListItem];
}

/** Copies rather than pushes: nearley may hand one partial result to several parse states. */
export function moreItems(d: Data): ListItem[] {
  return [...(d[0] as ListItem[]), d[2] as ListItem];
}
