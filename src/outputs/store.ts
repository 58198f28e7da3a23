// Where a channel's alerts wait for delivery: in memory (a BoundedQueue) or, for receivers that may
// be down for long, in a spool file (spool.ts). The worker takes a batch, delivers it, then acks it;
// a durable store keeps what was not acked across a restart.

import { BoundedQueue } from './queue.js';

export interface AlertStore {
  /** Alerts waiting, not counting the batch in delivery. */
  readonly waiting: number;
  /** True when what waits survives a restart of the monitor. */
  readonly durable: boolean;
  /** Stores one payload; returns how many alerts were dropped to make room (or this one, if it could not be stored). */
  push(payload: string): number;
  /** Takes up to n payloads, oldest first, as the batch in delivery. */
  take(n: number): string[];
  /** The batch taken last is done with (delivered or failed for good). */
  ack(): void;
  /** How many records take() had to skip since the last call because they could not be read back. */
  takeUnreadable(): number;
  /** Forgets everything waiting (shutdown of a memory store); returns how many. */
  discard(): number;
  close(): void;
}

export class MemoryStore implements AlertStore {
  readonly durable = false;
  private readonly queue: BoundedQueue<string>;

  constructor(capacity: number) {
    this.queue = new BoundedQueue(capacity === 0 ? Infinity : capacity);
  }

  get waiting(): number {
    return this.queue.length;
  }

  push(payload: string): number {
    return this.queue.push(payload) ? 0 : 1;
  }

  take(n: number): string[] {
    const out: string[] = [];
    let p: string | undefined;
    while (out.length < n && (p = this.queue.shift()) !== undefined) out.push(p);
    return out;
  }

  ack(): void {}

  takeUnreadable(): number {
    return 0;
  }

  discard(): number {
    return this.queue.clear().length;
  }

  close(): void {}
}
