// The macro resolver: inlines macro references, recursively, so the compiler sees one self-contained
// tree. Inlined nodes keep their own spans (which point into the macro's condition text, carried by
// `span.src`), so a problem inside a macro is reported where the macro is written.

import type { Expr, Span } from '../ast.js';
import type { SpanError } from '../types.js';
import { mapLeaves } from './walk.js';

export interface MacroResolution {
  expr: Expr;
  /** Names of the macros the condition used, directly or through other macros. */
  used: Set<string>;
  errors: SpanError[];
}

/**
 * Inlines every macro reference of `expr` with the macro's (recursively resolved) condition.
 * Undefined macros (`undefined-macro`) and cycles (`macro-cycle`) are reported at the reference and
 * the reference is left in place.
 */
export function resolveMacros(expr: Expr, macros: ReadonlyMap<string, Expr>): MacroResolution {
  const ctx: Ctx = { macros, used: new Set(), errors: [], stack: [], done: new Map() };
  return { expr: resolve(expr, ctx), used: ctx.used, errors: ctx.errors };
}

interface Ctx {
  macros: ReadonlyMap<string, Expr>;
  used: Set<string>;
  errors: SpanError[];
  /** Macros being expanded, outermost first, to name a cycle when one closes. */
  stack: string[];
  /**
   * Resolved bodies, so a macro used many times (spawned_process, container...) is resolved once.
   * Shared subtrees are safe: every pass builds new nodes instead of mutating.
   */
  done: Map<string, Expr>;
}

function resolve(e: Expr, ctx: Ctx): Expr {
  return mapLeaves(e, (l) => (l.kind === 'macro' ? (inline(l.name, l.span, ctx) ?? l) : l));
}

function inline(name: string, span: Span, ctx: Ctx): Expr | undefined {
  const body = ctx.macros.get(name);
  if (body === undefined) {
    ctx.errors.push({ code: 'undefined-macro', message: `'${name}' is not a defined macro`, span });
    return undefined;
  }
  ctx.used.add(name);
  const cached = ctx.done.get(name);
  if (cached !== undefined) return cached;
  const at = ctx.stack.indexOf(name);
  if (at >= 0) {
    const cycle = [...ctx.stack.slice(at), name].join(' -> ');
    ctx.errors.push({ code: 'macro-cycle', message: `macro '${name}' refers to itself: ${cycle}`, span });
    return undefined;
  }
  const errorsBefore = ctx.errors.length;
  ctx.stack.push(name);
  const resolved = resolve(body, ctx);
  ctx.stack.pop();
  // A body resolved with errors (a cycle through it, say) is not cached, so each use reports them.
  if (ctx.errors.length === errorsBefore) ctx.done.set(name, resolved);
  return resolved;
}
