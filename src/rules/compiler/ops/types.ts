// What an operator family gets to generate one test, and what it gives back. Families live beside
// this file, one per module (equality, order, strings, patterns, net); index.ts dispatches.

import type { CompareOp, Span } from '../../ast.js';
import type { FieldType, SpanError } from '../../types.js';
import type { Code, CodeBuilder } from '../codegen.js';

/** One right-hand-side value as written, with its span for error messages. */
export interface RhsItem {
  text: string;
  span: Span;
}

export interface TestInput {
  op: CompareOp;
  /** The type of the values being tested (after transformers). */
  type: FieldType;
  items: readonly RhsItem[];
  /** The whole right-hand side, for errors about it as a whole. */
  valueSpan: Span;
  /** The compare node, for errors about the operator. */
  span: Span;
  /** A variable holding the extracted value; may be undefined (not available) at run time. */
  v: Code;
  b: CodeBuilder;
  /** Prepared constants (Sets, RegExps) shared across rules: same key, same object. */
  prepared: Map<string, unknown>;
}

export type TestResult = { ok: true; code: Code } | { ok: false; errors: SpanError[] };

export const fail = (code: string, message: string, span: Span): TestResult => ({
  ok: false,
  errors: [{ code, message, span }],
});

/** Looks up or makes a prepared constant, so the same list compiles into one Set for every rule. */
export function prepare<T>(input: TestInput, kind: string, make: () => T): T {
  const key = `${kind}\u0000${input.type}\u0000${input.items.map((i) => i.text).join('\u0001')}`;
  let v = input.prepared.get(key) as T | undefined;
  if (v === undefined) {
    v = make();
    input.prepared.set(key, v);
  }
  return v;
}
