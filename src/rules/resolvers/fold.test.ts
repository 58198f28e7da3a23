import { describe, expect, it } from 'vitest';
import type { Expr, Span } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { shape } from '../grammar/testing/shape.js';
import { foldConstants } from './fold.js';

const span: Span = { start: 0, end: 0 };
const T: Expr = { kind: 'const', value: true, span };
const F: Expr = { kind: 'const', value: false, span };
const m = (name: string): Expr => ({ kind: 'macro', name, span });
const and = (left: Expr, right: Expr): Expr => ({ kind: 'and', left, right, span });
const or = (left: Expr, right: Expr): Expr => ({ kind: 'or', left, right, span });
const not = (expr: Expr): Expr => ({ kind: 'not', expr, span });

describe('foldConstants', () => {
  const cases: [string, Expr, Expr][] = [
    ['not not x', not(not(m('x'))), m('x')],
    ['not not not x', not(not(not(m('x')))), not(m('x'))],
    ['not true', not(T), F],
    ['x and true', and(m('x'), T), m('x')],
    ['true and x', and(T, m('x')), m('x')],
    ['x and false', and(m('x'), F), F],
    ['x or true', or(m('x'), T), T],
    ['false or x', or(F, m('x')), m('x')],
    ['x or false', or(m('x'), F), m('x')],
    ['nested', and(m('a'), not(or(F, not(m('b'))))), and(m('a'), m('b'))],
    ['untouched', and(m('a'), or(m('b'), not(m('c')))), and(m('a'), or(m('b'), not(m('c'))))],
  ];
  it.each(cases)('%s', (_, input, expected) => {
    expect(shape(foldConstants(input))).toEqual(shape(expected));
  });

  it('turns membership in an empty list into false', () => {
    expect(shape(foldConstants(parseCondition('proc.name in ()')))).toEqual({ kind: 'const', value: false });
    expect(shape(foldConstants(parseCondition('fd.types intersects ()')))).toEqual({ kind: 'const', value: false });
    expect(shape(foldConstants(parseCondition('a and not proc.name in ()')))).toEqual({ kind: 'macro', name: 'a' });
    expect(shape(foldConstants(parseCondition('a and proc.name in ()')))).toEqual({ kind: 'const', value: false });
  });

  it('keeps the span of the node a constant replaces', () => {
    const text = 'a and proc.name pmatch ()';
    expect(foldConstants(parseCondition(text)).span).toMatchObject({ start: 0, end: text.length });
  });

  it('returns the same tree when there is nothing to fold', () => {
    const e = parseCondition('a and (b or not c)');
    expect(foldConstants(e)).toBe(e);
  });
});
