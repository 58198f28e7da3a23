// A bounded queue in front of a slow sink: alerts wait here while the sink is busy, and when the queue
// is full the oldest waiting alert is dropped and counted, so the event path never blocks and no loss
// goes unreported. Capacity Infinity is Falco's unbounded queue (outputs_queue.capacity: 0).

export interface QueueStats {
  queued: number;
  dropped: number;
}

export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private dropped = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`queue capacity must be positive, got ${capacity}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get stats(): QueueStats {
    return { queued: this.length, dropped: this.dropped };
  }

  /** Adds an item; returns false when an older one had to be dropped to make room. */
  push(item: T): boolean {
    let kept = true;
    if (this.length >= this.capacity) {
      this.head++;
      this.dropped++;
      kept = false;
    }
    this.items.push(item);
    this.compact();
    return kept;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    this.compact();
    return item;
  }

  /** Removes and returns every waiting item. */
  clear(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  // Compact now and then instead of shifting the array on every call.
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }
}
