// The shared traversal of the resolvers: rebuild the boolean skeleton (and, or, not) and let a pass
// decide what becomes of each leaf; or only visit the leaves, for a pass that collects.

import type { Expr } from '../ast.js';

/** The nodes below and/or/not: comparisons, `exists`, macro references and constants. */
export type Leaf = Extract<Expr, { kind: 'compare' | 'unary' | 'macro' | 'const' }>;

/** A copy of `e` with every leaf replaced by `leaf(it)`; the input is never modified. */
export function mapLeaves(e: Expr, leaf: (l: Leaf) => Expr): Expr {
  switch (e.kind) {
    case 'and':
    case 'or':
      return { ...e, left: mapLeaves(e.left, leaf), right: mapLeaves(e.right, leaf) };
    case 'not':
      return { ...e, expr: mapLeaves(e.expr, leaf) };
    default:
      return leaf(e);
  }
}

/** Calls `visit` on every leaf of `e`, left to right. */
export function forEachLeaf(e: Expr, visit: (l: Leaf) => void): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      forEachLeaf(e.left, visit);
      forEachLeaf(e.right, visit);
      return;
    case 'not':
      forEachLeaf(e.expr, visit);
      return;
    default:
      visit(e);
  }
}
