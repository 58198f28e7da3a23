// Shared shapes of the rules pipeline: positions, diagnostics and loaded rules, plus (re-exported from
// src/engine) priorities and the field catalog the pipeline validates against. Pure data: no I/O here
// or anywhere under src/rules.

import type { Expr, Span } from './ast.js';
import type { Priority } from '../engine/priority.js';

// Field and priority vocabulary lives with the engine (which the rules language builds on, never the
// reverse); re-exported here so the language's users find it in one place.
export { parsePriority, priorityLabel, PRIORITIES, type Priority } from '../engine/priority.js';
export { whyUnavailable, type FieldCatalog, type FieldInfo, type FieldType } from '../engine/fields/info.js';

/** A place in a rule file, 1-based like a compiler's. */
export interface Position {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** A short stable name for the kind of problem: 'syntax', 'unknown-field', 'undefined-macro', 'unused-list'... */
  code: string;
  message: string;
  pos: Position;
  /** The whole source line at `pos`, for quoting it with a caret under `pos.col`. */
  sourceLine?: string;
  /** Length of the offending text, for a ^~~~ underline; 1 when unknown. */
  length?: number;
  /** The list, macro or rule the problem belongs to, when there is one. */
  item?: { kind: 'list' | 'macro' | 'rule' | 'exception' | 'file'; name: string };
}

/** A rule after collection and resolution: macros inlined, lists expanded, exceptions appended. */
export interface LoadedRule {
  name: string;
  desc: string;
  /** The resolved condition tree; every span carries its ConditionSource. */
  condition: Expr;
  /** The condition text as written in the rule (after append/override). */
  conditionText: string;
  output: string;
  /** Where the output text starts, to position output template errors. */
  outputSource?: import('./ast.js').ConditionSource;
  priority: Priority;
  enabled: boolean;
  tags: string[];
  source: string;
  /** Event types the condition can match; 'all' when it has no evt.type restriction. */
  evttypes: ReadonlySet<string> | 'all';
  skipIfUnknownFilter: boolean;
  warnEvttypes: boolean;
  pos: Position;
}

/** A problem found in a condition or output, positioned by the span of the node it concerns. */
export interface SpanError {
  code: string;
  message: string;
  span: Span;
}
