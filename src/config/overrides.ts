// `-o key.path=value`, as Falco takes it: the path names a setting (`http_output.url`), may index a
// list (`rules_files[1]`), and the value is read as YAML (`true`, `10`, `[a, b]`), else kept as text.

import { parse as parseYaml } from 'yaml';
import type { Path } from './tree.js';

export interface Override {
  path: Path;
  value: unknown;
  /** The option as the user wrote it, for messages. */
  text: string;
}

export class OverrideSyntaxError extends Error {}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new OverrideSyntaxError(`-o ${text}: expected key.path=value`);
  const path = parsePath(text.slice(0, eq), text);
  const raw = text.slice(eq + 1);
  return { path, value: yamlValue(raw), text };
}

function parsePath(key: string, text: string): Path {
  const path: Path = [];
  const re = /([^.[\]]+)|\[(\d+)\]|(\.)/gy;
  let expectName = true;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < key.length && (m = re.exec(key)) !== null) {
    // `at` only moves past what was accepted, so a token that breaks the loop leaves it short.
    if (m[1] !== undefined) {
      if (!expectName) break;
      path.push(m[1]);
      expectName = false;
    } else if (m[2] !== undefined) {
      if (expectName) break;
      path.push(Number(m[2]));
    } else {
      if (expectName) break;
      expectName = true;
    }
    at = re.lastIndex;
  }
  if (at !== key.length || expectName || path.length === 0 || typeof path[0] !== 'string') {
    throw new OverrideSyntaxError(`-o ${text}: '${key}' is not a setting path (key.sub.key, list[0].key)`);
  }
  return path;
}

/**
 * A boolean, a number, a quoted string or a flow collection (`[a, b]`, `{k: v}`) as YAML reads
 * it; anything else is the text as written, since YAML would turn `echo a: b` into a map, `- x`
 * into a list and cut `mail -s 'alert #1'` at its "comment".
 */
function yamlValue(raw: string): unknown {
  const t = raw.trim();
  if (t === '') return '';
  let v: unknown;
  try {
    v = parseYaml(raw);
  } catch {
    return raw;
  }
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && (t.startsWith('[') || t.startsWith('{'))) return v;
  // A quoted scalar ('10', "a: b") is the string inside the quotes, as in falco.yaml.
  if (typeof v === 'string' && (t.startsWith('"') || t.startsWith("'"))) return v;
  return raw;
}
