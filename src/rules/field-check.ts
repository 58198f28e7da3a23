// Checks every field a resolved condition names against the field catalog: the field must exist and
// its argument must fit (`proc.aname[2]` takes an index, `proc.name[x]` takes nothing). Errors carry
// the span of the field reference, so they point at the exact spot, even inside an inlined macro.

import { isKnownEventName } from '../engine/schema.js';
import type { Expr, FieldRef, Span } from './ast.js';
import { whyUnavailable, type FieldCatalog, type SpanError } from './types.js';

type Leaf = Extract<Expr, { kind: 'compare' | 'unary' }>;

/** The comparisons and unary tests of a condition, in tree order: the nodes that name fields. */
function leaves(expr: Expr): Leaf[] {
  const out: Leaf[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'and' || e.kind === 'or') {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === 'not') {
      walk(e.expr);
    } else if (e.kind === 'compare' || e.kind === 'unary') {
      out.push(e);
    }
  };
  walk(expr);
  return out;
}

/** Every field reference of a condition, in tree order (a comparison's field, then a field it compares with). */
export function fieldRefs(expr: Expr): FieldRef[] {
  return leaves(expr).flatMap(refsOf);
}

/** The fields one leaf names: its own, and the one a comparison compares with (`fd.sip = val(fd.cip)`). */
function refsOf(e: Leaf): FieldRef[] {
  return e.kind === 'compare' && e.value.kind === 'fieldval' ? [e.field, e.value.field] : [e.field];
}

/**
 * One problem per field reference, in the order the references appear in the tree; also event names
 * compared with evt.type that no engine knows (`evt.type = opne`), which Falco rejects too.
 */
export function checkFields(expr: Expr, catalog: FieldCatalog): SpanError[] {
  const errors: SpanError[] = [];
  for (const e of leaves(expr)) {
    for (const f of refsOf(e)) {
      const problem = fieldProblem(f.name, f.arg, catalog);
      if (problem) errors.push({ ...problem, span: f.span });
    }
    if (e.kind === 'compare') errors.push(...unknownEventNames(e));
  }
  return errors;
}

/** The literal event names a comparison gives plain evt.type (`evt.type in (open, ioctl)`), with their spans. */
function eventNameLiterals(e: Extract<Expr, { kind: 'compare' }>): { value: string; span: Span }[] {
  if (e.field.name !== 'evt.type' || e.field.arg !== undefined || e.field.transformers.length > 0) return [];
  if (!['=', '==', '!=', 'in'].includes(e.op)) return [];
  const values = e.value.kind === 'literal' ? [e.value] : e.value.kind === 'list' ? e.value.items : [];
  return values.flatMap((v) => (v.kind === 'literal' ? [{ value: v.value, span: v.span }] : []));
}

function unknownEventNames(e: Extract<Expr, { kind: 'compare' }>): SpanError[] {
  return eventNameLiterals(e).flatMap((v) =>
    isKnownEventName(v.value) ? [] : [{ code: 'unknown-event-type', message: `unknown event type '${v.value}'`, span: v.span }],
  );
}

/**
 * Event names the condition compares evt.type with that are valid (a syscall, a Falco event) but
 * that falconet cannot capture: the rule loads, as in Falco, but never sees those events.
 */
export function uncapturedEventNames(expr: Expr, capturable: (type: string) => boolean): SpanError[] {
  const out: SpanError[] = [];
  for (const e of leaves(expr)) {
    if (e.kind !== 'compare') continue;
    for (const v of eventNameLiterals(e)) {
      if (!isKnownEventName(v.value) || capturable(v.value)) continue;
      out.push({ code: 'event-type-not-captured', message: `falconet cannot capture event type '${v.value}': the rule never sees these events`, span: v.span });
    }
  }
  return out;
}

/** Why `name` with `arg` is not a usable field, or undefined when it is. Shared with output checks. */
export function fieldProblem(name: string, arg: string | undefined, catalog: FieldCatalog): { code: string; message: string } | undefined {
  const info = catalog.lookup(name);
  if (!info) return { code: 'unknown-field', message: `unknown field '${name}'` };
  // A catalog may resolve `k8s.pod.label.app` to the field `k8s.pod.label` with the argument `app`.
  if (info.name !== name && arg === undefined && name.startsWith(`${info.name}.`)) {
    arg = name.slice(info.name.length + 1);
    name = info.name;
  }
  const shown = arg === undefined ? name : `${name}[${arg}]`;
  switch (info.arg) {
    case 'none':
      if (arg !== undefined) return { code: 'field-arg', message: `field '${name}' takes no argument, got '${shown}'` };
      return undefined;
    case 'index':
    case 'optional-index':
      if (arg === undefined) {
        return info.arg === 'index' ? { code: 'field-arg', message: `field '${name}' needs an index, like ${name}[1]` } : undefined;
      }
      if (!/^\d+$/.test(arg.trim())) return { code: 'field-arg', message: `field '${name}' takes a number as index, got '${shown}'` };
      return undefined;
    case 'required-key':
      if (arg === undefined || arg.trim() === '') return { code: 'field-arg', message: `field '${name}' needs an argument, like ${name}[name]` };
      return undefined;
    case 'key':
      return undefined;
  }
}

/** Fields the condition uses that `falconet run` does not fill on a live host: the rule loads, but may not work as meant. */
export function unavailableFields(expr: Expr, catalog: FieldCatalog): SpanError[] {
  const out: SpanError[] = [];
  for (const f of fieldRefs(expr)) {
    const info = catalog.lookup(f.name);
    const why = info && whyUnavailable(info);
    if (why) out.push({ code: 'field-not-available', message: `field '${info.name}' is not filled live: ${why}`, span: f.span });
  }
  return out;
}

/**
 * Comparisons that load but can never match: `evt.res = 0` compares the rendered
 * result (SUCCESS, ENOENT...) with a number, so it never matches; `evt.rawres` is the number.
 */
export function suspiciousComparisons(expr: Expr): SpanError[] {
  const out: SpanError[] = [];
  for (const e of leaves(expr)) {
    if (e.kind !== 'compare' || e.field.name !== 'evt.res' || e.field.transformers.length > 0 || !['=', '==', 'in'].includes(e.op)) continue;
    // Only the forms that silently never match: `evt.res != -1` is always true, and Falco's own
    // sandbox rules write it, so it is left alone.
    const literals = e.value.kind === 'literal' ? [e.value] : e.value.kind === 'list' ? e.value.items : [];
    const numeric = literals.find((v) => v.kind === 'literal' && /^-?\d+$/.test(v.value));
    if (numeric) {
      out.push({
        code: 'evt-res-number',
        message: `evt.res is SUCCESS or an errno name (ENOENT...), never a number like ${numeric.kind === 'literal' ? numeric.value : ''}: compare evt.rawres instead`,
        span: e.span,
      });
    }
  }
  return out;
}
