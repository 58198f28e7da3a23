// Constant folding for the compiler: removes double negations and the `const` nodes that list
// expansion and exceptions leave behind (`x in ()` can never be true), so compiled predicates do no
// work whose outcome is known at load time.

import type { Expr } from '../ast.js';

/** A simplified copy of `expr` that matches exactly the same events. */
export function foldConstants(e: Expr): Expr {
  switch (e.kind) {
    case 'not': {
      const inner = foldConstants(e.expr);
      if (inner.kind === 'const') return { kind: 'const', value: !inner.value, span: e.span };
      if (inner.kind === 'not') return inner.expr;
      return inner === e.expr ? e : { ...e, expr: inner };
    }
    case 'and':
    case 'or': {
      const left = foldConstants(e.left);
      const right = foldConstants(e.right);
      // The value that decides the whole expression on its own: false for and, true for or.
      const decisive = e.kind === 'or';
      for (const side of [left, right]) {
        if (side.kind === 'const' && side.value === decisive) return { kind: 'const', value: decisive, span: e.span };
      }
      if (left.kind === 'const') return right;
      if (right.kind === 'const') return left;
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    case 'compare':
      if (e.value.kind === 'list' && e.value.items.length === 0 && isMembership(e.op)) {
        return { kind: 'const', value: false, span: e.span };
      }
      return e;
    case 'unary':
    case 'macro':
    case 'const':
      return e;
  }
}

function isMembership(op: string): boolean {
  return op === 'in' || op === 'intersects' || op === 'pmatch';
}
