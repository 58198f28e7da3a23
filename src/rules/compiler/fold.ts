// Structural keys (for memoising compiled conditions) and constant folding of and/or/not over
// `const` nodes. Folding runs before code generation, so `x and false` costs nothing per event.

import type { Expr, FieldRef, Value } from '../ast.js';

/** A key equal for structurally identical trees, whatever their spans. */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `${e.kind}(${exprKey(e.left)},${exprKey(e.right)})`;
    case 'not':
      return `not(${exprKey(e.expr)})`;
    case 'compare':
      return `cmp(${fieldKey(e.field)},${JSON.stringify(e.op)},${valueKey(e.value)})`;
    case 'unary':
      return `un(${fieldKey(e.field)},${e.op})`;
    case 'macro':
      return `macro(${JSON.stringify(e.name)})`;
    case 'const':
      return e.value ? 'T' : 'F';
  }
}

/** Identifies one field reference as it is extracted: name, argument and transformers. */
export function fieldKey(f: FieldRef): string {
  return JSON.stringify([f.name, f.arg ?? null, f.transformers]);
}

function valueKey(v: Value): string {
  switch (v.kind) {
    case 'literal':
      return JSON.stringify(['l', v.value]);
    case 'listref':
      return JSON.stringify(['r', v.name]);
    case 'list':
      return JSON.stringify(['L', v.items.map((i) => (i.kind === 'literal' ? i.value : `\u0000${i.name}`))]);
    case 'fieldval':
      return `val(${fieldKey(v.field)})`;
  }
}

/** Folds constants through and/or/not. Other nodes are returned as they are. */
export function fold(e: Expr): Expr {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const left = fold(e.left);
      const right = fold(e.right);
      const absorbing = e.kind === 'or'; // true absorbs `or`, false absorbs `and`
      if (left.kind === 'const') return left.value === absorbing ? left : right;
      if (right.kind === 'const') return right.value === absorbing ? { ...right, span: e.span } : left;
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    case 'not': {
      const inner = fold(e.expr);
      if (inner.kind === 'const') return { kind: 'const', value: !inner.value, span: e.span };
      return inner === e.expr ? e : { ...e, expr: inner };
    }
    default:
      return e;
  }
}
