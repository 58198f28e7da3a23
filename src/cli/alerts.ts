// The alert settings a command runs with: its shorthand flags (--json, --file-output) and Falco's
// `-o key.path=value` options, resolved through the one settings schema (src/config), and the
// Outputs built from them.

import { readFileSync } from 'node:fs';
import { ConfigError, flagLayer, overrideLayer, resolveSettings, type Settings } from '../config/index.js';
import { Outputs, type OutputLog } from '../outputs/index.js';
import { parsePriority, type Priority } from '../rules/types.js';
import type { RuleMatching } from '../engine/ruleset.js';
import { UsageError } from './rule-files.js';

export interface AlertOptions {
  json?: boolean;
  fileOutput?: string;
  minPriority?: string;
  /** Falco's rule_matching: 'first' (default) alerts on the first matching rule, 'all' on every one. */
  ruleMatching?: RuleMatching;
  /** -o key.path=value, in order. */
  option?: string[];
}

/** The settings from the command line; unknown keys are warnings, bad values a usage error. */
export function alertSettings(opts: AlertOptions, warn: (msg: string) => void): Settings {
  const flags: Record<string, unknown> = {};
  const flagNames = new Map<string, string>();
  if (opts.json) {
    flags.json_output = true;
    flagNames.set('json_output', '--json');
  }
  if (opts.fileOutput !== undefined) {
    flags.file_output = { enabled: true, filename: opts.fileOutput };
    flagNames.set('file_output', '--file-output');
  }
  try {
    const layers = [flagLayer(flags, (p) => flagNames.get(String(p[0])) ?? 'command line'), overrideLayer(opts.option ?? [])];
    const { settings, warnings } = resolveSettings(layers);
    for (const w of warnings) warn(w);
    return settings;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.problems.join('\nfalconet: '));
    throw err;
  }
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function openOutputs(settings: Settings, log: OutputLog, hostname: string): Outputs {
  try {
    return new Outputs(settings, { log, hostname, version: VERSION });
  } catch (err) {
    // A setting that names a file that cannot be read (a CA, a client key): the user's to fix.
    throw new UsageError((err as Error).message);
  }
}

export function minPriorityOption(text: string | undefined): Priority | undefined {
  if (text === undefined) return undefined;
  const p = parsePriority(text);
  if (!p) throw new UsageError(`--min-priority: '${text}' is not a priority (emergency, alert, critical, error, warning, notice, informational, debug)`);
  return p;
}
