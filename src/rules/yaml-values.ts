// Typed, positioned access to YAML nodes for the reader: every accessor either returns the value or
// records a diagnostic at the node that is wrong and returns undefined, so one bad key never hides
// the others. The reader parses with the failsafe schema, so every scalar arrives as the string the
// user wrote (`1.10` stays `1.10`, `INFO` is not a boolean) and types are decided here, Falco's way.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { error } from './diagnostics.js';
import type { Place, Text } from './items.js';
import { filePosition, scalarSource, type FileText } from './source-map.js';
import type { Diagnostic } from './types.js';

export type ItemRef = NonNullable<Diagnostic['item']>;

export interface ReadCtx {
  file: FileText;
  doc: Document.Parsed;
  diags: Diagnostic[];
  /** The list, macro or rule being read, named in every diagnostic. */
  item?: ItemRef;
}

export function placeOf(ctx: ReadCtx, node: Node | Pair | null | undefined, fallback?: Place): Place {
  const range = node && !isPair(node) ? node.range : isPair(node) && isNodeLike(node.key) ? node.key.range : undefined;
  if (!range) return fallback ?? { pos: filePosition(ctx.file, 0), length: 1 };
  return { pos: filePosition(ctx.file, range[0]), length: Math.max(1, range[1] - range[0]) };
}

function isNodeLike(v: unknown): v is Node {
  return isScalar(v) || isMap(v) || isSeq(v) || isAlias(v);
}

/** Follows an alias to the node it names; YAML anchors are legal in rule files. */
export function deref(ctx: ReadCtx, node: unknown): Node | undefined {
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    return isNodeLike(target) ? target : undefined;
  }
  return isNodeLike(node) ? node : undefined;
}

export function report(ctx: ReadCtx, code: string, message: string, place: Place): undefined {
  ctx.diags.push(error(code, message, place, ctx.item));
  return undefined;
}

/** The map's entries by key, with their key nodes, in file order. */
export function entries(ctx: ReadCtx, map: YAMLMap): { key: string; keyNode: Scalar; value: Node | undefined; pair: Pair }[] {
  const out: { key: string; keyNode: Scalar; value: Node | undefined; pair: Pair }[] = [];
  for (const pair of map.items) {
    const keyNode = deref(ctx, pair.key);
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      report(ctx, 'bad-key', 'mapping keys must be plain strings', placeOf(ctx, keyNode ?? map));
      continue;
    }
    out.push({ key: keyNode.value, keyNode, value: deref(ctx, pair.value), pair });
  }
  return out;
}

/** A non-empty string scalar, with a source that maps offsets inside it to the file. */
export function readText(ctx: ReadCtx, node: Node | undefined, key: string, at: Place, allowEmpty = false): Text | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') {
    return report(ctx, 'bad-value', `'${key}' must be a string`, node ? placeOf(ctx, node) : at);
  }
  if (!allowEmpty && node.value.trim() === '') return report(ctx, 'bad-value', `'${key}' must not be empty`, placeOf(ctx, node, at));
  return { value: node.value, place: placeOf(ctx, node), src: scalarSource(ctx.file, node, node.value) };
}

const TRUE = new Set(['true', 'yes', 'on', 'y']);
const FALSE = new Set(['false', 'no', 'off', 'n']);

/** Booleans as yaml-cpp (Falco's YAML library) reads them: true/false, yes/no, on/off, any case. */
export function readBool(ctx: ReadCtx, node: Node | undefined, key: string, at: Place): boolean | undefined {
  const raw = isScalar(node) && typeof node.value === 'string' ? node.value.trim().toLowerCase() : undefined;
  if (raw !== undefined && TRUE.has(raw)) return true;
  if (raw !== undefined && FALSE.has(raw)) return false;
  return report(ctx, 'bad-value', `'${key}' must be true or false`, node ? placeOf(ctx, node) : at);
}

/** A sequence of string scalars (list items, tags). */
export function readTextList(ctx: ReadCtx, node: Node | undefined, key: string, at: Place): Text[] | undefined {
  if (!isSeq(node)) return report(ctx, 'bad-value', `'${key}' must be a list`, node ? placeOf(ctx, node) : at);
  const out: Text[] = [];
  let ok = true;
  for (const raw of node.items) {
    const el = deref(ctx, raw);
    if (!isScalar(el) || typeof el.value !== 'string') {
      report(ctx, 'bad-value', `every element of '${key}' must be a string`, placeOf(ctx, el ?? node));
      ok = false;
      continue;
    }
    out.push({ value: el.value, place: placeOf(ctx, el), src: scalarSource(ctx.file, el, el.value) });
  }
  return ok ? out : undefined;
}
