// falconet's Prometheus metrics, with prom-client. Almost every value is read at scrape time from the
// counters the probe, the engine, the alert channels and the metadata cache keep anyway (a collect()
// callback), so /metrics adds nothing to the event path. The two exceptions are per batch, never per
// event: the batch-time histogram and the health monitor's batch count.
//
// Names: one prefix (falconet_), counters end in _total, labels bounded by the configuration: evt_type
// by the event schema, rule by the ruleset, channel by the enabled outputs, source by the metadata
// clients. Nothing is labelled by container, process or file.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues } from 'prom-client';
import type { ChannelStats } from '../outputs/index.js';

/** The probe's cumulative counters (its ProbeStats). */
export interface ProbeCounters {
  received: number;
  ringDrops: number;
  batchDrops: number;
  batches: number;
}

/** The enrichment side: metadata cache, runtime clients and the alerts that waited for them. */
export interface EnrichmentCounters {
  containers: number;
  /** Runtime lookups asked for containers first seen in a cgroup. */
  lookups: number;
  /** Container records stored (a lookup answered, or a runtime event). */
  updates: number;
  removals: number;
  /** Times each metadata source (docker, cri:SOCKET, kubernetes) went down. */
  sourceFailures: Readonly<Record<string, number>>;
  /** Alerts held for their container's metadata, and those of them sent without it (the wait ran out). */
  alertsWaited: number;
  waitTimeouts: number;
  /** Events whose metadata-reading rules waited for the metadata. */
  deferredEvents: number;
  /** Alerts and evaluations waiting now. */
  held: number;
}

/** Where the metrics come from; each read at scrape time. */
export interface MetricsSources {
  version: string;
  /** Undefined until the probe is attached; its last counters once detached. */
  probe(): ProbeCounters | undefined;
  probeAttached(): boolean;
  /** Events the engine processed per evt.type, and matches per rule name. */
  eventsByType(): ReadonlyMap<string, { readonly n: number }>;
  matchesByRule(): ReadonlyMap<string, number>;
  /** The rules in force now (a reload changes them). */
  rules(): readonly { name: string; priority: string }[];
  /** Per alert channel (stdout, file, syslog, program, http). */
  outputs(): Readonly<Record<string, ChannelStats>>;
  enrichment(): EnrichmentCounters;
}

type Samples = Iterable<readonly [LabelValues<string>, number]>;
type Read = () => Samples | number;

/** A counter or gauge whose samples are read from `read` at scrape time (a bare number: no labels). */
function atScrape(kind: 'counter' | 'gauge', registry: Registry, name: string, help: string, labelNames: readonly string[], read: Read): void {
  const fill = (put: (labels: LabelValues<string>, n: number) => void): void => {
    const v = read();
    if (typeof v === 'number') put({}, v);
    else for (const [labels, n] of v) put(labels, n);
  };
  const config = { name, help, labelNames, registers: [registry] };
  if (kind === 'counter') {
    new Counter({
      ...config,
      collect() {
        this.reset();
        fill((l, n) => this.inc(l, n));
      },
    });
  } else {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        fill((l, n) => this.set(l, n));
      },
    });
  }
}

const counterOf = (r: Registry, name: string, help: string, labels: readonly string[], read: Read): void => atScrape('counter', r, name, help, labels, read);
const gaugeOf = (r: Registry, name: string, help: string, labels: readonly string[], read: Read): void => atScrape('gauge', r, name, help, labels, read);

/** Per-channel samples of one ChannelStats field. */
const perChannel = (sources: MetricsSources, field: keyof ChannelStats) => (): Samples =>
  Object.entries(sources.outputs()).map(([channel, s]) => [{ channel }, s[field]] as const);

/** Batches take from microseconds (a few records) to a second (a full 1 MiB batch on a slow host). */
const BATCH_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export class Metrics {
  readonly registry = new Registry();
  private readonly batchSeconds: Histogram;
  private readonly reloads: Counter<'result'>;
  /** The priority each rule had when last seen: a rule a reload removed keeps its matches' labels. */
  private readonly priorities = new Map<string, string>();

  constructor(sources: MetricsSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'falconet_' });
    gaugeOf(r, 'falconet_build_info', 'Always 1; the version label says which falconet this is.', ['version'], () => [[{ version: sources.version }, 1]]);
    gaugeOf(r, 'falconet_probe_attached', '1 while the kernel probe is attached.', [], () => (sources.probeAttached() ? 1 : 0));

    const probe = (f: keyof ProbeCounters) => (): number => sources.probe()?.[f] ?? 0;
    counterOf(r, 'falconet_events_received_total', 'Records the probe read from the kernel ring buffer.', [], probe('received'));
    counterOf(r, 'falconet_events_dropped_total', 'Records lost: reason="ring" the kernel found the ring buffer full, reason="engine" the engine was behind (too many batches waiting).', ['reason'], () => [
      [{ reason: 'ring' }, probe('ringDrops')()],
      [{ reason: 'engine' }, probe('batchDrops')()],
    ]);
    counterOf(r, 'falconet_probe_batches_total', 'Batches of records the probe handed to the engine.', [], probe('batches'));
    counterOf(r, 'falconet_events_processed_total', 'Events the engine applied to its process state and met with the rules, per event type.', ['evt_type'], () =>
      [...sources.eventsByType()].map(([t, c]) => [{ evt_type: t }, c.n] as const),
    );
    this.batchSeconds = new Histogram({
      name: 'falconet_batch_evaluation_seconds',
      help: 'Time the engine took for one batch of records: decoding, process state and rule evaluation (per batch, never per event, so that timing costs nothing per event).',
      buckets: BATCH_BUCKETS,
      registers: [r],
    });

    gaugeOf(r, 'falconet_rules_loaded', 'Rules in force.', [], () => sources.rules().length);
    counterOf(r, 'falconet_rule_matches_total', 'Events that matched a rule, per rule and priority.', ['rule', 'priority'], () => {
      for (const rule of sources.rules()) this.priorities.set(rule.name, rule.priority);
      return [...sources.matchesByRule()].map(([rule, n]) => [{ rule, priority: this.priorities.get(rule) ?? '' }, n] as const);
    });
    this.reloads = new Counter({ name: 'falconet_reloads_total', help: 'Rules reloads, by result (ok: swapped in; failed: the previous rules stay).', labelNames: ['result'], registers: [r] });
    this.reloads.inc({ result: 'ok' }, 0);
    this.reloads.inc({ result: 'failed' }, 0);

    gaugeOf(r, 'falconet_alerts_queued', 'Alerts waiting on a channel, with the batch in delivery.', ['channel'], perChannel(sources, 'queued'));
    counterOf(r, 'falconet_alerts_sent_total', 'Alerts a channel delivered.', ['channel'], perChannel(sources, 'sent'));
    counterOf(r, 'falconet_alerts_dropped_total', "Alerts pushed out of a channel's full queue or spool.", ['channel'], perChannel(sources, 'dropped'));
    counterOf(r, 'falconet_alerts_failed_total', 'Alerts a receiver refused for good (a 4xx), or a program failed on.', ['channel'], perChannel(sources, 'failed'));
    counterOf(r, 'falconet_alert_retries_total', 'Deliveries tried again after a transient failure.', ['channel'], perChannel(sources, 'retries'));
    counterOf(r, 'falconet_alerts_unsent_total', 'Alerts left undelivered at shutdown (lost from memory, or kept in the spool).', ['channel'], perChannel(sources, 'unsent'));
    counterOf(r, 'falconet_alerts_rate_limited_total', "Alerts over a channel's rate limit.", ['channel'], perChannel(sources, 'rateLimited'));
    counterOf(r, 'falconet_alerts_deduplicated_total', 'Alerts suppressed as duplicates within the dedup window.', ['channel'], perChannel(sources, 'deduplicated'));

    const meta = (f: Exclude<keyof EnrichmentCounters, 'sourceFailures'>) => (): number => sources.enrichment()[f];
    gaugeOf(r, 'falconet_metadata_containers', 'Containers whose metadata is cached.', [], meta('containers'));
    counterOf(r, 'falconet_metadata_lookups_total', 'Runtime lookups for containers first seen in a cgroup.', [], meta('lookups'));
    counterOf(r, 'falconet_metadata_updates_total', 'Container metadata records stored.', [], meta('updates'));
    counterOf(r, 'falconet_metadata_removals_total', 'Container metadata records removed.', [], meta('removals'));
    counterOf(r, 'falconet_metadata_source_failures_total', 'Times a metadata source (docker, cri:SOCKET, kubernetes) became unavailable.', ['source'], () =>
      Object.entries(sources.enrichment().sourceFailures).map(([source, n]) => [{ source }, n] as const),
    );
    counterOf(r, 'falconet_metadata_alert_waits_total', "Alerts held for their container's metadata.", [], meta('alertsWaited'));
    counterOf(r, 'falconet_metadata_wait_timeouts_total', 'Held alerts sent without metadata because the wait ran out.', [], meta('waitTimeouts'));
    counterOf(r, 'falconet_metadata_deferred_events_total', 'Events whose metadata-reading rules waited for the metadata.', [], meta('deferredEvents'));
    gaugeOf(r, 'falconet_metadata_held', 'Alerts and evaluations waiting for metadata now.', [], meta('held'));
  }

  /** One batch finished in `seconds`. */
  batchDone(seconds: number): void {
    this.batchSeconds.observe(seconds);
  }

  /** A rules reload: swapped in (ok) or rejected, the old rules kept. */
  reloaded(ok: boolean): void {
    this.reloads.inc({ result: ok ? 'ok' : 'failed' });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
