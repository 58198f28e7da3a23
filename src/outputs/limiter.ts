// Per-channel flood control, both off by default: a token bucket (rate alerts/s, max_burst at once)
// and deduplication (an alert identical to one sent within dedup_window seconds: same rule, same
// output fields but the event's time and number). What they hold back is counted, and the count
// rides on the next alert that passes: the next similar one for duplicates, the next one at all for
// the rate limit, as " (+41 similar alerts suppressed in the last 60 s)".

import type { Alert } from './alert.js';
import type { Suppressed } from './render.js';

export interface LimiterOptions {
  rate: number;
  maxBurst: number;
  dedupWindowS: number;
}

export interface LimiterCounts {
  rateLimited: number;
  deduplicated: number;
}

type Verdict = { pass: false } | { pass: true; suppressed?: Suppressed };

/** Fields that differ between events that are otherwise the same alert. */
const PER_EVENT = /^evt\.(time|rawtime|datetime|reltime|num)(\.|$)/;

interface Seen {
  until: number;
  since: number;
  suppressed: number;
}

export class Limiter {
  readonly counts: LimiterCounts = { rateLimited: 0, deduplicated: 0 };
  private tokens: number;
  private refilledAt: number;
  private rateHeld = 0;
  private rateHeldSince = 0;
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly opts: LimiterOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = opts.maxBurst;
    this.refilledAt = now();
  }

  static needed(o: LimiterOptions): boolean {
    return o.rate > 0 || o.dedupWindowS > 0;
  }

  admit(a: Alert): Verdict {
    const now = this.now();
    let key: string | undefined;
    let seen: Seen | undefined;
    if (this.opts.dedupWindowS > 0) {
      key = dedupKey(a);
      seen = this.seen.get(key);
      if (seen && now < seen.until) {
        seen.suppressed++;
        this.counts.deduplicated++;
        return { pass: false };
      }
    }
    let rateNote: Suppressed | undefined;
    if (this.opts.rate > 0) {
      this.tokens = Math.min(this.opts.maxBurst, this.tokens + ((now - this.refilledAt) / 1000) * this.opts.rate);
      this.refilledAt = now;
      if (this.tokens < 1) {
        // Not sent, so not "seen": its duplicates are not suppressed, and a dedup count waits on.
        if (this.rateHeld === 0) this.rateHeldSince = now;
        this.rateHeld++;
        this.counts.rateLimited++;
        return { pass: false };
      }
      this.tokens--;
      if (this.rateHeld > 0) {
        rateNote = note(this.rateHeld, 'alerts over the rate limit', now - this.rateHeldSince);
        this.rateHeld = 0;
      }
    }
    let dedupNote: Suppressed | undefined;
    if (key !== undefined) {
      if (seen && seen.suppressed > 0) dedupNote = note(seen.suppressed, 'similar alerts', now - seen.since);
      if (this.seen.size > 10_000) this.sweep(now);
      this.seen.set(key, { until: now + this.opts.dedupWindowS * 1000, since: now, suppressed: 0 });
    }
    const suppressed = dedupNote && rateNote ? merge(dedupNote, rateNote) : (dedupNote ?? rateNote);
    return suppressed ? { pass: true, suppressed } : { pass: true };
  }

  private sweep(now: number): void {
    for (const [k, s] of this.seen) if (now >= s.until && s.suppressed === 0) this.seen.delete(k);
  }
}

function note(count: number, what: string, ms: number): Suppressed {
  return { count, text: ` (+${count} ${what} suppressed in the last ${Math.max(1, Math.round(ms / 1000))} s)` };
}

function merge(a: Suppressed, b: Suppressed): Suppressed {
  return { count: a.count + b.count, text: a.text + b.text };
}

export function dedupKey(a: Alert): string {
  let key = `${a.rule}\u0000`;
  for (const [k, v] of Object.entries(a.output_fields)) {
    if (PER_EVENT.test(k)) continue;
    key += `${k}=${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}\u0000`;
  }
  return key;
}
