// `falconet list-rules -r FILE...`: the loaded rules, their priority and the event types they need.

import { loadRuleFiles, reportDiagnostics } from './rule-files.js';

export interface ListRulesOptions {
  rules: string[];
  json?: boolean;
}

export function listRules(opts: ListRulesOptions): number {
  const res = loadRuleFiles(opts.rules);
  reportDiagnostics(res.diagnostics, { warnings: false });
  const rows = res.load.rules.map((r) => ({
    rule: r.name,
    priority: r.priority,
    enabled: r.enabled,
    source: r.source,
    tags: r.tags,
    evttypes: r.evttypes === 'all' ? 'all' : [...r.evttypes].sort(),
    file: `${r.pos.file}:${r.pos.line}`,
  }));
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else {
    for (const r of rows) {
      const types = typeof r.evttypes === 'string' ? '(all event types)' : r.evttypes.join(',');
      process.stdout.write(`${r.rule}\n  ${r.priority}${r.enabled ? '' : ' (disabled)'}  ${types}\n`);
    }
  }
  return res.ok ? 0 : 1;
}
