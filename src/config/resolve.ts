// From layers of raw settings (defaults < the config file and its config_files < the command line's
// flags < its -o options) to one validated Settings, with every problem named by its setting and
// origin (`falconet.yaml:12:3`, `-o http_output.url=x`, `--json`). An unknown key is a warning with
// the nearest known key (a likely typo), never silently ignored; a wrong type or value is an error.

import type { z } from 'zod';
import { closest } from '../rules/spelling.js';
import { parseOverride } from './overrides.js';
import { deletePath, hasPath, mergeInto, pathText, setPath, type Path } from './tree.js';
import { Settings } from './schema.js';
import { semanticProblems } from './checks.js';

export interface Layer {
  /** Settings as plain data, keyed like falco.yaml. */
  values: Record<string, unknown>;
  /** Where a setting at this path came from, for messages: "-o http_output.url=x", "--json", "falconet.yaml:3:5". */
  origin(path: Path): string;
  /** The source line of the setting at `path` with a caret under it, for errors (a file's layer). */
  quote?(path: Path): string | undefined;
  /** Where the setting at `path` is in the layer's text, to report problems in the file's order. */
  offset?(path: Path): number | undefined;
  /**
   * Set path by path, in order, instead of merging `values`: `-o rules_files[1]=x` changes one item
   * of the list the layers below gave, where merging would replace the whole list.
   */
  assignments?: readonly { path: Path; value: unknown }[];
}

export class ConfigError extends Error {
  /** `warnings`: what was found beside the errors (an unknown key), worth showing with them. */
  constructor(
    readonly problems: string[],
    readonly warnings: string[] = [],
  ) {
    super(problems.join('\n'));
  }
}

export interface Resolved {
  settings: Settings;
  warnings: string[];
  /** Where the value at `path` came from: a layer's origin, or 'default'. */
  origin(path: Path): string;
}

/** One layer from `-o key=value` options, each remembered for messages. */
export function overrideLayer(options: readonly string[]): Layer {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const assignments: { path: Path; value: unknown }[] = [];
  const problems: string[] = [];
  for (const text of options) {
    try {
      const o = parseOverride(text);
      setPath(values, o.path, o.value);
      assignments.push({ path: o.path, value: o.value });
      origins.set(pathText(o.path), `-o ${text}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { values, assignments, origin: (path) => originOf(origins, path) ?? '-o' };
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
  for (const layer of layers) {
    if (layer.assignments) for (const a of layer.assignments) setPath(merged, a.path, a.value);
    else mergeInto(merged, layer.values);
  }
  // The last layer that sets the path (or a part of it) is the one the value came from.
  const ownerOf = (path: Path): Layer | undefined => {
    for (let i = layers.length - 1; i >= 0; i--) if (hasPath(layers[i]!.values, path)) return layers[i];
    return undefined;
  };
  const originOfPath = (path: Path): string => ownerOf(path)?.origin(path) ?? 'default';
  const quoted = (path: Path): string => {
    const q = ownerOf(path)?.quote?.(path);
    return q ? `\n${q}` : '';
  };
  // Problems in the order of the layers, and of the text within a file.
  const order = (path: Path): [layer: number, offset: number] => {
    const layer = ownerOf(path);
    return [layer ? layers.indexOf(layer) : -1, layer?.offset?.(path) ?? 0];
  };
  const unknown: Found[] = [];
  let parsed = Settings.safeParse(merged);
  if (!parsed.success) {
    let dropped = false;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      for (const key of issue.keys) {
        const path = [...(issue.path as Path), key];
        const hint = closest(key, knownKeys(issue.path as Path));
        unknown.push([...order(path), `${originOfPath(path)}: unknown setting '${pathText(path)}'${hint ? ` (did you mean '${pathText([...(issue.path as Path), hint])}'?)` : ''}; ignored`]);
        deletePath(merged, path);
        dropped = true;
      }
    }
    if (dropped) parsed = Settings.safeParse(merged);
  }
  const warnings = inOrder(unknown);
  if (!parsed.success) {
    const found = parsed.error.issues.map((issue): Found => {
      const path = issue.path as Path;
      return [...order(path), `${originOfPath(path)}: ${pathText(path)}: ${issue.message}${quoted(path)}`];
    });
    throw new ConfigError(inOrder(found), warnings);
  }
  // A check may fail on a value left at its default (enabled, but no url): then the option that
  // enabled its section (`-o http_output.enabled=true`), or else set something in it, is named.
  const pathOfCheck = (path: Path): Path => [path, [path[0]!, 'enabled'], [path[0]!]].find((p) => ownerOf(p)) ?? path;
  const found = semanticProblems(parsed.data).map((p): Found => {
    const at = pathOfCheck(p.path);
    return [...order(at), `${originOfPath(at)}: ${pathText(p.path)}: ${p.message}${quoted(at)}`];
  });
  if (found.length) throw new ConfigError(inOrder(found), warnings);
  return { settings: parsed.data, warnings, origin: originOfPath };
}

type Found = [layer: number, offset: number, message: string];

/** The messages sorted by layer, then by place in the layer's text (a stable sort keeps the rest as found). */
function inOrder(found: Found[]): string[] {
  return found.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((f) => f[2]);
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
