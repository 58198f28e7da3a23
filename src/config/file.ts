// One config file's text as a Layer: YAML read with every key's position kept, so that a message
// names `falconet.yaml:12:3` and quotes the line; `${VAR}` in values replaced from the environment,
// as Falco does. Pure: the caller reads the file and hands over the environment.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import { caretLine } from '../rules/index.js';
import { ConfigError, type Layer } from './resolve.js';
import { isPlainObject, pathText, type Path } from './tree.js';

export interface ConfigFile extends Layer {
  /** The file's name, as messages write it. */
  name: string;
  /** What is worth saying but not about a setting: environment variables that are not set. */
  warnings: string[];
}

interface Place {
  offset: number;
  length: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function parseConfigFile(text: string, name: string, env: Env): ConfigFile {
  const lines = new LineCounter();
  // merge: YAML 1.1's `<<: *anchor`, which falco.yaml files use.
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const p = lines.linePos(offset);
    return `${name}:${p.line}:${p.col}`;
  };
  const quote = (offset: number, length: number): string => {
    const p = lines.linePos(offset);
    const line = text.slice(lines.lineStarts[p.line - 1], lines.lineStarts[p.line] ?? text.length).replace(/\r?\n$/, '');
    return `${line}\n${caretLine(line, p.col, length)}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${at(e.pos[0])}: ${e.message}\n${quote(e.pos[0], e.pos[1] - e.pos[0])}`));
  }
  const warnings = doc.warnings.map((w) => `${at(w.pos[0])}: ${w.message}`);
  interpolate(doc, env, (variable, offset) => warnings.push(`${at(offset)}: environment variable '${variable}' is not set; it reads as ''`));

  const values: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  if (!isPlainObject(values)) {
    throw new ConfigError([`${at(doc.contents?.range[0] ?? 0)}: a config file holds a map of settings (key: value), not ${Array.isArray(values) ? 'a list' : 'a single value'}`]);
  }
  const places = new Map<string, Place>();
  if (doc.contents) placesOf(doc.contents, [], places);
  // The setting's own place, else that of the nearest enclosing key (a value an alias or `<<` brought).
  const placeOf = (path: Path): Place | undefined => {
    for (let n = path.length; n > 0; n--) {
      const p = places.get(pathText(path.slice(0, n)));
      if (p) return p;
    }
    return undefined;
  };
  return {
    name,
    values,
    warnings,
    origin: (path) => {
      const p = placeOf(path);
      return p ? at(p.offset) : name;
    },
    quote: (path) => {
      const p = placeOf(path);
      return p ? quote(p.offset, p.length) : undefined;
    },
    offset: (path) => placeOf(path)?.offset,
  };
}

/** Records where each key (and each list item) starts. */
function placesOf(node: Node, path: Path, into: Map<string, Place>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key) || pair.key.value === '<<') continue;
      const p = [...path, String(pair.key.value)];
      const [start, end] = pair.key.range ?? [0, 0];
      into.set(pathText(p), { offset: start, length: end - start });
      if (pair.value && !isAlias(pair.value)) placesOf(pair.value as Node, p, into);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (!item || typeof item !== 'object' || !('range' in item)) return;
      const p = [...path, i];
      const [start, end] = (item as Node).range ?? [0, 0];
      into.set(pathText(p), { offset: start, length: end - start });
      if (!isAlias(item)) placesOf(item as Node, p, into);
    });
  }
}

/**
 * Falco's `${VAR}`: replaced by the variable's value anywhere in a value; `$${VAR}` is the text
 * `${VAR}`. An unset variable reads as '' as in Falco, and is reported. A plain (unquoted) value
 * is read again after the replacement, so `listen_port: ${PORT}` is a number.
 */
function interpolate(doc: ReturnType<typeof parseDocument>, env: Env, unset: (variable: string, offset: number) => void): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const written = node.value;
      const replaced = written.replace(/\$(\$?)\{([^}]*)\}/g, (all, escape: string, variable: string) => {
        if (escape) return all.slice(1);
        const value = env[variable];
        if (value === undefined) unset(variable, node.range?.[0] ?? 0);
        return value ?? '';
      });
      if (replaced === written) return;
      node.value = node.type === 'PLAIN' ? retyped(replaced) : replaced;
    },
  });
}

/** A plain scalar's text as YAML reads it: a number, a boolean, else the text. */
function retyped(text: string): unknown {
  if (text.trim() === '') return text;
  const v = parseDocument(text).contents;
  return isScalar(v) && (typeof v.value === 'number' || typeof v.value === 'boolean') ? v.value : text;
}
