import { describe, expect, it } from 'vitest';
import type { ChannelStats } from '../outputs/index.js';
import { Metrics, type EnrichmentCounters, type MetricsSources, type ProbeCounters } from './metrics.js';
import { parseMetrics, sample } from './testing/prometheus.js';

const channel = (over: Partial<ChannelStats> = {}): ChannelStats => ({ queued: 0, sent: 0, dropped: 0, failed: 0, retries: 0, unsent: 0, rateLimited: 0, deduplicated: 0, ...over });

function fakeSources() {
  const state = {
    probe: undefined as ProbeCounters | undefined,
    byType: new Map<string, { n: number }>(),
    byRule: new Map<string, number>(),
    rules: [{ name: 'Shell in container', priority: 'WARNING' }],
    outputs: { stdout: channel() } as Record<string, ChannelStats>,
    enrichment: { containers: 0, lookups: 0, updates: 0, removals: 0, sourceFailures: {}, alertsWaited: 0, waitTimeouts: 0, deferredEvents: 0, held: 0 } as EnrichmentCounters,
  };
  const sources: MetricsSources = {
    version: '9.9.9',
    probe: () => state.probe,
    probeAttached: () => state.probe !== undefined,
    eventsByType: () => state.byType,
    matchesByRule: () => state.byRule,
    rules: () => state.rules,
    outputs: () => state.outputs,
    enrichment: () => state.enrichment,
  };
  return { state, sources };
}

async function scrape(m: Metrics) {
  return parseMetrics((await m.scrape()).body);
}

describe('Metrics', () => {
  it('names every family falconet_*, every counter *_total, and includes the process metrics', async () => {
    const m = new Metrics(fakeSources().sources);
    const families = await scrape(m);
    for (const f of families.values()) {
      expect(f.name).toMatch(/^falconet_[a-z0-9_]+$/);
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
    }
    expect(families.has('falconet_process_resident_memory_bytes')).toBe(true);
    expect(families.get('falconet_process_cpu_seconds_total')?.type).toBe('COUNTER');
    expect(sample(families, 'falconet_build_info', { version: '9.9.9' })).toBe(1);
  });

  it('reads the counters at scrape time: probe, events per type, matches per rule, channels, enrichment', async () => {
    const { state, sources } = fakeSources();
    const m = new Metrics(sources);
    let f = await scrape(m);
    expect(sample(f, 'falconet_probe_attached')).toBe(0);
    expect(sample(f, 'falconet_events_received_total')).toBe(0);

    state.probe = { received: 1500, ringDrops: 7, batchDrops: 3, batches: 12 };
    state.byType.set('openat', { n: 1200 }).set('execve', { n: 4 });
    state.byRule.set('Shell in container', 2);
    state.outputs = { stdout: channel({ sent: 2, queued: 1 }), http: channel({ sent: 1, failed: 1, retries: 4, dropped: 5, rateLimited: 6, deduplicated: 8 }) };
    state.enrichment = { containers: 3, lookups: 9, updates: 4, removals: 1, sourceFailures: { docker: 2 }, alertsWaited: 5, waitTimeouts: 1, deferredEvents: 11, held: 2 };
    m.batchDone(0.002);
    m.batchDone(0.03);
    m.reloaded(true);
    m.reloaded(false);
    m.reloaded(true);
    f = await scrape(m);

    expect(sample(f, 'falconet_probe_attached')).toBe(1);
    expect(sample(f, 'falconet_events_received_total')).toBe(1500);
    expect(sample(f, 'falconet_events_dropped_total', { reason: 'ring' })).toBe(7);
    expect(sample(f, 'falconet_events_dropped_total', { reason: 'engine' })).toBe(3);
    expect(sample(f, 'falconet_probe_batches_total')).toBe(12);
    expect(sample(f, 'falconet_events_processed_total', { evt_type: 'openat' })).toBe(1200);
    expect(sample(f, 'falconet_events_processed_total', { evt_type: 'execve' })).toBe(4);
    expect(sample(f, 'falconet_rule_matches_total', { rule: 'Shell in container', priority: 'WARNING' })).toBe(2);
    expect(sample(f, 'falconet_rules_loaded')).toBe(1);
    expect(sample(f, 'falconet_alerts_sent_total', { channel: 'stdout' })).toBe(2);
    expect(sample(f, 'falconet_alerts_queued', { channel: 'stdout' })).toBe(1);
    expect(sample(f, 'falconet_alerts_failed_total', { channel: 'http' })).toBe(1);
    expect(sample(f, 'falconet_alert_retries_total', { channel: 'http' })).toBe(4);
    expect(sample(f, 'falconet_alerts_dropped_total', { channel: 'http' })).toBe(5);
    expect(sample(f, 'falconet_alerts_rate_limited_total', { channel: 'http' })).toBe(6);
    expect(sample(f, 'falconet_alerts_deduplicated_total', { channel: 'http' })).toBe(8);
    expect(sample(f, 'falconet_metadata_containers')).toBe(3);
    expect(sample(f, 'falconet_metadata_lookups_total')).toBe(9);
    expect(sample(f, 'falconet_metadata_source_failures_total', { source: 'docker' })).toBe(2);
    expect(sample(f, 'falconet_metadata_alert_waits_total')).toBe(5);
    expect(sample(f, 'falconet_metadata_wait_timeouts_total')).toBe(1);
    expect(sample(f, 'falconet_metadata_deferred_events_total')).toBe(11);
    expect(sample(f, 'falconet_metadata_held')).toBe(2);
    expect(sample(f, 'falconet_reloads_total', { result: 'ok' })).toBe(2);
    expect(sample(f, 'falconet_reloads_total', { result: 'failed' })).toBe(1);
    const h = f.get('falconet_batch_evaluation_seconds')!;
    expect(h.type).toBe('HISTOGRAM');
    expect(Number(h.metrics[0]!.count)).toBe(2);
    expect(Number(h.metrics[0]!.sum)).toBeCloseTo(0.032);
    expect(Number(h.metrics[0]!.buckets!['0.0025'])).toBe(1);
  });

  it('keeps the priority label of a rule a reload removed', async () => {
    const { state, sources } = fakeSources();
    const m = new Metrics(sources);
    state.byRule.set('Shell in container', 3);
    await scrape(m);
    state.rules = [{ name: 'Other', priority: 'NOTICE' }];
    const f = await scrape(m);
    expect(sample(f, 'falconet_rule_matches_total', { rule: 'Shell in container', priority: 'WARNING' })).toBe(3);
  });
});
