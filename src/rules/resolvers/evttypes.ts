// The event type resolver: which `evt.type` values can a condition be true for? The ruleset indexes
// rules by the answer, so an event only meets the rules that can match it; 'all' puts a rule on every
// event (and the loader warns, as Falco does).
//
// The answer must never leave out a type the condition can match. Tracking only "types where it may
// be true" gets negation wrong: `not (evt.type=close and proc.name=nginx)` is true for close events of
// other processes. So each node yields two sets, where it may be true and where it may be false, and
// `not` swaps them (Falco fixed its resolver the same way, falcosecurity/falco#2397).

import type { Expr, Value } from '../ast.js';
import { EVENT_TYPES, FALCO_ONLY_EVENT_NAMES } from '../../engine/schema.js';

/**
 * Every event name a condition can select: the engine's event types and the Falco-only names rules
 * may mention. Meta events (unknown, drop) are left out: "everything but open" means syscalls, not
 * the engine's bookkeeping.
 */
export const EVENT_UNIVERSE: ReadonlySet<string> = new Set([
  ...EVENT_TYPES.filter((e) => e.category !== 'meta').map((e) => e.name),
  ...FALCO_ONLY_EVENT_NAMES,
]);

/**
 * A set of event names kept small either way: `only` lists its members, `except` lists what is
 * missing from the universe, so "all" and "all but one" cost nothing.
 */
export type TypeSet = { kind: 'only'; names: ReadonlySet<string> } | { kind: 'except'; names: ReadonlySet<string> };

const ALL: TypeSet = { kind: 'except', names: new Set() };
const NONE: TypeSet = { kind: 'only', names: new Set() };

/** Where an expression may be true and where it may be false. */
interface Truth {
  maybeTrue: TypeSet;
  maybeFalse: TypeSet;
}

const UNKNOWN: Truth = { maybeTrue: ALL, maybeFalse: ALL };

/** The event types `expr` can match: a set of names, or 'all' when it does not restrict evt.type. */
export function resolveEvttypes(expr: Expr): ReadonlySet<string> | 'all' {
  return materialize(truth(expr).maybeTrue);
}

/** The TypeSet form, for callers that combine further without materializing. */
export function evttypeSet(expr: Expr): TypeSet {
  return truth(expr).maybeTrue;
}

function truth(e: Expr): Truth {
  switch (e.kind) {
    case 'and': {
      const l = truth(e.left);
      const r = truth(e.right);
      return { maybeTrue: intersect(l.maybeTrue, r.maybeTrue), maybeFalse: union(l.maybeFalse, r.maybeFalse) };
    }
    case 'or': {
      const l = truth(e.left);
      const r = truth(e.right);
      return { maybeTrue: union(l.maybeTrue, r.maybeTrue), maybeFalse: intersect(l.maybeFalse, r.maybeFalse) };
    }
    case 'not': {
      const t = truth(e.expr);
      return { maybeTrue: t.maybeFalse, maybeFalse: t.maybeTrue };
    }
    case 'const':
      return e.value ? { maybeTrue: ALL, maybeFalse: NONE } : { maybeTrue: NONE, maybeFalse: ALL };
    case 'compare':
      return compareTruth(e);
    case 'unary':
    case 'macro':
      return UNKNOWN;
  }
}

/**
 * Only plain `evt.type` with `=`, `==`, `!=` or `in` against literal values restricts event types,
 * exactly Falco's list, so rules index the same way there and here. Any other operator (`intersects`,
 * `startswith`, `pmatch`...), a transformer or val() says nothing we index on.
 */
function compareTruth(e: Extract<Expr, { kind: 'compare' }>): Truth {
  const f = e.field;
  if (f.name !== 'evt.type' || f.arg !== undefined || f.transformers.length > 0) return UNKNOWN;
  const names = literalNames(e.value);
  if (names === undefined) return UNKNOWN;
  const matched: TypeSet = { kind: 'only', names };
  const rest: TypeSet = { kind: 'except', names };
  switch (e.op) {
    case '=':
    case '==':
    case 'in':
      return { maybeTrue: matched, maybeFalse: rest };
    case '!=':
      return { maybeTrue: rest, maybeFalse: matched };
    default:
      return UNKNOWN;
  }
}

/** The literal names of a value; undefined when it holds anything else (an unexpanded list, a field). */
function literalNames(v: Value): Set<string> | undefined {
  if (v.kind === 'literal') return new Set([v.value]);
  if (v.kind !== 'list') return undefined;
  const names = new Set<string>();
  for (const item of v.items) {
    if (item.kind !== 'literal') return undefined;
    names.add(item.value);
  }
  return names;
}

export function union(a: TypeSet, b: TypeSet): TypeSet {
  if (a.kind === 'only' && b.kind === 'only') return { kind: 'only', names: new Set([...a.names, ...b.names]) };
  if (a.kind === 'except' && b.kind === 'except') return { kind: 'except', names: filter(a.names, (n) => b.names.has(n)) };
  const [only, except] = a.kind === 'only' ? [a, b] : [b, a];
  return { kind: 'except', names: filter(except.names, (n) => !only.names.has(n)) };
}

export function intersect(a: TypeSet, b: TypeSet): TypeSet {
  if (a.kind === 'only' && b.kind === 'only') return { kind: 'only', names: filter(a.names, (n) => b.names.has(n)) };
  if (a.kind === 'except' && b.kind === 'except') return { kind: 'except', names: new Set([...a.names, ...b.names]) };
  const [only, except] = a.kind === 'only' ? [a, b] : [b, a];
  return { kind: 'only', names: filter(only.names, (n) => !except.names.has(n)) };
}

/** `only` sets keep names as written, unknown ones included, so the loader can warn about them. */
export function materialize(s: TypeSet): ReadonlySet<string> | 'all' {
  if (s.kind === 'only') return s.names;
  if (![...s.names].some((n) => EVENT_UNIVERSE.has(n))) return 'all';
  return filter(EVENT_UNIVERSE, (n) => !s.names.has(n));
}

function filter(s: ReadonlySet<string>, keep: (n: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const n of s) if (keep(n)) out.add(n);
  return out;
}
