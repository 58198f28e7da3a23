// The list resolver: replaces references to named lists with the lists' items, so the compiler only
// ever sees literal values. Falco pastes list items into conditions as text; we do the same on the
// tree: an item wrapped in quotes is a quoted value, anything else is a bare word that may in turn
// name another list.

import type { Expr, ListItem, Span, Value } from '../ast.js';
import type { SpanError } from '../types.js';
import { unquote } from '../grammar/index.js';
import { mapLeaves } from './walk.js';

export interface ListResolution {
  expr: Expr;
  /** Names of the lists the condition used, directly or through other lists. */
  used: Set<string>;
  errors: SpanError[];
}

/** Thrown by expandLists, which has no other way to report a bare name that is not a list. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  constructor(readonly error: SpanError) {
    super(error.message);
  }
}

/**
 * Expands list references in `expr`: list literal items that name a list (unquoted) and bare list
 * names on the right of `in`/`intersects`/`pmatch`. Collects every problem instead of stopping.
 */
export function resolveLists(expr: Expr, lists: ReadonlyMap<string, string[]>): ListResolution {
  const ctx: Ctx = { lists, used: new Set(), errors: [] };
  return { expr: expandExpr(expr, ctx), used: ctx.used, errors: ctx.errors };
}

/**
 * Expands list references in `expr`, returning the new tree.
 * @throws ResolveError (code `undefined-list`) at the first bare list name that is not a list;
 * use resolveLists to collect all errors and the lists used.
 */
export function expandLists(expr: Expr, lists: ReadonlyMap<string, string[]>): Expr {
  const r = resolveLists(expr, lists);
  const first = r.errors[0];
  if (first !== undefined) throw new ResolveError(first);
  return r.expr;
}

interface Ctx {
  lists: ReadonlyMap<string, string[]>;
  used: Set<string>;
  errors: SpanError[];
}

function expandExpr(e: Expr, ctx: Ctx): Expr {
  return mapLeaves(e, (l) => (l.kind === 'compare' ? { ...l, value: expandValue(l.value, ctx) } : l));
}

function expandValue(v: Value, ctx: Ctx): Value {
  if (v.kind === 'list') return { ...v, items: v.items.flatMap((item) => expandItem(item, ctx)) };
  if (v.kind !== 'listref') return v;
  if (!ctx.lists.has(v.name)) {
    ctx.errors.push(undefinedList(v.name, v.span));
    return v;
  }
  return { kind: 'list', items: expandNamed(v.name, v.span, ctx, new Set()), span: v.span };
}

function expandItem(item: ListItem, ctx: Ctx): ListItem[] {
  if (item.kind === 'listref') {
    if (ctx.lists.has(item.name)) return expandNamed(item.name, item.span, ctx, new Set());
    ctx.errors.push(undefinedList(item.name, item.span));
    return [item];
  }
  if (item.quoted || !ctx.lists.has(item.value)) return [item];
  return expandNamed(item.value, item.span, ctx, new Set());
}

/**
 * The items of list `name`, nested lists expanded. Expanded items take the span of the reference in
 * the condition, which is where a user looks when one of them is wrong. `seen` breaks cycles: a list
 * reached again through itself stays a plain word.
 */
function expandNamed(name: string, span: Span, ctx: Ctx, seen: Set<string>): ListItem[] {
  ctx.used.add(name);
  seen.add(name);
  const out: ListItem[] = [];
  for (const raw of ctx.lists.get(name) ?? []) {
    const item = itemOf(raw, span);
    if (!item.quoted && ctx.lists.has(item.value) && !seen.has(item.value)) {
      out.push(...expandNamed(item.value, span, ctx, seen));
    } else {
      out.push(item);
    }
  }
  seen.delete(name);
  return out;
}

/** A list item as Falco reads it once pasted into a condition: `"a b"` quoted, `a` bare. */
function itemOf(raw: string, span: Span): Extract<ListItem, { kind: 'literal' }> {
  const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0];
  return { kind: 'literal', value: quoted ? unquote(raw) : raw, quoted, span };
}

function undefinedList(name: string, span: Span): SpanError {
  return { code: 'undefined-list', message: `'${name}' is not a defined list`, span };
}
