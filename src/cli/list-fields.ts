// `falconet list-fields`: every field, from the same tables the engine extracts with.

import { fieldRegistry } from '../engine/fields/index.js';

export interface ListFieldsOptions {
  json?: boolean;
  available?: boolean;
}

export function listFields(opts: ListFieldsOptions): number {
  const fields = fieldRegistry.list().filter((f) => !opts.available || f.available);
  if (opts.json) {
    process.stdout.write(JSON.stringify(fields, null, 2) + '\n');
    return 0;
  }
  let cls = '';
  const out: string[] = [];
  for (const f of fields) {
    if (f.className !== cls) {
      cls = f.className;
      out.push('', `Field class: ${cls}`, '');
    }
    const na = f.available ? '' : ` (not available: ${f.unavailable ?? 'always <NA>'})`;
    out.push(`${f.usage.padEnd(36)} ${f.type.padEnd(8)} ${f.desc}${na}`);
  }
  process.stdout.write(out.join('\n').trimStart() + '\n');
  return 0;
}
