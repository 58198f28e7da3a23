// From layers of raw settings (today: the command line's -o options and shorthand flags; later the
// config file too) to one validated Settings, with every problem named by its setting and origin.
// An unknown key is a warning with the nearest known key (a likely typo), never silently ignored; a
// wrong type or value is an error.

import type { z } from 'zod';
import { closest } from '../rules/spelling.js';
import { parseOverride, pathText, setPath, type Path } from './overrides.js';
import { Settings } from './schema.js';
import { semanticProblems } from './checks.js';

export interface Layer {
  /** Settings as plain data, keyed like falco.yaml. */
  values: Record<string, unknown>;
  /** Where a setting at this path came from, for messages: "-o http_output.url=x", "--json". */
  origin(path: Path): string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface Resolved {
  settings: Settings;
  warnings: string[];
}

/** One layer from `-o key=value` options, each remembered for messages. */
export function overrideLayer(options: readonly string[]): Layer {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const problems: string[] = [];
  for (const text of options) {
    try {
      const o = parseOverride(text);
      setPath(values, o.path, o.value);
      origins.set(pathText(o.path), `-o ${text}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { values, origin: (path) => originOf(origins, path) ?? '-o' };
}

/** A layer of settings a command's flags imply (`--json` is json_output=true). */
export function flagLayer(values: Record<string, unknown>, flag: (path: Path) => string): Layer {
  return { values, origin: flag };
}

/** The most specific origin recorded for `path` or one of its parents or children. */
function originOf(origins: Map<string, string>, path: Path): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const o = origins.get(pathText(path.slice(0, n)));
    if (o) return o;
  }
  const prefix = pathText(path);
  for (const [k, o] of origins) if (k.startsWith(prefix)) return o;
  return undefined;
}

export function resolveSettings(layers: readonly Layer[]): Resolved {
  const merged: Record<string, unknown> = {};
  const owner: { path: string; layer: Layer }[] = [];
  for (const layer of layers) {
    mergeInto(merged, layer.values);
    owner.push({ path: '', layer });
  }
  const originOfPath = (path: Path): string => {
    // The last layer that sets the path (or a part of it) is the one the value came from.
    for (let i = layers.length - 1; i >= 0; i--) if (hasPath(layers[i]!.values, path)) return layers[i]!.origin(path);
    return 'default';
  };
  const warnings: string[] = [];
  const errors: string[] = [];
  let parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    let dropped = false;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      for (const key of issue.keys) {
        const path = [...(issue.path as Path), key];
        const hint = closest(key, knownKeys(issue.path as Path));
        warnings.push(`${originOfPath(path)}: unknown setting '${pathText(path)}'${hint ? ` (did you mean '${pathText([...(issue.path as Path), hint])}'?)` : ''}; ignored`);
        deletePath(merged, path);
        dropped = true;
      }
    }
    if (dropped) parsed = Settings.safeParse(merged);
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as Path;
      errors.push(`${originOfPath(path)}: ${pathText(path)}: ${issue.message}`);
    }
    throw new ConfigError(errors);
  }
  // A check may fail on a value left at its default (enabled, but no url): then the option that
  // enabled its section (`-o http_output.enabled=true`), or else set something in it, is named.
  const originOfCheck = (path: Path): string => {
    for (const p of [path, [path[0]!, 'enabled'], [path[0]!]]) {
      const o = originOfPath(p);
      if (o !== 'default') return o;
    }
    return 'default';
  };
  for (const p of semanticProblems(parsed.data)) errors.push(`${originOfCheck(p.path)}: ${pathText(p.path)}: ${p.message}`);
  if (errors.length) throw new ConfigError(errors);
  return { settings: parsed.data, warnings };
}

function mergeInto(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (isPlainObject(v) && isPlainObject(cur)) mergeInto(cur, v);
    else into[k] = isPlainObject(v) ? structuredClone(v) : v;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasPath(root: unknown, path: Path): boolean {
  let node = root;
  for (const k of path) {
    if (typeof node !== 'object' || node === null || !(k in node)) return false;
    node = (node as Record<string | number, unknown>)[k];
  }
  return true;
}

function deletePath(root: Record<string, unknown>, path: Path): void {
  let node: unknown = root;
  for (const k of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[k];
  if (typeof node === 'object' && node !== null) delete (node as Record<string | number, unknown>)[path[path.length - 1]!];
}

/** The keys the schema knows at `path` (for "did you mean"). */
function knownKeys(path: Path): string[] {
  let node: z.ZodType = Settings;
  for (const k of path) {
    const next = objectShape(node)?.[k as string];
    if (!next) return [];
    node = next;
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(t: z.ZodType): Record<string, z.ZodType> | undefined {
  // Defaults and optionals wrap the object; unwrap them to reach its shape.
  let cur = t as unknown as { shape?: Record<string, z.ZodType>; unwrap?: () => z.ZodType; _zod: { def: { innerType?: z.ZodType } } };
  for (let i = 0; i < 5; i++) {
    if (cur.shape) return cur.shape;
    const inner = cur._zod.def.innerType;
    if (!inner) return undefined;
    cur = inner as unknown as typeof cur;
  }
  return undefined;
}
