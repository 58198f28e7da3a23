// Path resolution the way the kernel saw it: relative paths are relative to the cwd (AT_FDCWD) or to
// the directory an fd names.
import { posix } from 'node:path';

export const AT_FDCWD = -100;

/**
 * True when posix.normalize would return an absolute path unchanged: only `.`/`..` segments and
 * empty segments (`//`) are rewritten, and both need a `/.` or a `//`. Most paths a process opens
 * are already clean, and normalize costs more than the open's whole state update.
 */
function isClean(abs: string): boolean {
  // One pass over the chars rather than two indexOf scans: this runs on every open.
  for (let i = 0; i < abs.length - 1; i++) {
    if (abs.charCodeAt(i) !== 47) continue;
    const next = abs.charCodeAt(i + 1);
    if (next === 47 || next === 46) return false;
  }
  return true;
}

/** Joins `path` onto `base` when relative and normalises `.`/`..`; empty stays empty. */
export function resolvePath(base: string, path: string): string {
  if (path === '') return path;
  if (path.charCodeAt(0) === 47 /* '/' */) return isClean(path) ? path : posix.normalize(path);
  // posix.join(base || '/', path), then normalize: skip both when plain concatenation is already clean.
  const dir = base || '/';
  const joined = dir.charCodeAt(dir.length - 1) === 47 ? dir + path : `${dir}/${path}`;
  if (dir.charCodeAt(0) === 47 && path.charCodeAt(0) !== 46 /* '.' */ && isClean(joined)) return joined;
  return posix.normalize(posix.join(dir, path));
}

