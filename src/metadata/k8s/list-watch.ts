// One LIST then WATCH loop over a Kubernetes resource, resumed and relisted as the API server
// requires (see KubernetesSource's header for why it is not client-node's ListWatch). The objects
// land wherever the Resource puts them; this file only decides when to list, watch, wait and retry.

import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, type Watch } from '@kubernetes/client-node';
import { Backoff } from '../../lib/backoff.js';
import type { OwnerRef } from './owner.js';

/** The object metadata the maps keep. */
export type Meta = {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  ownerReferences?: OwnerRef[];
};
export type KubeObject = { metadata?: Meta };
export type Change = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One resource a loop lists and watches, and how its objects land in the maps. */
export interface Resource {
  readonly name: string;
  readonly path: string;
  readonly fieldSelector?: string;
  list(): Promise<{ resourceVersion: string; items: KubeObject[] }>;
  /** The whole set, from a LIST: what is not in it was deleted while we were not watching. */
  replace(items: readonly KubeObject[]): void;
  apply(change: Change, o: KubeObject): void;
}

/** A LIST that has not answered by then is given up on (and retried). */
const LIST_TIMEOUT_MS = 60_000;

type WatchEnd = { kind: 'closed' | 'gone'; events: number } | { kind: 'failed'; events: number; reason: string };

/**
 * LIST, then WATCH from the list's resourceVersion, for as long as the source runs:
 * - a watch the server closes (its timeout) is resumed from the last resourceVersion seen;
 * - 410 Gone, as an HTTP status or as an ERROR event with a Status of code 410, means the version
 *   is too old to resume from: LIST again at once (a watch from it would only fail again);
 * - any other failure reports the loop down and retries the LIST with exponential backoff
 *   (../backoff.ts: 500 ms doubling to 30 s, with jitter so a fleet of nodes does not retry in step).
 */
export class ListWatchLoop {
  private resourceVersion = '';
  private readonly stopping = new AbortController();
  private endWatch: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly r: Resource,
    private readonly watcher: Watch,
    private readonly report: (up: boolean, detail?: string) => void,
    private readonly changed: () => void,
  ) {}

  get name(): string {
    return this.r.name;
  }

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.endWatch?.();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    const failures = new Backoff();
    const quick = new Backoff();
    let quickEnds = 0;
    while (!this.stopped) {
      try {
        await this.relist();
      } catch (err) {
        if (this.stopped) return;
        this.report(false, `${this.r.name} list: ${describeError(err)}`);
        await this.pause(failures.next());
        continue;
      }
      if (this.stopped) return;
      this.report(true);
      for (;;) {
        const started = Date.now();
        const end = await this.watchOnce();
        if (this.stopped) return;
        if (end.kind === 'failed') {
          this.report(false, `${this.r.name} watch: ${end.reason}`);
          await this.pause(failures.next());
          break;
        }
        // The backoff starts over only once a watch was accepted too: a server that lists but
        // refuses every watch (RBAC without `watch`) is retried ever more slowly, not every 500 ms.
        failures.reset();
        // A server (or proxy) that ends every watch at once, or answers each with 410, must not make this spin.
        if (end.events > 0 || Date.now() - started >= 1000) {
          quickEnds = 0;
          quick.reset();
        } else if (++quickEnds > 1) await this.pause(quick.next());
        if (end.kind === 'gone') break;
      }
    }
  }

  private async relist(): Promise<void> {
    const { resourceVersion, items } = await this.boundedList();
    if (this.stopped) return;
    this.r.replace(items);
    this.resourceVersion = resourceVersion;
    this.changed();
  }

  /**
   * The LIST, given up after LIST_TIMEOUT_MS (an API server that accepted the connection and never
   * answers must not stall the loop for good) or when the source stops. The request itself is left
   * to finish; its answer is then ignored.
   */
  private async boundedList(): Promise<{ resourceVersion: string; items: KubeObject[] }> {
    const done = new AbortController();
    const giveUp = sleep(LIST_TIMEOUT_MS, undefined, { signal: AbortSignal.any([this.stopping.signal, done.signal]) }).then(() => {
      throw new Error(`no answer in ${LIST_TIMEOUT_MS / 1000} s`);
    });
    try {
      return await Promise.race([this.r.list(), giveUp]);
    } finally {
      done.abort();
    }
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise((resolve) => {
      let events = 0;
      let controller: AbortController | undefined;
      let settled = false;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        this.endWatch = undefined;
        // Aborting a watch we no longer follow; the library's own done() after it is ignored.
        controller?.abort();
        resolve(end);
      };
      // The server ends a watch after timeoutSeconds; a connection that silently died never would.
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      const deadline = setTimeout(() => finish({ kind: 'closed', events }), (timeoutSeconds + 30) * 1000);
      this.endWatch = () => finish({ kind: 'closed', events });

      const onEvent = (type: string, object: unknown): void => {
        if (settled) return;
        if (type === 'ERROR') {
          const code = statusCode(object);
          finish(code === 410 ? { kind: 'gone', events } : { kind: 'failed', events, reason: `ERROR event ${code ?? ''} ${statusMessage(object)}`.trim() });
          return;
        }
        const o = asObject(object);
        if (!o) return;
        events++;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          this.r.apply(type, o);
          this.changed();
        }
        // BOOKMARK events carry only a newer resourceVersion: resuming from it avoids a 410 later.
        if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
      };
      // A stream that breaks after the server accepted the watch (a load balancer's idle timeout, a
      // proxy restart) is resumed like a closed one; only a watch the server cannot be reached for,
      // or refuses, counts as a failure. The library reports both through done(err): it calls done
      // before it resolves with the request's controller when the request itself failed.
      let accepted = false;
      const onDone = (err: unknown): void => {
        if (err === null || err === undefined || accepted) finish({ kind: 'closed', events });
        else if (statusCode(err) === 410) finish({ kind: 'gone', events });
        else finish({ kind: 'failed', events, reason: describeError(err) });
      };
      const query = { resourceVersion: this.resourceVersion, fieldSelector: this.r.fieldSelector, allowWatchBookmarks: true, timeoutSeconds };
      this.watcher.watch(this.r.path, query, onEvent, onDone).then(
        (c) => {
          controller = c;
          accepted = true;
          if (settled) c.abort();
        },
        (err: unknown) => onDone(err ?? new Error('watch failed')),
      );
    });
  }

  /** Waits, unless the source stops first. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}

function asObject(x: unknown): KubeObject | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const m = (x as { metadata?: unknown }).metadata;
  return typeof m === 'object' && m !== null ? (x as KubeObject) : undefined;
}

/** The HTTP code of a failed request (ApiException from a LIST, the Watch's error) or of a Status object. */
function statusCode(x: unknown): number | undefined {
  if (x instanceof ApiException) return x.code;
  if (typeof x !== 'object' || x === null) return undefined;
  const { statusCode: s, code } = x as { statusCode?: unknown; code?: unknown };
  if (typeof s === 'number') return s;
  return typeof code === 'number' ? code : undefined;
}

function statusMessage(x: unknown): string {
  if (typeof x === 'string') {
    try {
      return statusMessage(JSON.parse(x));
    } catch {
      return x.slice(0, 200);
    }
  }
  const m = typeof x === 'object' && x !== null ? (x as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : '';
}

/** One line a user can act on: the HTTP status and the API's message, or the connection error. */
function describeError(err: unknown): string {
  if (err instanceof ApiException) return `HTTP ${err.code} ${statusMessage(err.body)}`.trim();
  const code = statusCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'number' && code >= 100) return `HTTP ${code} ${message}`;
  // node-fetch says "request to <the whole URL> failed, reason: connect ECONNREFUSED 10.0.0.1:443".
  return /^request to \S+ failed, reason: (.+)$/.exec(message)?.[1] ?? message;
}
