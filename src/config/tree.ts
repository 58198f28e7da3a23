// Settings as plain data: a tree of objects, lists and values, addressed by paths such as
// ['http_output', 'headers', 'X-A'] or ['rules_files', 1]. The few operations layering needs.

export type Path = (string | number)[];

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sets `value` at `path` inside `root`, creating objects and lists on the way; an object merges into
 * the object already there, key by key (a list or a value replaces what was there).
 */
export function setPath(root: Record<string, unknown>, path: Path, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    let child = node[k];
    if (typeof child !== 'object' || child === null) {
      child = typeof path[i + 1] === 'number' ? [] : {};
      node[k] = child;
    }
    node = child as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  const cur = node[last];
  if (isPlainObject(value) && isPlainObject(cur)) mergeInto(cur, value);
  else node[last] = isPlainObject(value) ? structuredClone(value) : value;
}

/** Merges `from` into `into`: objects key by key, anything else (lists too) replaced. `from` is not shared. */
export function mergeInto(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (isPlainObject(v) && isPlainObject(cur)) mergeInto(cur, v);
    else into[k] = isPlainObject(v) || Array.isArray(v) ? structuredClone(v) : v;
  }
}

export function hasPath(root: unknown, path: Path): boolean {
  let node = root;
  for (const k of path) {
    if (typeof node !== 'object' || node === null || !(k in node)) return false;
    node = (node as Record<string | number, unknown>)[k];
  }
  return true;
}

export function getPath(root: unknown, path: Path): unknown {
  let node = root;
  for (const k of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[k];
  }
  return node;
}

export function deletePath(root: Record<string, unknown>, path: Path): void {
  const parent = getPath(root, path.slice(0, -1));
  if (typeof parent === 'object' && parent !== null) delete (parent as Record<string | number, unknown>)[path[path.length - 1]!];
}

/** `http_output.headers`, `rules_files[1]`: a path as the user writes it. */
export function pathText(path: readonly (string | number | symbol)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}
