// Retry delays for a runtime or API connection that failed: exponential, capped, with jitter so that
// a fleet of monitors does not reconnect to a restarted daemon in lockstep.

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 500,
    private readonly maxMs = 30_000,
  ) {}

  /** The delay before the next try: first, 2x first, 4x first... up to max, each +-25%. */
  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  reset(): void {
    this.attempt = 0;
  }
}
