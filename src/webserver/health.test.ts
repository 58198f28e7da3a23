import { describe, expect, it } from 'vitest';
import { assessHealth, HealthMonitor, type HealthState } from './health.js';

const base: HealthState = { phase: 'attached', quietMs: 0, receivedSince: 0, ringDropsSince: 0, recentRingDrops: 0, recentEngineDrops: 0, dropWindowMs: 60_000 };

describe('assessHealth', () => {
  it.each<[string, Partial<HealthState>, number, string]>([
    ['starting', { phase: 'starting' }, 503, 'probe not attached yet'],
    ['detached', { phase: 'detached' }, 503, 'probe detached: falconet is stopping'],
    ['flowing', { quietMs: 300, receivedSince: 40 }, 200, 'ok'],
    ['idle: nothing waits, nothing for a long time', { quietMs: 125_000 }, 200, 'ok: idle, no events for 125 s'],
    ['records waiting, but not for long yet', { quietMs: 9_000, receivedSince: 500 }, 200, 'ok'],
    [
      'stuck engine: received, no batch finished',
      { quietMs: 12_400, receivedSince: 5000 },
      503,
      'engine stuck: the probe received 5000 events in the last 12 s and the engine finished no batch of them',
    ],
    [
      'stuck reader: the ring fills unread',
      { quietMs: 30_000, ringDropsSince: 777 },
      503,
      'probe stuck: 777 events lost to a full ring buffer in the last 30 s and none read from it',
    ],
    [
      'degraded: drops, still 200',
      { quietMs: 100, receivedSince: 10, recentRingDrops: 120, recentEngineDrops: 3 },
      200,
      'ok, degraded: 123 events dropped in the last 60 s (ring buffer full: 120, engine behind: 3)',
    ],
    ['stuck wins over degraded', { quietMs: 20_000, receivedSince: 1, recentRingDrops: 5 }, 503, 'engine stuck: the probe received 1 events in the last 20 s and the engine finished no batch of them'],
  ])('%s', (_name, over, status, reason) => {
    expect(assessHealth({ ...base, ...over })).toEqual({ status, reason });
  });
});

describe('HealthMonitor', () => {
  const s = (received: number, ringDrops = 0, batchDrops = 0) => ({ received, ringDrops, batchDrops });

  it('is 503 until the probe attaches', () => {
    const m = new HealthMonitor();
    m.observe(1000, s(10));
    expect(m.assess(1000)).toEqual({ status: 503, reason: 'probe not attached yet' });
  });

  it('calls a host idle when nothing arrives, and the engine stuck when records arrive but no batch finishes', () => {
    const m = new HealthMonitor();
    m.attached(0, s(0));
    // batches finish as records arrive
    for (let t = 1000, n = 100; t <= 5000; t += 1000, n += 100) {
      m.batchFinished();
      m.observe(t, s(n));
    }
    expect(m.assess(5000).status).toBe(200);
    // then nothing, for a long time: idle
    for (let t = 6000; t <= 60_000; t += 1000) m.observe(t, s(500));
    expect(m.assess(60_000)).toEqual({ status: 200, reason: 'ok: idle, no events for 55 s' });
    // records arrive again, but no batch finishes: stuck after 10 s without a finished batch
    m.observe(61_000, s(600));
    expect(m.assess(61_000).status).toBe(503);
    expect(m.state(61_000)).toMatchObject({ quietMs: 56_000, receivedSince: 100 });
    // a batch finishes: healthy again at once
    m.batchFinished();
    m.observe(62_000, s(700));
    expect(m.assess(62_000)).toEqual({ status: 200, reason: 'ok' });
  });

  it('counts drops over the last minute only, and says degraded', () => {
    const m = new HealthMonitor();
    m.attached(0, s(0));
    for (let t = 1000; t <= 10_000; t += 1000) {
      m.batchFinished();
      m.observe(t, s(t, t === 5000 ? 40 : t > 5000 ? 40 : 0, t > 7000 ? 2 : 0));
    }
    expect(m.assess(10_000)).toEqual({ status: 200, reason: 'ok, degraded: 42 events dropped in the last 10 s (ring buffer full: 40, engine behind: 2)' });
    for (let t = 11_000; t <= 80_000; t += 1000) {
      m.batchFinished();
      m.observe(t, s(t, 40, 2));
    }
    expect(m.assess(80_000)).toEqual({ status: 200, reason: 'ok' });
  });

  it('says detached once the probe is stopped', () => {
    const m = new HealthMonitor();
    m.attached(0, s(0));
    m.detached();
    m.observe(1000, s(5));
    expect(m.assess(1000)).toEqual({ status: 503, reason: 'probe detached: falconet is stopping' });
  });
});
