// `falconet run`'s webserver (/healthz, /metrics; see src/webserver): built from the `webserver`
// settings and the live session's parts. Started before the probe attaches, so that a port in use
// stops the start before the probe loads and /healthz is never 200 before the probe is attached (the
// snapshot and the BPF load hold the JS thread: a request made then is answered after them).

import type { Logger } from 'pino';
import type { Settings } from '../config/index.js';
import type { AlertGate } from '../engine/alert-gate.js';
import type { Engine } from '../engine/engine.js';
import type { Probe } from '../engine/probe/index.js';
import type { Outputs } from '../outputs/index.js';
import { HealthMonitor, ListenError, Metrics, startWebserver, type MetricsSources, type Webserver } from '../webserver/index.js';
import { VERSION } from './version.js';
import type { LiveMetadata } from './metadata.js';
import { UsageError } from './rule-files.js';

export interface LiveParts {
  engine: Engine;
  outputs: () => Outputs;
  metadata: LiveMetadata;
  gate: AlertGate;
}

/** What the session tells the webserver; every method is a no-op when the webserver is off. */
export interface LiveWebserver {
  attached(probe: Probe): void;
  /** A batch took `seconds` (live.ts onBatchDone). */
  batchDone(seconds: number): void;
  /** A rules reload, and whether it was swapped in. */
  reloaded(ok: boolean): void;
  detached(): void;
  stop(): Promise<void>;
}

const OFF: LiveWebserver = { attached() {}, batchDone() {}, reloaded() {}, detached() {}, async stop() {} };

/** Listens on webserver.listen_address:listen_port; a port in use is a UsageError (exit 2). */
export async function startLiveWebserver(settings: Settings['webserver'], parts: LiveParts, log: Logger): Promise<LiveWebserver> {
  if (!settings.enabled) return OFF;
  let probe: Probe | undefined;
  let attached = false;
  let timer: NodeJS.Timeout | undefined;
  const health = new HealthMonitor();
  const metrics = settings.prometheus_metrics_enabled ? new Metrics(metricSources(parts, () => probe, () => attached)) : undefined;
  let server: Webserver;
  try {
    server = await startWebserver(
      { listenAddress: settings.listen_address, listenPort: settings.listen_port, metricsEnabled: metrics !== undefined },
      {
        health: () => {
          const now = Date.now();
          if (probe) health.observe(now, probe.stats());
          return health.assess(now);
        },
        metrics: () => metrics!.scrape(),
      },
    );
  } catch (err) {
    if (err instanceof ListenError) throw new UsageError(err.message);
    throw err;
  }
  log.info({ address: server.address, port: server.port, metrics: metrics !== undefined }, 'webserver listening (/healthz, /metrics)');
  return {
    attached(p) {
      probe = p;
      attached = true;
      health.attached(Date.now(), p.stats());
      timer = setInterval(() => health.observe(Date.now(), p.stats()), 1000);
      timer.unref();
    },
    batchDone(seconds) {
      health.batchFinished();
      metrics?.batchDone(seconds);
    },
    reloaded: (ok) => metrics?.reloaded(ok),
    detached() {
      clearInterval(timer);
      attached = false;
      // The counters stay readable (the last scrape sees the final totals); the health says stopping.
      health.detached();
    },
    stop: () => server.close(),
  };
}

function metricSources(parts: LiveParts, probe: () => Probe | undefined, attached: () => boolean): MetricsSources {
  const { engine, metadata, gate } = parts;
  return {
    version: VERSION,
    probe: () => probe()?.stats(),
    probeAttached: attached,
    eventsByType: () => engine.stats.byType,
    matchesByRule: () => engine.stats.byRule,
    rules: () => engine.ruleset.rules(),
    outputs: () => parts.outputs().stats(),
    enrichment: () => ({
      containers: metadata.cache.size,
      lookups: metadata.lookups,
      updates: metadata.cache.counters.upserts,
      removals: metadata.cache.counters.removals,
      sourceFailures: metadata.cache.counters.failures,
      alertsWaited: gate.counters.waited,
      waitTimeouts: gate.counters.timedOut,
      deferredEvents: gate.counters.deferredEvents,
      held: gate.heldCount,
    }),
  };
}
