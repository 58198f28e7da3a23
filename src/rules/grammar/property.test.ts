import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.js';
import { ConditionSyntaxError, parseCondition } from './index.js';
import { loadCompatItems } from './testing/load.js';

const real = loadCompatItems()
  .map((c) => c.condition)
  .filter((c): c is string => c !== undefined && c.length < 600);

/** Characters that matter to the lexer, so random text hits its edge cases often. */
const SYNTAX = ['(', ')', '[', ']', ',', '"', "'", '\\', '=', '!', '<', '>', ' ', '\n', '.', 'and ', 'or ', 'not ',
  ' in ', 'exists', 'val(', 'tolower(', 'proc.name', 'a', '-', '/', '*', ':', '0'];
const syntaxChar = fc.constantFrom(...SYNTAX);
const conditionish = fc.array(fc.oneof(syntaxChar, fc.string({ maxLength: 3 })), { maxLength: 30 }).map((a) => a.join(''));

const mutation = fc.record({
  base: fc.constantFrom(...real),
  at: fc.nat(),
  cut: fc.nat({ max: 12 }),
  insert: fc.array(syntaxChar, { maxLength: 3 }).map((a) => a.join('')),
});
const mutated = mutation.map(({ base, at, cut, insert }) => {
  const i = at % (base.length + 1);
  return base.slice(0, i) + insert + base.slice(i + cut);
});

/** Parses, or fails only with a positioned ConditionSyntaxError inside the text. */
function checkTotal(text: string): void {
  let expr: Expr;
  try {
    expr = parseCondition(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConditionSyntaxError);
    const e = err as ConditionSyntaxError;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(text.length);
    expect(e.offset + e.length).toBeLessThanOrEqual(text.length);
    expect(e.message).not.toMatch(/\n/);
    return;
  }
  expect(expr.span.start).toBeGreaterThanOrEqual(0);
  expect(expr.span.end).toBeLessThanOrEqual(text.length);
}

describe('parseCondition is total', () => {
  it('on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), checkTotal), { numRuns: 500 });
  });

  it('on text built from syntax fragments', () => {
    fc.assert(fc.property(conditionish, checkTotal), { numRuns: 1500 });
  });

  it('on mutations of real conditions', () => {
    fc.assert(fc.property(mutated, checkTotal), { numRuns: 1500 });
  });
});
