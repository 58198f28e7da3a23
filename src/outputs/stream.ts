// Stdout and file channels: alerts written one per line to a stream, through a bounded queue so a
// slow reader (a full pipe, a slow disk) costs dropped-and-counted alerts, never a stalled engine.

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { OutputChannel, RenderedAlert } from './channel.js';
import { BoundedQueue, type QueueStats } from './queue.js';

export interface StreamChannelOptions {
  name: string;
  stream: Writable;
  json: boolean;
  capacity?: number;
  /** Whether close() ends the stream (files) or leaves it open (stdout). */
  ownsStream: boolean;
  onError?: (err: Error) => void;
}

export class StreamChannel implements OutputChannel {
  readonly name: string;
  private readonly queue: BoundedQueue<string>;
  private waiting = false;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly opts: StreamChannelOptions) {
    this.name = opts.name;
    this.queue = new BoundedQueue(opts.capacity ?? 10_000);
    opts.stream.on('error', (err: Error) => {
      this.queue.stats.failed++;
      opts.onError?.(err);
    });
  }

  send(alert: RenderedAlert): void {
    this.queue.push(this.opts.json ? alert.json : alert.text);
    if (!this.waiting) this.drain();
  }

  private drain(): void {
    let line: string | undefined;
    while ((line = this.queue.shift()) !== undefined) {
      this.queue.stats.sent++;
      if (!this.opts.stream.write(line + '\n')) {
        this.waiting = true;
        this.opts.stream.once('drain', () => {
          this.waiting = false;
          this.drain();
        });
        return;
      }
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }

  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.waiting) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.opts.ownsStream) await new Promise<void>((resolve) => this.opts.stream.end(resolve));
  }

  stats(): QueueStats {
    return { ...this.queue.stats };
  }
}

export function stdoutChannel(json: boolean): StreamChannel {
  return new StreamChannel({ name: 'stdout', stream: process.stdout, json, ownsStream: false });
}

export function fileChannel(path: string, json: boolean, onError?: (err: Error) => void): StreamChannel {
  return new StreamChannel({ name: `file:${path}`, stream: createWriteStream(path, { flags: 'a' }), json, ownsStream: true, onError });
}
