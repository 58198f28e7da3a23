// Reads a rule's `exceptions:` block into positioned ExceptionSpecs. Shape checks only (a mapping with
// a name, entries that are strings or lists); arity and operator checks need the merged rule and live
// in exceptions.ts, because `append` may add values to an exception defined in another file.

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { warning } from './diagnostics.js';
import type { ExceptionEntry, ExceptionSpec, Place } from './items.js';
import { scalarSource } from './source-map.js';
import { closest } from './spelling.js';
import { deref, entries, placeOf, readText, report, type ReadCtx } from './yaml-values.js';

const EXCEPTION_KEYS = ['name', 'fields', 'comps', 'values'] as const;

function readEntry(ctx: ReadCtx, node: Node | undefined, key: string, at: Place): ExceptionEntry | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    if (node.value.trim() === '') return report(ctx, 'bad-value', `'${key}' entries must not be empty`, placeOf(ctx, node, at));
    return { kind: 'item', text: { value: node.value, place: placeOf(ctx, node), src: scalarSource(ctx.file, node, node.value) } };
  }
  if (isSeq(node)) {
    const items: ExceptionEntry[] = [];
    for (const raw of node.items) {
      const e = readEntry(ctx, deref(ctx, raw), key, placeOf(ctx, node));
      if (!e) return undefined;
      items.push(e);
    }
    return { kind: 'list', items, place: placeOf(ctx, node) };
  }
  return report(ctx, 'bad-value', `'${key}' must be a string or a list`, node ? placeOf(ctx, node) : at);
}

/**
 * `partial` is true for appends and overrides: there an exception may give only values, naming an
 * exception the earlier rule defined.
 */
export function readExceptions(ctx: ReadCtx, node: Node | undefined, at: Place, partial: boolean): ExceptionSpec[] | undefined {
  if (node === undefined || (isScalar(node) && (node.value === '' || node.value === null))) return [];
  if (!isSeq(node)) return report(ctx, 'bad-value', "'exceptions' must be a list", placeOf(ctx, node, at));
  const out: ExceptionSpec[] = [];
  let ok = true;
  for (const raw of node.items) {
    const ex = deref(ctx, raw);
    const spec = ex && isMap(ex) ? readOne(ctx, ex, partial) : report(ctx, 'bad-value', 'an exception must be a mapping with a name', placeOf(ctx, ex ?? node));
    if (!spec) {
      ok = false;
      continue;
    }
    if (out.some((o) => o.name === spec.name)) {
      report(ctx, 'duplicate-exception', `exception '${spec.name}' is defined twice in this rule`, spec.place);
      ok = false;
      continue;
    }
    out.push(spec);
  }
  return ok ? out : undefined;
}

function readOne(ctx: ReadCtx, map: Node & { items: unknown[] }, partial: boolean): ExceptionSpec | undefined {
  if (!isMap(map)) return undefined;
  const at = placeOf(ctx, map);
  const kv = new Map<string, Node | undefined>();
  let ok = true;
  for (const e of entries(ctx, map)) {
    if (!(EXCEPTION_KEYS as readonly string[]).includes(e.key)) {
      const hint = closest(e.key, EXCEPTION_KEYS);
      report(ctx, 'unknown-key', `unknown exception key '${e.key}'${hint ? ` (did you mean '${hint}'?)` : ''}`, placeOf(ctx, e.keyNode));
      ok = false;
    }
    kv.set(e.key, e.value);
  }
  const name = readText(ctx, kv.get('name'), 'name', at);
  if (!name) {
    if (!kv.has('name')) report(ctx, 'missing-key', "an exception needs a 'name'", at);
    return undefined;
  }
  const spec: ExceptionSpec = { name: name.value, place: name.place, nameSrc: name.src, values: [], hasValues: kv.has('values') };
  if (kv.has('fields')) spec.fields = readEntry(ctx, kv.get('fields'), 'fields', at);
  else if (!partial) ok = report(ctx, 'missing-key', `exception '${name.value}' needs 'fields'`, name.place) ?? false;
  if (kv.has('comps')) spec.comps = readEntry(ctx, kv.get('comps'), 'comps', at);
  if ((kv.has('fields') && !spec.fields) || (kv.has('comps') && !spec.comps)) ok = false;
  const values = kv.get('values');
  if (values !== undefined && !(isScalar(values) && values.value === '')) {
    if (!isSeq(values)) return report(ctx, 'bad-value', "exception 'values' must be a list", placeOf(ctx, values));
    for (const raw of values.items) {
      const v = readEntry(ctx, deref(ctx, raw), 'values', placeOf(ctx, values));
      if (!v) ok = false;
      else spec.values.push(v);
    }
  } else if (partial && !kv.has('values')) {
    ctx.diags.push(warning('exception-no-values', `appending to exception '${name.value}' without values does nothing`, name.place, ctx.item));
  }
  return ok ? spec : undefined;
}
