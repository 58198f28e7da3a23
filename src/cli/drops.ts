// When lost events become an alert. Like Falco's syscall_event_drops: every second with drops is
// logged; an alert goes out when the share of events lost in that second passes a threshold, at
// most once per interval, and it reports every drop since the previous alert so that what the rate
// limit held back is still counted.

export interface DropPolicyOptions {
  /** Fraction of the second's events (delivered + dropped) that must be lost to alert; 0: any drop. */
  threshold: number;
  /** The least time between two alerts, in ms. */
  intervalMs: number;
}

/** Falco's defaults: threshold 0.1, one alert per 30 s (rate 0.03333, max_burst 1). */
export const DEFAULT_DROP_POLICY: DropPolicyOptions = { threshold: 0.1, intervalMs: 30_000 };

export interface DropCounts {
  ring: number;
  batch: number;
  delivered: number;
  /** Seconds with drops that these counts span. */
  seconds: number;
}

export class DropPolicy {
  private pending: DropCounts = { ring: 0, batch: 0, delivered: 0, seconds: 0 };
  private lastAlertAt = -Infinity;

  constructor(private readonly opts: DropPolicyOptions = DEFAULT_DROP_POLICY) {
    if (!(opts.threshold >= 0 && opts.threshold < 1)) throw new RangeError(`the drop threshold must be at least 0 and below 1, got ${opts.threshold}`);
  }

  /** One second's counts (a second with drops); returns what to alert on, if an alert is due now. */
  observe(ring: number, batch: number, delivered: number, nowMs: number): DropCounts | undefined {
    const p = this.pending;
    p.ring += ring;
    p.batch += batch;
    p.delivered += delivered;
    p.seconds++;
    const dropped = ring + batch;
    const share = dropped / (dropped + delivered);
    if (dropped === 0 || share <= this.opts.threshold || nowMs - this.lastAlertAt < this.opts.intervalMs) return undefined;
    this.lastAlertAt = nowMs;
    this.pending = { ring: 0, batch: 0, delivered: 0, seconds: 0 };
    return p;
  }
}
