// Path resolution the way the kernel saw it: relative paths are relative to the cwd (AT_FDCWD) or to
// the directory an fd names.
import { posix } from 'node:path';

export const AT_FDCWD = -100;

/** Joins `path` onto `base` when relative and normalises `.`/`..`; empty stays empty. */
export function resolvePath(base: string, path: string): string {
  if (path === '') return path;
  if (path.startsWith('/')) return posix.normalize(path);
  return posix.normalize(posix.join(base || '/', path));
}

/** The directory part of an absolute path, as fd.directory shows it. */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i <= 0) return '/';
  return path.slice(0, i);
}
