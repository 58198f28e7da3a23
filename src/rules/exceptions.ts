// Rule exceptions → condition tree. Falco turns each exception into text and re-parses the whole
// condition; we build the same tree directly so every node points at the YAML value it came from:
//   (condition) and not (f1 c1 v1 and f2 c2 v2 or ...) and not (field in (v1, v2)) ...
// Tuple form: one `and` of comparisons per values tuple, tuples joined by `or`. Single-field form: one
// comparison against the list of all values. A string value under a list operator becomes a one-item
// list, so naming a list there expands it, as in Falco.

import type { CompareOp, Expr, FieldRef, ListItem, Span, Transformer, Value } from './ast.js';
import { error } from './diagnostics.js';
import { unquote } from './grammar/escaping.js';
import { DOTTED_ARG_FIELDS } from './grammar/index.js';
import type { ExceptionEntry, ExceptionSpec, Place, Text } from './items.js';
import type { Diagnostic } from './types.js';

const OPERATORS = [
  '=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith',
  'endswith', 'glob', 'iglob', 'regex', 'pmatch', 'in', 'intersects',
] as const satisfies readonly CompareOp[];
/** Operators whose right side is a list: a plain string value is wrapped in parentheses for them. */
const LIST_OPERATORS: readonly CompareOp[] = ['in', 'intersects', 'pmatch'];
const TRANSFORMERS: readonly Transformer[] = ['tolower', 'toupper', 'b64', 'basename', 'len'];

export interface ExceptionResult {
  /** The condition with every exception's `and not (...)` appended. */
  expr: Expr;
  diagnostics: Diagnostic[];
}

/** Appends the rule's exceptions to its parsed condition; an invalid exception is an error, not dropped silently. */
export function applyExceptions(condition: Expr, exceptions: readonly ExceptionSpec[], ruleName: string): ExceptionResult {
  const diagnostics: Diagnostic[] = [];
  let expr = condition;
  for (const ex of exceptions) {
    const built = buildException(ex, (code, message, at) => {
      diagnostics.push(error(code, `exception '${ex.name}': ${message}`, at ?? ex.place, { kind: 'rule', name: ruleName }));
    });
    if (built === undefined) continue;
    const span = nameSpan(ex);
    expr = { kind: 'and', left: expr, right: { kind: 'not', expr: built, span }, span: condition.span };
  }
  return { expr, diagnostics };
}

type Report = (code: string, message: string, at?: Place) => void;

function nameSpan(ex: ExceptionSpec): Span {
  return { start: 0, end: ex.nameSrc.text.length, src: ex.nameSrc };
}

function textSpan(t: Text): Span {
  return { start: 0, end: t.value.length, src: t.src };
}

/** The exception's condition, or undefined when it has no values (nothing to exclude) or is invalid. */
function buildException(ex: ExceptionSpec, report: Report): Expr | undefined {
  const fields = ex.fields;
  if (!fields) {
    report('bad-exception', 'has no fields', ex.place);
    return undefined;
  }
  if (fields.kind === 'item') return singleField(ex, fields.text, report);
  const names: Text[] = [];
  for (const f of fields.items) {
    if (f.kind !== 'item') return void report('bad-exception', 'fields must be field names, not nested lists', f.place);
    names.push(f.text);
  }
  const comps = tupleComps(ex, names, report);
  if (!comps) return undefined;
  let out: Expr | undefined;
  for (const tuple of ex.values) {
    if (tuple.kind !== 'list') {
      report('exception-arity', `each value must be a tuple of ${names.length} (one per field), got a single string`, tuple.text.place);
      continue;
    }
    if (tuple.items.length !== names.length) {
      report('exception-arity', `this tuple has ${tuple.items.length} value(s) but the exception has ${names.length} field(s)`, tuple.place);
      continue;
    }
    let conj: Expr | undefined;
    tuple.items.forEach((entry, k) => {
      const cmp = comparison(names[k]!, comps[k]!, entry, report);
      if (cmp) conj = conj ? { kind: 'and', left: conj, right: cmp, span: cmp.span } : cmp;
    });
    if (conj) out = out ? { kind: 'or', left: out, right: conj, span: nameSpan(ex) } : conj;
  }
  return out;
}

function tupleComps(ex: ExceptionSpec, names: Text[], report: Report): CompareOp[] | undefined {
  const c = ex.comps;
  if (!c) return names.map(() => '=');
  if (c.kind !== 'list' || c.items.length !== names.length) {
    const got = c.kind === 'list' ? c.items.length : 1;
    const at = c.kind === 'list' ? c.place : c.text.place;
    return void report('exception-arity', `has ${names.length} field(s) but ${got} comp(s): fields and comps must have equal length`, at);
  }
  const out: CompareOp[] = [];
  for (const item of c.items) {
    const op = item.kind === 'item' ? operator(item.text, report) : void report('bad-exception', 'comps must be operators', item.place);
    if (!op) return undefined;
    out.push(op);
  }
  return out;
}

function operator(t: Text, report: Report): CompareOp | undefined {
  const op = t.value.trim();
  const found = OPERATORS.find((o) => o === op);
  if (!found) report('bad-exception', `'${op}' is not a comparison operator`, t.place);
  return found;
}

function singleField(ex: ExceptionSpec, name: Text, report: Report): Expr | undefined {
  let op: CompareOp = 'in';
  if (ex.comps) {
    if (ex.comps.kind !== 'item') return void report('exception-arity', 'fields is a single field, so comps must be a single operator', ex.comps.place);
    const found = operator(ex.comps.text, report);
    if (!found) return undefined;
    if (!LIST_OPERATORS.includes(found)) return void report('bad-exception', 'with a single field, comps must be one of in, pmatch, intersects', ex.comps.text.place);
    op = found;
  }
  const items: ListItem[] = [];
  for (const v of ex.values) {
    if (v.kind !== 'item') return void report('exception-arity', 'with a single field, values must be a list of strings, not tuples', v.place);
    items.push(literalOf(v.text));
  }
  if (items.length === 0) return undefined;
  const field = fieldRef(name, report);
  if (!field) return undefined;
  const span = textSpan(name);
  return { kind: 'compare', field, op, value: { kind: 'list', items, span: nameSpan(ex) }, span };
}

function comparison(name: Text, op: CompareOp, entry: ExceptionEntry, report: Report): Expr | undefined {
  const field = fieldRef(name, report);
  if (!field) return undefined;
  let value: Value;
  if (entry.kind === 'list') {
    const items: ListItem[] = [];
    for (const i of entry.items) {
      if (i.kind !== 'item') return void report('bad-exception', 'a value list cannot contain lists', i.place);
      items.push(literalOf(i.text));
    }
    value = { kind: 'list', items, span: items[0]?.span ?? textSpan(name) };
  } else if (LIST_OPERATORS.includes(op)) {
    value = { kind: 'list', items: parenItems(entry.text), span: textSpan(entry.text) };
  } else {
    value = literalOf(entry.text);
  }
  return { kind: 'compare', field, op, value, span: textSpan(name) };
}

/** A string written where a list is expected: `(a, b)` is a list literal, anything else one item. */
function parenItems(t: Text): ListItem[] {
  const v = t.value.trim();
  if (!(v.startsWith('(') && v.endsWith(')'))) return [literalOf(t)];
  return v
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => literalText(s, textSpan(t)));
}

function literalOf(t: Text): ListItem & Value {
  return literalText(t.value, textSpan(t));
}

/** Quotes inside the YAML string (`'"a b"'`) mean a quoted condition string, as Falco's text form reads them. */
function literalText(raw: string, span: Span): ListItem & Value {
  const q = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0];
  return { kind: 'literal', value: q ? unquote(raw) : raw, quoted: q, span };
}

/** `proc.name`, `proc.aname[2]`, `evt.arg.flags`, `tolower(proc.name)` written as an exception field. */
export function fieldRef(t: Text, report: Report): FieldRef | undefined {
  const ref = parseFieldText(t.value.trim(), textSpan(t));
  if (!ref) report('bad-exception', `'${t.value}' is not a field name`, t.place);
  return ref;
}

function parseFieldText(s: string, span: Span): FieldRef | undefined {
  const call = /^([a-z0-9]+)\((.*)\)$/.exec(s);
  if (call) {
    const tr = TRANSFORMERS.find((x) => x === call[1]);
    const inner = tr ? parseFieldText(call[2]!.trim(), span) : undefined;
    return inner && tr ? { ...inner, transformers: [...inner.transformers, tr] } : undefined;
  }
  const m = /^([a-zA-Z_][a-zA-Z0-9_.]*[a-zA-Z0-9_])(?:\[([^\]]*)\])?$/.exec(s);
  if (!m) return undefined;
  const name = m[1]!;
  if (m[2] !== undefined) return { kind: 'field', name, arg: m[2], transformers: [], span };
  const dotted = DOTTED_ARG_FIELDS.find((p) => name.startsWith(p + '.'));
  if (dotted) return { kind: 'field', name: dotted, arg: name.slice(dotted.length + 1), transformers: [], span };
  return { kind: 'field', name, transformers: [], span };
}

