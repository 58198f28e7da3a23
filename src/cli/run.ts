// `falconet run`: watch this host live with the rules, printing alerts.

import { existsSync } from 'node:fs';
import { internalAlert, type Alert } from '../outputs/index.js';
import { captureSet } from '../engine/capture-set.js';
import { Context } from '../engine/context.js';
import { Engine } from '../engine/engine.js';
import { StateMachine } from '../engine/state/apply.js';
import { ThreadTable } from '../engine/state/threads.js';
import { ownPidNamespace } from '../engine/probe/index.js';
import { alertSettings, minPriorityOption, openOutputs, type AlertOptions } from './alerts.js';
import { DEFAULT_DROP_POLICY, DropPolicy, type DropCounts } from './drops.js';
import { hostName, hostUsers } from './host.js';
import { ALL_TYPES, liveTaskSource, runLiveSession } from './live.js';
import { startMetadata } from './metadata.js';
import { AlertGate } from '../engine/alert-gate.js';
import { createLogger } from './logger.js';
import { APPEND_OUTPUT, loadRuleFiles, reportDiagnostics } from './rule-files.js';

export interface RunOptions extends AlertOptions {
  rules: string[];
  ringBytes?: number;
  duration?: number;
  dropAlertThreshold?: number;
  dropAlertInterval?: number;
  /** Seconds between two "stats" log lines (default 60; 0: none). */
  statsInterval?: number;
  /** --cgroup-hierarchy: auto (default), unified, or a v1 controller. */
  cgroupHierarchy?: string;
  /** --docker-socket PATH (default /var/run/docker.sock). */
  dockerSocket?: string;
  /** False with --no-docker. */
  docker?: boolean;
  /** --cri-socket PATH...: the CRI runtimes to ask (default: the usual sockets that exist). */
  criSocket?: string[];
  /** --k8s-api URL, --kubeconfig PATH, --k8s-node NAME. */
  k8sApi?: string;
  kubeconfig?: string;
  k8sNode?: string;
  /** --metadata-wait MS: how long an alert waits for its container's metadata (default 1000). */
  metadataWait?: number;
  /** --no-append-output makes this false: alerts then carry only the fields their rule names. */
  appendOutput?: boolean;
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

const PURGE_EVERY_MS = 60_000;

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
    const gone = threads.purge((tid) => existsSync(`/proc/${tid}`));
    if (gone > 0) log.info({ threads: gone, left: threads.size }, 'forgot threads that exited unseen');
  }, PURGE_EVERY_MS);
  timer.unref();
  return timer;
}

export async function runLive(opts: RunOptions): Promise<number> {
  const log = createLogger();
  const settings = alertSettings(opts, (w) => log.warn(w));
  const loaded = loadRuleFiles(opts.rules, {
    minPriority: minPriorityOption(opts.minPriority),
    matching: opts.ruleMatching,
    appendOutput: opts.appendOutput === false ? [] : APPEND_OUTPUT,
  });
  reportDiagnostics(loaded.diagnostics, { warnings: false });
  if (!loaded.ok) return 1;

  const drops = new DropPolicy({
    threshold: opts.dropAlertThreshold ?? DEFAULT_DROP_POLICY.threshold,
    intervalMs: opts.dropAlertInterval !== undefined ? opts.dropAlertInterval * 1000 : DEFAULT_DROP_POLICY.intervalMs,
  });
  const tasks = liveTaskSource(opts.cgroupHierarchy);
  const metadata = startMetadata(
    {
      docker: opts.docker === false ? false : opts.dockerSocket,
      criSockets: opts.criSocket,
      k8sApi: opts.k8sApi,
      kubeconfig: opts.kubeconfig,
      k8sNode: opts.k8sNode,
    },
    log,
  );
  tasks.onContainer = (c) => {
    if (!metadata.cache.has(c.id)) metadata.lookup(c.fullId);
  };
  const threads = new ThreadTable();
  const ctx = new Context(threads, hostUsers(), hostName(), metadata.cache);
  const sinks = openOutputs(settings, log, ctx.hostname);
  log.info({ channels: sinks.names }, 'alert channels');
  // Falco's SIGUSR1: reopen kept-open output files (after a log rotation).
  const reopen = () => sinks.reopen();
  process.on('SIGUSR1', reopen);
  const gate = new AlertGate(metadata.cache, opts.metadataWait ?? 1000, (a) => sinks.send(a));
  const engine = new Engine(loaded.ruleset, new StateMachine(threads, tasks), ctx, (r, e, c) => gate.matched(r, e, c), gate);
  const set = captureSet(loaded.ruleset, ALL_TYPES);
  if (set.unrestricted.length > 0) {
    log.warn({ rules: set.unrestricted }, 'rules without an evt.type restriction make the probe capture every event type');
  }
  log.info({ rules: loaded.ruleset.rules().length, files: opts.rules }, 'rules loaded');

  const purge = purgeDeadThreads(threads, log);
  let result: Awaited<ReturnType<typeof runLiveSession>>;
  try {
    result = await runLiveSession({
      eventTypes: set.types,
      cgroupHierarchy: tasks.hierarchy,
      ringBytes: opts.ringBytes,
      durationSec: opts.duration,
      log,
      onSnapshot: (procs) => threads.seed(procs, (c) => tasks.containerOf(c)),
      onRecord: (rec) => engine.process(rec),
      statsIntervalSec: opts.statsInterval ?? 60,
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
      onDrops: (ring, batch, received) => {
        log.warn({ ringDrops: ring, batchDrops: batch, delivered: received }, 'events dropped');
        const due = drops.observe(ring, batch, received, Date.now());
        if (due) sinks.send(dropAlert(due, ctx.hostname));
      },
    });
  } finally {
    // Also when the probe could not start: the runtime clients' sockets would keep the process alive.
    clearInterval(purge);
    gate.flush();
    await metadata.stop();
    process.off('SIGUSR1', reopen);
    await sinks.close();
  }
  log.info(
    { events: engine.stats.events, alerts: engine.stats.alerts, ...result, metadata: { ...metadata.summary(), ...gate.counters }, outputs: sinks.stats() },
    'stopped',
  );
  return 0;
}
