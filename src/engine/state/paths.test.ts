import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePath } from './paths.js';

// Paths built from the characters normalisation cares about, so `.`, `..`, `//` and trailing slashes
// come up often.
const pathText = fc.array(fc.constantFrom('/', '.', 'a', 'b'), { maxLength: 12 }).map((cs) => cs.join(''));

/** What resolvePath did before its fast path: always join and normalize. */
function reference(base: string, path: string): string {
  if (path === '') return path;
  if (path.startsWith('/')) return posix.normalize(path);
  return posix.normalize(posix.join(base || '/', path));
}

describe('resolvePath', () => {
  it('agrees with posix.join + posix.normalize on every base and path', () => {
    fc.assert(
      fc.property(pathText, pathText, (base, path) => {
        expect(resolvePath(base, path)).toBe(reference(base, path));
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps clean paths as they are and cleans the rest', () => {
    expect(resolvePath('/srv', 'data/x.db')).toBe('/srv/data/x.db');
    expect(resolvePath('/', 'etc')).toBe('/etc');
    expect(resolvePath('/srv', '../etc/./passwd')).toBe('/etc/passwd');
    expect(resolvePath('/srv', '/etc//shadow')).toBe('/etc/shadow');
    expect(resolvePath('/srv', '.bashrc')).toBe('/srv/.bashrc');
    expect(resolvePath('', 'x')).toBe('/x');
  });
});
