// Whether the monitor is doing its job, for /healthz (a Kubernetes liveness and readiness probe):
// 200 while the probe is attached and the engine keeps up with what the kernel produces, or while the
// host is idle; 503, with the reason as text, otherwise.
//
// "Idle" is read from the probe's own counters, not guessed from time: the probe never reports
// falconet's own syscalls (its pid is excluded in the kernel), so on a quiet host with narrow rules
// nothing may arrive for minutes. That is healthy as long as nothing is waiting either. "Stuck" is
// the kernel producing records (received by the addon, or lost to a full ring buffer) while the
// engine finishes no batch for STUCK_AFTER_MS: the addon's delivery to JS stopped, or the addon's
// reader thread died and the ring fills up unread. A JS thread that is blocked outright cannot answer
// /healthz at all, which a liveness probe sees as a timeout.
//
// Dropped events make the monitor "degraded", still 200: drops come from load (a burst, a too small
// ring), a restart would not cure them and would lose every event of the restart; they are alerted
// (the drop alert) and counted in /metrics. The body says so, for a person reading it.

export type ProbePhase = 'starting' | 'attached' | 'detached';

/** The probe's cumulative counters (ProbeStats), as a sample. */
export interface ProbeSample {
  received: number;
  ringDrops: number;
  batchDrops: number;
}

/** What the health verdict is computed from: one moment, everything relative to it. */
export interface HealthState {
  phase: ProbePhase;
  /** Since when the engine has finished no batch (or, before any, since the probe attached), in ms. */
  quietMs: number;
  /** Records the probe received, and lost to a full ring buffer, in that time. */
  receivedSince: number;
  ringDropsSince: number;
  /** Records dropped in the last `dropWindowMs` (ring buffer full; engine behind); at most DROP_WINDOW_MS. */
  recentRingDrops: number;
  recentEngineDrops: number;
  dropWindowMs: number;
}

export interface Health {
  status: 200 | 503;
  reason: string;
}

/** The engine may finish no batch this long while records wait before it is called stuck. */
export const STUCK_AFTER_MS = 10_000;
/** Drops this recent make the monitor "degraded". */
export const DROP_WINDOW_MS = 60_000;

const secs = (ms: number): number => Math.round(ms / 1000);

export function assessHealth(s: HealthState, stuckAfterMs = STUCK_AFTER_MS): Health {
  if (s.phase === 'starting') return { status: 503, reason: 'probe not attached yet' };
  if (s.phase === 'detached') return { status: 503, reason: 'probe detached: falconet is stopping' };
  if (s.quietMs >= stuckAfterMs) {
    if (s.receivedSince > 0) {
      return { status: 503, reason: `engine stuck: the probe received ${s.receivedSince} events in the last ${secs(s.quietMs)} s and the engine finished no batch of them` };
    }
    if (s.ringDropsSince > 0) {
      return { status: 503, reason: `probe stuck: ${s.ringDropsSince} events lost to a full ring buffer in the last ${secs(s.quietMs)} s and none read from it` };
    }
  }
  const dropped = s.recentRingDrops + s.recentEngineDrops;
  if (dropped > 0) {
    return {
      status: 200,
      reason: `ok, degraded: ${dropped} events dropped in the last ${secs(s.dropWindowMs)} s (ring buffer full: ${s.recentRingDrops}, engine behind: ${s.recentEngineDrops})`,
    };
  }
  return { status: 200, reason: s.quietMs >= stuckAfterMs ? `ok: idle, no events for ${secs(s.quietMs)} s` : 'ok' };
}

/**
 * Turns samples of the probe's counters and the engine's finished batches into a HealthState. Feed
 * it about once a second (and before each verdict); time is passed in, so tests drive it directly.
 */
export class HealthMonitor {
  private phase: ProbePhase = 'starting';
  private finished = 0;
  /** The last sample at which the engine had finished a batch more than at the one before. */
  private mark: { at: number; finished: number; sample: ProbeSample } | undefined;
  private last: ProbeSample = { received: 0, ringDrops: 0, batchDrops: 0 };
  private readonly window: { at: number; sample: ProbeSample }[] = [];

  constructor(private readonly dropWindowMs = DROP_WINDOW_MS) {}

  attached(now: number, sample: ProbeSample): void {
    this.phase = 'attached';
    this.mark = { at: now, finished: this.finished, sample };
    this.last = sample;
    this.window.splice(0, this.window.length, { at: now, sample });
  }

  detached(): void {
    this.phase = 'detached';
  }

  /** The engine finished a batch (called by the batch loop: keep it an increment). */
  batchFinished(): void {
    this.finished++;
  }

  observe(now: number, sample: ProbeSample): void {
    if (this.phase !== 'attached' || !this.mark) return;
    if (this.finished !== this.mark.finished) this.mark = { at: now, finished: this.finished, sample };
    this.last = sample;
    const w = this.window;
    if (now - w[w.length - 1]!.at >= 1000) w.push({ at: now, sample });
    // Keep one sample at or before the window's start, so drops are counted over the whole window.
    while (w.length > 2 && now - w[1]!.at >= this.dropWindowMs) w.shift();
  }

  assess(now: number, stuckAfterMs = STUCK_AFTER_MS): Health {
    return assessHealth(this.state(now), stuckAfterMs);
  }

  state(now: number): HealthState {
    const mark = this.mark;
    const first = this.window[0];
    const oldest = first?.sample ?? this.last;
    return {
      phase: this.phase,
      quietMs: mark ? now - mark.at : 0,
      receivedSince: mark ? this.last.received - mark.sample.received : 0,
      ringDropsSince: mark ? this.last.ringDrops - mark.sample.ringDrops : 0,
      recentRingDrops: this.last.ringDrops - oldest.ringDrops,
      recentEngineDrops: this.last.batchDrops - oldest.batchDrops,
      dropWindowMs: first ? Math.min(this.dropWindowMs, now - first.at) : 0,
    };
  }
}
