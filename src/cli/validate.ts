// `falconet validate [-c PATH] [-r PATH...]`: checks a config file (and its config_files) and the rules
// it names, or -r's, as `run` would load them, without starting the probe (Falco's --dry-run).
// Reports every problem with its file:line:col; exit 1 when there is an error.

import { ConfigError } from '../config/index.js';
import { loadRuleFiles, reportDiagnostics, UsageError } from './rule-files.js';
import { resolveCommandSettings, ruleOptions, type CommandSettings, type SettingFlags } from './settings.js';

export interface ValidateOptions extends SettingFlags {
  quiet?: boolean;
}

export function validate(opts: ValidateOptions): number {
  let config: CommandSettings;
  try {
    config = resolveCommandSettings(opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`falconet: error: ${p}\n`);
    if (!opts.quiet) for (const w of err.warnings) process.stderr.write(`falconet: warning: ${w}\n`);
    process.stdout.write(`${opts.config ?? 'config'}: failed: ${err.problems.length} error${err.problems.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  if (!opts.quiet) for (const w of config.warnings) process.stderr.write(`falconet: warning: ${w}\n`);
  if (config.files.length > 0) {
    const n = config.warnings.length;
    process.stdout.write(`${config.files.join(', ')}: ok${n > 0 ? ` (${n} warning${n === 1 ? '' : 's'})` : ''}\n`);
  }

  const rules = config.settings.rules_files;
  let res: ReturnType<typeof loadRuleFiles>;
  try {
    res = loadRuleFiles(rules, ruleOptions(config.settings));
  } catch (err) {
    // A rules file that does not exist or cannot be read.
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`falconet: error: ${err.message}\n`);
    process.stdout.write(`${rules.join(', ')}: failed\n`);
    return 1;
  }
  reportDiagnostics(res.diagnostics, { warnings: !opts.quiet });
  const loaded = res.ruleset.rules();
  const enabled = loaded.filter((r) => r.enabled).length;
  const verdict = res.ok ? 'ok' : 'failed';
  const notLoaded = [...res.load.notLoaded, ...res.notCompiled];
  process.stdout.write(`${rules.join(', ')}: ${verdict}: ${loaded.length} rules loaded (${enabled} enabled), ${notLoaded.length} not loaded\n`);
  for (const n of notLoaded) {
    process.stdout.write(`  not loaded: ${n.name} (${n.pos.file}:${n.pos.line}:${n.pos.col})\n`);
  }
  return res.ok ? 0 : 1;
}
