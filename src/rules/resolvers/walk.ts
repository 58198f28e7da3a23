// The shared traversal of the resolvers: rebuild the boolean skeleton (and, or, not) and let a pass
// decide what becomes of each leaf.

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
