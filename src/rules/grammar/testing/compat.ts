// Test support: pulling conditions and lists out of Falco's public rule files (kept beside the repo in
// ../shared/compat) so tests can run every real condition through the parser and resolvers. Pure:
// tests read the files and hand the text in. Not part of the loader; the collector owns real loading.

import { parseAllDocuments } from 'yaml';

export const COMPAT_FILES = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'] as const;

export interface CompatItem {
  file: string;
  kind: 'rule' | 'macro' | 'list';
  name: string;
  /** The condition of a rule or macro. */
  condition?: string;
  /** The items of a list. */
  items?: string[];
}

/** Rules, macros and lists of one rule file, in file order. */
export function compatItems(file: string, yamlText: string): CompatItem[] {
  const out: CompatItem[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const items: unknown = doc.toJS();
    if (!Array.isArray(items)) continue;
    for (const item of items as Record<string, unknown>[]) {
      if (typeof item.list === 'string' && Array.isArray(item.items)) {
        out.push({ file, kind: 'list', name: item.list, items: (item.items as unknown[]).map(String) });
      } else if (typeof item.condition === 'string' && (typeof item.rule === 'string' || typeof item.macro === 'string')) {
        const kind = typeof item.rule === 'string' ? 'rule' : 'macro';
        out.push({ file, kind, name: String(item.rule ?? item.macro), condition: item.condition });
      }
    }
  }
  return out;
}
