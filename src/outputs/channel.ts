// What every output channel is: it takes rendered alerts and reports what it delivered and lost.

import type { QueueStats } from './queue.js';

export interface RenderedAlert {
  /** The alert as one text line (no newline). */
  text: string;
  /** The alert as one JSON line (no newline). */
  json: string;
}

export interface OutputChannel {
  readonly name: string;
  send(alert: RenderedAlert): void;
  /** Resolves when everything queued so far has been written (or dropped and counted). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): QueueStats;
}
