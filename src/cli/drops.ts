// When lost events become an alert. Like Falco's syscall_event_drops: every second with drops is
// logged; the actions (an alert, or stopping the monitor) are taken when the share of events lost in
// that second passes `threshold`, as often as a token bucket allows (`rate` per second, `max_burst`
// at once; Falco's default is one per 30 s), and an alert reports every drop since the previous one
// so that what the rate limit held back is still counted.

export interface DropPolicyOptions {
  /** Fraction of the second's events (delivered + dropped) that must be lost to act; 0: any drop. */
  threshold: number;
  /** Actions per second the bucket refills; 0: no limit. */
  rate: number;
  /** Actions that may be taken at once. */
  maxBurst: number;
}

/** Falco's defaults: threshold 0.1, one action per 30 s (rate 0.03333, max_burst 1). */
export const DEFAULT_DROP_POLICY: DropPolicyOptions = { threshold: 0.1, rate: 0.03333, maxBurst: 1 };

export interface DropCounts {
  ring: number;
  batch: number;
  delivered: number;
  /** Seconds with drops that these counts span. */
  seconds: number;
}

export class DropPolicy {
  private pending: DropCounts = { ring: 0, batch: 0, delivered: 0, seconds: 0 };
  private tokens: number;
  private refilledAt: number | undefined;

  constructor(private readonly opts: DropPolicyOptions = DEFAULT_DROP_POLICY) {
    if (!(opts.threshold >= 0 && opts.threshold < 1)) throw new RangeError(`the drop threshold must be at least 0 and below 1, got ${opts.threshold}`);
    this.tokens = opts.maxBurst;
  }

  /** One second's counts (a second with drops); returns what to act on, if an action is due now. */
  observe(ring: number, batch: number, delivered: number, nowMs: number): DropCounts | undefined {
    const p = this.pending;
    p.ring += ring;
    p.batch += batch;
    p.delivered += delivered;
    p.seconds++;
    const dropped = ring + batch;
    const share = dropped / (dropped + delivered);
    if (dropped === 0 || share <= this.opts.threshold || !this.take(nowMs)) return undefined;
    this.pending = { ring: 0, batch: 0, delivered: 0, seconds: 0 };
    return p;
  }

  private take(nowMs: number): boolean {
    if (this.opts.rate === 0) return true;
    const { rate, maxBurst } = this.opts;
    if (this.refilledAt !== undefined) this.tokens = Math.min(maxBurst, this.tokens + ((nowMs - this.refilledAt) / 1000) * rate);
    this.refilledAt = nowMs;
    // A hair of slack: 30 s at 1/30 per second must make a whole token despite the rounding.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens--;
    return true;
  }
}
