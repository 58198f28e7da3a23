// stdout: alert lines to a stream. A write is done when the stream has taken it; a stream that
// errors (EPIPE: the reader went away) is retried by the worker, and its alerts wait, then drop.

import type { Writable } from 'node:stream';
import { DeliveryError, type Sink } from '../sink.js';

export class StreamSink implements Sink {
  constructor(
    readonly name: string,
    private readonly stream: Writable,
    readonly batch: number,
  ) {
    // An error is reported to the pending write's callback; without a listener it would also throw.
    stream.on('error', () => {});
  }

  deliver(lines: readonly string[], signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stream.destroyed || this.stream.writableEnded) return reject(new DeliveryError(`${this.name}: the stream is closed`));
      const onAbort = () => reject(new DeliveryError(`${this.name}: shut down while writing`));
      signal.addEventListener('abort', onAbort, { once: true });
      this.stream.write(lines.join('\n') + '\n', (err) => {
        signal.removeEventListener('abort', onAbort);
        if (err) reject(new DeliveryError(`${this.name}: ${err.message}`));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {}
}
