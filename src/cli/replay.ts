// `falconet replay FILE -r RULES...`: runs a recorded event file through the rules, printing alerts.

import { Context } from '../engine/context.js';
import { alertsTo, Engine } from '../engine/engine.js';
import { readEventFile } from '../engine/replay/reader.js';
import { StateMachine } from '../engine/state/apply.js';
import { ThreadTable } from '../engine/state/threads.js';
import { ReplayTaskSource } from '../metadata/task-source.js';
import { openOutputs } from './alerts.js';
import { createLogger } from './logger.js';
import { hostName, hostUsers } from './host.js';
import { Progress } from './progress.js';
import { loadRuleFiles, reportDiagnostics } from './rule-files.js';
import { commandSettings, ruleOptions, type SettingFlags } from './settings.js';

/** `falconet replay`'s flags: those that are settings (given only when typed, see settings.ts), and -q. */
export interface ReplayOptions extends SettingFlags {
  quiet?: boolean;
}

export async function replay(file: string, opts: ReplayOptions): Promise<number> {
  const log = createLogger(opts.quiet ? 'error' : 'warn');
  const config = commandSettings(opts);
  for (const w of config.warnings) log.warn(w);
  const { settings } = config;
  const loaded = loadRuleFiles(settings.rules_files, ruleOptions(settings));
  reportDiagnostics(loaded.diagnostics, { warnings: false });
  if (!loaded.ok) return 1;

  const threads = new ThreadTable();
  const users = hostUsers();
  const ctx = new Context(threads, users, hostName());
  const sinks = openOutputs(settings, log, ctx.hostname);
  const tasks = new ReplayTaskSource();
  const engine = new Engine(loaded.ruleset, new StateMachine(threads, tasks), ctx, alertsTo((a) => sinks.send(a)));
  const progress = new Progress('replayed', opts.quiet === true);
  let bad = 0;

  for await (const item of readEventFile(file)) {
    if (!item.ok) {
      bad++;
      process.stderr.write(`${file}:${item.lineNo}: error: ${item.message}\n`);
      continue;
    }
    const line = item.line;
    switch (line.kind) {
      case 'header':
        // Names recorded with the capture win over this host's.
        users.add(line.users ?? [], line.groups ?? []);
        if (line.hostname) ctx.hostname = line.hostname;
        break;
      case 'proc':
        threads.seed([line.proc], (c) => tasks.containerOf(c));
        break;
      case 'container':
        ctx.containers.set(line.container.id, line.container);
        break;
      case 'event':
        engine.process(line.record);
        progress.tick(engine.stats.events);
        break;
    }
  }
  progress.done(engine.stats.events);
  await sinks.close();
  if (!opts.quiet) {
    process.stderr.write(`${engine.stats.events} events, ${engine.stats.alerts} alerts, ${bad} bad lines\n`);
    for (const s of sinks.summary()) process.stderr.write(`${s}\n`);
  }
  return bad > 0 ? 2 : 0;
}
