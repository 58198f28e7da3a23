// `falconet run`: watch this host live with the rules, printing alerts.

import { existsSync } from 'node:fs';
import { internalAlert, type Alert } from '../outputs/index.js';
import { captureSet } from '../engine/capture-set.js';
import { Context } from '../engine/context.js';
import { Engine } from '../engine/engine.js';
import { StateMachine } from '../engine/state/apply.js';
import { ThreadTable } from '../engine/state/threads.js';
import { ownPidNamespace } from '../engine/probe/index.js';
import { openOutputs } from './alerts.js';
import { DropPolicy, type DropCounts } from './drops.js';
import { hostName, hostProc, hostUsers } from './host.js';
import { ALL_TYPES, liveTaskSource, runLiveSession } from './live.js';
import { startMetadata } from './metadata.js';
import { dnsNamesOf, startDnsNames } from '../metadata/dns/index.js';
import type { CompiledRules } from '../rules/compiler/index.js';
import type { Diagnostic } from '../rules/index.js';
import { startLiveWebserver, type LiveWebserver } from './webserver.js';
import { AlertGate } from '../engine/alert-gate.js';
import { createLogger } from './logger.js';
import { RulesReloader } from './reload.js';
import type { Probe } from '../engine/probe/index.js';
import { loadRuleFiles, reportDiagnostics } from './rule-files.js';
import { commandSettings, dropPolicyOptions, logLevel, metadataOptions, probeRingBytes, resolveCommandSettings, ruleOptions, type CommandSettings, type SettingFlags } from './settings.js';
import { ConfigError, OUTPUT_KEYS, type Settings } from '../config/index.js';

/** `falconet run`'s flags: those that are settings (given only when typed, see settings.ts), and --duration. */
export interface RunOptions extends SettingFlags {
  duration?: number;
}

/** Like Falco, lost events are themselves an alert: a gap in what the rules saw. */
function dropAlert(c: DropCounts, hostname: string): Alert {
  const span = c.seconds === 1 ? 'in the last second with drops' : `in ${c.seconds} seconds with drops since the previous drop alert`;
  return internalAlert(
    'Falconet internal: syscall event drop',
    'CRITICAL',
    `Falconet internal: syscall event drop. ${c.ring + c.batch} system calls dropped ${span} (ring buffer full: ${c.ring}, engine behind: ${c.batch}, delivered: ${c.delivered})`,
    { 'n_drops_ringbuf': c.ring, 'n_drops_engine': c.batch, 'n_evts': c.delivered, 'n_seconds': c.seconds },
    hostname,
  );
}

/** A rule on an event type falconet cannot capture loads, as in Falco, but stays silent: say where. */
function warnUncaptured(log: ReturnType<typeof createLogger>, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics.filter((x) => x.code === 'event-type-not-captured')) {
    log.warn({ at: `${d.pos.file}:${d.pos.line}:${d.pos.col}`, rule: d.item?.name }, d.message);
  }
}

const PURGE_EVERY_MS = 60_000;

/** The names a ruleset's conditions compare fd.sip.name and friends with (resolved for those fields). */
function ruleDnsNames(ruleset: CompiledRules): string[] {
  return dnsNamesOf(ruleset.rules().flatMap((r) => (r.loaded ? [r.loaded.condition] : [])));
}

/**
 * Every minute, forgets the threads /proc no longer has: their exit records may have been dropped.
 * Only where /proc is the host's (the host pid namespace); elsewhere no host tid would look alive.
 */
function purgeDeadThreads(threads: ThreadTable, log: ReturnType<typeof createLogger>): NodeJS.Timeout | undefined {
  if (ownPidNamespace() !== undefined) {
    log.warn('falconet runs in a pid namespace of its own: threads whose exit was missed are never forgotten; run it in the host pid namespace (hostPID)');
    return undefined;
  }
  const timer = setInterval(() => {
    const gone = threads.purge((tid) => existsSync(`${hostProc()}/${tid}`));
    if (gone > 0) log.info({ threads: gone, left: threads.size }, 'forgot threads that exited unseen');
  }, PURGE_EVERY_MS);
  timer.unref();
  return timer;
}

/** Settings a reload cannot apply to a running monitor: the probe, the runtime clients, the webserver, the log. */
const RESTART_KEYS = ['engine', 'cgroup_hierarchy', 'container_engines', 'k8s', 'metadata_wait_ms', 'webserver', 'syscall_event_drops', 'log_level', 'log_stderr', 'stats_interval'] as const satisfies readonly (keyof Settings)[];

/** Whether a reload changed any alert setting (json_output, outputs_queue, a channel...). */
function outputsChanged(a: Settings, b: Settings): boolean {
  return Object.keys(OUTPUT_KEYS).some((k) => JSON.stringify(a[k as keyof Settings]) !== JSON.stringify(b[k as keyof Settings]));
}

/** The settings anew, a bad config as an Error whose message lists its problems. */
function resolveCommandSettingsOrThrow(opts: RunOptions): CommandSettings {
  try {
    return resolveCommandSettings(opts);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.problems.join('; '));
    throw err;
  }
}

export async function runLive(opts: RunOptions): Promise<number> {
  const config = commandSettings(opts);
  const { settings } = config;
  const log = createLogger(logLevel(settings));
  for (const w of config.warnings) log.warn(w);
  if (config.files.length > 0) log.info({ files: config.files }, 'config files read');
  let current = config;
  const rules = settings.rules_files;
  const loaded = loadRuleFiles(rules, ruleOptions(settings));
  reportDiagnostics(loaded.diagnostics, { warnings: false });
  if (!loaded.ok) return 1;
  warnUncaptured(log, loaded.diagnostics);

  const drops = new DropPolicy(dropPolicyOptions(settings));
  const dropActions = new Set(settings.syscall_event_drops.actions);
  let stoppedOnDrops = false;
  const tasks = liveTaskSource(settings.cgroup_hierarchy);
  const metadata = startMetadata(metadataOptions(config), log);
  tasks.onContainer = (c) => {
    if (!metadata.cache.has(c.id)) metadata.lookup(c.fullId);
  };
  const threads = new ThreadTable();
  const ctx = new Context(threads, hostUsers(), hostName(), metadata.cache);
  const dns = startDnsNames(ruleDnsNames(loaded.ruleset), log);
  ctx.dns = dns;
  let sinks = openOutputs(settings, log, ctx.hostname);
  log.info({ channels: sinks.names }, 'alert channels');
  // Falco's SIGUSR1: reopen kept-open output files (after a log rotation).
  const reopen = () => sinks.reopen();
  process.on('SIGUSR1', reopen);
  const gate = new AlertGate(metadata.cache, settings.metadata_wait_ms, (a) => sinks.send(a));
  const engine = new Engine(loaded.ruleset, new StateMachine(threads, tasks), ctx, (r, e, c) => gate.matched(r, e, c), gate);
  const set = captureSet(loaded.ruleset, ALL_TYPES);
  if (set.unrestricted.length > 0) {
    log.warn({ rules: set.unrestricted }, 'rules without an evt.type restriction make the probe capture every event type');
  }
  log.info({ rules: loaded.ruleset.rules().length, files: rules }, 'rules loaded');

  const watchRules = settings.watch_config_files;
  let probe: Probe | undefined;
  // A reload reads the config files again too: their rules_files, rule and alert settings apply.
  let pending = config;
  const reloader = new RulesReloader({
    paths: [...rules, ...config.files],
    load: () => {
      pending = resolveCommandSettingsOrThrow(opts);
      const next = loadRuleFiles(pending.settings.rules_files, ruleOptions(pending.settings));
      if (next.ok) warnUncaptured(log, next.diagnostics);
      return next;
    },
    apply: (ruleset) => {
      const next = captureSet(ruleset, ALL_TYPES);
      const change = probe?.setEventTypes(next.types);
      engine.setRuleset(ruleset);
      dns.setNames(ruleDnsNames(ruleset));
      if (outputsChanged(current.settings, pending.settings)) {
        // New channels from the next alert on; the old ones deliver what they hold, then close.
        const old = sinks;
        sinks = openOutputs(pending.settings, log, ctx.hostname);
        log.info({ channels: sinks.names }, 'alert channels changed');
        void old.close();
      }
      for (const w of pending.warnings) log.warn(w);
      const needRestart = RESTART_KEYS.filter((k) => JSON.stringify(current.settings[k]) !== JSON.stringify(pending.settings[k]));
      if (needRestart.length) log.warn({ settings: needRestart }, 'these settings changed but take effect only when falconet restarts');
      current = pending;
      reloader.repath([...pending.settings.rules_files, ...pending.files]);
      const missing = change ? [...change.unsupported, ...change.unavailable] : [];
      return missing.length ? [`the probe cannot capture ${missing.join(', ')} here; rules on them will not fire`] : [];
    },
    failed: (message) => sinks.send(internalAlert('Falconet internal: reload failed', 'ERROR', `Falconet internal: reload failed, the running rules and settings stay in force: ${message}`, {}, ctx.hostname)),
    log,
    onResult: (ok) => web?.reloaded(ok),
  });

  const purge = purgeDeadThreads(threads, log);
  let result: Awaited<ReturnType<typeof runLiveSession>>;
  let web: LiveWebserver | undefined;
  try {
    // Before the probe: /healthz says "not attached yet" meanwhile, and a port in use stops us here.
    web = await startLiveWebserver(settings.webserver, { engine, outputs: () => sinks, metadata, gate }, log);
    result = await runLiveSession({
      eventTypes: set.types,
      cgroupHierarchy: tasks.hierarchy,
      ringBytes: probeRingBytes(settings),
      ia32: settings.engine.modern_ebpf.ia32_syscalls,
      durationSec: opts.duration,
      log,
      onSnapshot: (procs) => threads.seed(procs, (c) => tasks.containerOf(c)),
      reloadable: true,
      onAttached: (_offset, p) => {
        probe = p;
        web?.attached(p);
        reloader.start(watchRules);
      },
      onRecord: (rec) => engine.process(rec),
      onBatchDone: (seconds) => web?.batchDone(seconds),
      statsIntervalSec: settings.stats_interval,
      // Falco's metrics, as a log line: what was seen, what was lost and where, at a steady pace.
      onStats: (totals) =>
        log.info(
          {
            events: engine.stats.events,
            alerts: engine.stats.alerts,
            threads: threads.size,
            cgroupProcReads: tasks.procReads,
            metadata: { ...metadata.summary(), ...gate.counters },
            ...totals,
            outputs: sinks.stats(),
          },
          'stats',
        ),
      // Falco's syscall_event_drops.actions: log (every second with drops), alert, exit.
      onDrops: (ring, batch, received) => {
        if (dropActions.has('log')) log.warn({ ringDrops: ring, batchDrops: batch, delivered: received }, 'events dropped');
        const due = drops.observe(ring, batch, received, Date.now());
        if (!due) return;
        if (dropActions.has('alert')) sinks.send(dropAlert(due, ctx.hostname));
        if (dropActions.has('exit') && !stoppedOnDrops) {
          stoppedOnDrops = true;
          log.error({ ringDrops: due.ring, batchDrops: due.batch, delivered: due.delivered }, 'events dropped past syscall_event_drops.threshold: stopping (actions: exit)');
          // Stop as on SIGTERM (detach, deliver what waits), then exit 1.
          process.kill(process.pid, 'SIGTERM');
        }
      },
    });
  } finally {
    web?.detached();
    // Also when the probe could not start: the runtime clients' sockets would keep the process alive.
    clearInterval(purge);
    dns.stop();
    reloader.stop();
    gate.flush();
    await metadata.stop();
    process.off('SIGUSR1', reopen);
    await sinks.close();
    await web?.stop();
  }
  log.info(
    { events: engine.stats.events, alerts: engine.stats.alerts, ...result, metadata: { ...metadata.summary(), ...gate.counters }, outputs: sinks.stats() },
    'stopped',
  );
  return stoppedOnDrops || result.probeError ? 1 : 0;
}
