// Shared shapes of the rules pipeline: positions, diagnostics, priorities, loaded rules and the field
// catalog the pipeline validates against. Pure data: no I/O here or anywhere under src/rules.

import type { Expr, Span } from './ast.js';

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

/** Falco's priorities, most severe first; the numeric value orders them (lower = more severe). */
export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Parses a priority in any case; INFO is accepted for INFORMATIONAL. Undefined when not a priority. */
export function parsePriority(text: string): Priority | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === 'INFO') return 'INFORMATIONAL';
  return (PRIORITIES as readonly string[]).includes(upper) ? (upper as Priority) : undefined;
}

/** Title case as Falco prints priorities in alert lines: "Notice", "Warning", "Informational". */
export function priorityLabel(p: Priority): string {
  return p.charAt(0) + p.slice(1).toLowerCase();
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

/** What the pipeline needs to know about fields; the engine's field registry implements it. */
export interface FieldCatalog {
  /** Undefined when no field of that name exists. */
  lookup(name: string): FieldInfo | undefined;
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  desc: string;
  /** How the field takes an argument: none, an index like proc.aname[2], or a key like evt.arg.name / evt.arg[name]. */
  arg: 'none' | 'index' | 'key' | 'optional-index' | 'required-key';
  /** False when falconet never has the data (DNS names, I/O buffers): the field always reads `<NA>`. */
  available?: boolean;
  /**
   * Why `falconet run` does not fill the field on a live host (yet), when it does not: a rule whose
   * condition uses it loads with a warning that says so.
   */
  unavailable?: string;
}

/** Why a field is not filled live, or undefined when it is. */
export function whyUnavailable(info: FieldInfo): string | undefined {
  return info.unavailable ?? (info.available === false ? 'falconet never has this data: it always reads <NA>' : undefined);
}

export type FieldType =
  | 'string'
  | 'number'
  | 'bool'
  | 'ipaddr'
  | 'ipnet'
  | 'port'
  | 'abstime'
  | 'reltime'
  | 'bytes'
  /** Several values at once (proc.aname without index, fd.types, container.mounts...). */
  | 'list';

/** A problem found in a condition or output, positioned by the span of the node it concerns. */
export interface SpanError {
  code: string;
  message: string;
  span: Span;
}
