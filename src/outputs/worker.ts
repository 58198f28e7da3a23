// One channel's delivery loop: alerts wait in the channel's store (memory or spool), the worker
// sends them in order through the sink, retrying transient failures (refused, timed out, 5xx, 429)
// with backoff and jitter and skipping an alert only for a permanent one (a 4xx), counted. Nothing
// here blocks the caller: push() stores and returns, so a dead receiver costs queued and then
// dropped-and-counted alerts on its own channel, never a stalled engine or another channel.

import { Backoff } from '../lib/backoff.js';
import { transient, type Sink } from './sink.js';
import type { AlertStore } from './store.js';

/** What the outputs log through: pino's shape, so the monitor's logger fits. */
export interface OutputLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ChannelStats {
  /** Waiting, plus the batch in delivery. */
  queued: number;
  sent: number;
  /** Pushed out of a full queue (or a full spool). */
  dropped: number;
  /** Refused for good by the receiver (a 4xx), or a program that failed on it. */
  failed: number;
  /** Deliveries tried again after a transient failure. */
  retries: number;
  /** Left undelivered at shutdown: lost from memory, or kept in the spool for the next run. */
  unsent: number;
  rateLimited: number;
  deduplicated: number;
}

export type LossKind = 'dropped' | 'failed';

/** A retry waits at most this long, whatever a Retry-After asks. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export class ChannelWorker {
  readonly stats: ChannelStats = { queued: 0, sent: 0, dropped: 0, failed: 0, retries: 0, unsent: 0, rateLimited: 0, deduplicated: 0 };
  private running = false;
  private inFlight = 0;
  private failing: string | undefined;
  private readonly abort = new AbortController();
  private readonly idle: (() => void)[] = [];
  private readonly backoff = new Backoff(200, 10_000);

  constructor(
    readonly name: string,
    private readonly sink: Sink,
    private readonly store: AlertStore,
    private readonly log: OutputLog,
    private readonly onLoss: (kind: LossKind, n: number) => void,
  ) {
    if (store.waiting > 0) {
      log.info({ channel: name, alerts: store.waiting }, 'alerts spooled by an earlier run are sent first');
      this.kick();
    }
  }

  push(payload: string): void {
    if (this.abort.signal.aborted) {
      this.stats.unsent++;
      return;
    }
    const dropped = this.store.push(payload);
    if (dropped > 0) {
      this.stats.dropped += dropped;
      this.onLoss('dropped', dropped);
    }
    this.kick();
  }

  getStats(): ChannelStats {
    return { ...this.stats, queued: this.store.waiting + this.inFlight };
  }

  /**
   * Resolves when nothing waits (all delivered, failed or dropped), or when delivery stopped with
   * alerts left (shut down, or the store failed): then nothing would ever resolve it.
   */
  flush(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Delivers what waits within `deadlineMs`, then stops: what is still undelivered is counted as
   * unsent (and stays in a spool for the next run).
   */
  async close(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const flushed = this.flush();
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([flushed, expired]);
    clearTimeout(timer);
    this.abort.abort();
    // A sink that ignores the abort (a hung file system) must not hang the shutdown.
    await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.stats.unsent += this.store.durable ? this.store.waiting : this.store.discard();
    if (this.stats.unsent > 0) {
      this.log.warn(
        { channel: this.name, alerts: this.stats.unsent, spooled: this.store.durable },
        this.store.durable ? 'alerts not delivered before shutdown stay in the spool' : 'alerts not delivered before shutdown are lost',
      );
    }
    this.store.close();
    await this.sink.close();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.store.waiting > 0 && !this.abort.signal.aborted) {
        const batch = this.store.take(this.sink.batch);
        const unreadable = this.store.takeUnreadable();
        if (unreadable > 0) {
          this.stats.dropped += unreadable;
          this.log.error({ channel: this.name, alerts: unreadable }, 'spooled alerts could not be read back (a damaged spool file): skipped');
          this.onLoss('dropped', unreadable);
        }
        if (batch.length === 0) {
          this.store.ack();
          continue;
        }
        this.inFlight = batch.length;
        const done = await this.deliver(batch);
        this.inFlight = 0;
        if (!done) {
          // Shut down mid-delivery: a spool keeps the batch (not acked); memory loses it, counted.
          this.stats.unsent += batch.length;
          break;
        }
        this.store.ack();
      }
    } catch (err) {
      this.log.error({ channel: this.name, err: (err as Error).message }, 'alert channel failed');
    } finally {
      this.running = false;
      this.inFlight = 0;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** True once the batch is delivered or failed for good; false when shutdown cut it short. */
  private async deliver(batch: string[]): Promise<boolean> {
    const signal = this.abort.signal;
    for (;;) {
      try {
        await this.sink.deliver(batch, signal);
        this.stats.sent += batch.length;
        if (this.failing) {
          this.log.info({ channel: this.name, retries: this.stats.retries }, 'alert channel delivers again');
          this.failing = undefined;
        }
        this.backoff.reset();
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        const e = transient(err, this.name);
        if (e.permanent) {
          this.stats.failed += batch.length;
          this.log.error({ channel: this.name, alerts: batch.length, err: e.message }, 'alert not delivered, and not retried: the receiver refused it or the program failed on it');
          this.onLoss('failed', batch.length);
          return true;
        }
        this.stats.retries++;
        const wait = e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS) : this.backoff.next();
        if (this.failing !== e.message) {
          this.log.warn({ channel: this.name, err: e.message, retryInMs: wait, waiting: this.store.waiting }, 'alert delivery failed; retrying');
          this.failing = e.message;
        }
        if (!(await sleep(wait, signal))) return false;
      }
    }
  }
}

/** Waits ms; false when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

