// Test support: reads the compat rule files from disk. Only tests import this module.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPAT_FILES, compatItems, type CompatItem } from './compat.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const COMPAT_DIR = path.resolve(repoRoot, '../shared/compat');

/** Every rule, macro and list of the compat files, stable first, then incubating and sandbox. */
export function loadCompatItems(): CompatItem[] {
  return COMPAT_FILES.flatMap((file) => compatItems(file, readFileSync(path.join(COMPAT_DIR, file), 'utf8')));
}
