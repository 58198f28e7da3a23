// What a channel's transport does: deliver payloads (already rendered alert strings) or say why not,
// and whether trying again could help. The worker (worker.ts) owns the queue, retries and counts;
// a sink only moves bytes.

export interface Sink {
  readonly name: string;
  /** The most payloads one deliver() takes: streams write many lines at once, a webhook one alert. */
  readonly batch: number;
  /** Resolves once the receiver has the payloads; rejects with a DeliveryError. */
  deliver(payloads: readonly string[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** True when retrying cannot help (an HTTP 400): the alert is counted failed and skipped. */
    readonly permanent = false,
    /** The receiver's Retry-After, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * An error from a socket, file or process as a DeliveryError: transient, except a message too big
 * for its transport (EMSGSIZE), which no retry can send.
 */
export function transient(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = e.message ?? String(err);
  const code = e.code && !message.startsWith(e.code) ? `${e.code}: ` : '';
  return new DeliveryError(`${what}: ${code}${message}`, e.code === 'EMSGSIZE');
}
