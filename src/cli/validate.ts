// `falconet validate -r FILE...`: load the files as `run` would and report every problem.

import { loadRuleFiles, reportDiagnostics } from './rule-files.js';

export interface ValidateOptions {
  rules: string[];
  quiet?: boolean;
}

export function validate(opts: ValidateOptions): number {
  const res = loadRuleFiles(opts.rules);
  reportDiagnostics(res.diagnostics, { warnings: !opts.quiet });
  const rules = res.ruleset.rules();
  const enabled = rules.filter((r) => r.enabled).length;
  const verdict = res.ok ? 'ok' : 'failed';
  const notLoaded = [...res.load.notLoaded, ...res.notCompiled];
  process.stdout.write(
    `${opts.rules.join(', ')}: ${verdict}: ${rules.length} rules loaded (${enabled} enabled), ${notLoaded.length} not loaded\n`,
  );
  for (const n of notLoaded) {
    process.stdout.write(`  not loaded: ${n.name} (${n.pos.file}:${n.pos.line}:${n.pos.col})\n`);
  }
  return res.ok ? 0 : 1;
}
