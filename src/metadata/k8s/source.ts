// Pod labels, namespace labels and the owning workload of this node's pods, from the Kubernetes API
// server. Two list+watch loops (pods of this node, all namespaces) keep in-memory maps that
// pod() reads on the alert path without ever calling the API.
//
// Why not client-node's ListWatch/makeInformer (1.4.0, as installed): it relists after an HTTP 410,
// but after an ERROR event with code 410 only once the server also closes the stream (on a stream
// left open it waits); it stops for good on any other error (connection refused, 5xx); restarted,
// it watches from its old resourceVersion instead of listing; and stop() during a LIST still
// starts a watch once the LIST returns. Every one of those is a loop decision, so this file owns the loop and uses the
// library for what it does well: configuration and credentials (KubeConfig), the typed LIST
// (CoreV1Api) and the streaming WATCH request (Watch).

import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { Backoff } from '../backoff.js';
import type { PodFacts, PodSource } from '../containers.js';
import { type OwnerRef, type Workload, workloadOf } from './owner.js';

export interface KubernetesSourceOptions {
  /** Only this node's pods (field selector spec.nodeName); defaults to $NODE_NAME; without it, every pod, with a warning. */
  nodeName?: string;
  /** A kubeconfig file to use instead of the default lookup ($KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  /** An API server URL used as is, without credentials (tests, a local `kubectl proxy`). */
  server?: string;
  /** The pod's service account: token and CA under /var/run/secrets/kubernetes.io/serviceaccount, KUBERNETES_SERVICE_HOST/PORT. */
  inCluster?: boolean;
  /** The connection went down (with why) or came back: called once per change. */
  onState?: (up: boolean, detail?: string) => void;
  /** Where a configuration warning goes; process.emitWarning when absent. */
  warn?: (message: string) => void;
}

type Meta = {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  ownerReferences?: OwnerRef[];
};
type KubeObject = { metadata?: Meta };
type Change = 'ADDED' | 'MODIFIED' | 'DELETED';

interface PodEntry {
  namespace: string;
  labels: Record<string, string>;
  /** Computed once per change, not per alert. */
  workload: Workload;
}

/** One resource a loop lists and watches, and how its objects land in the maps. */
interface Resource {
  readonly name: string;
  readonly path: string;
  readonly fieldSelector?: string;
  list(): Promise<{ resourceVersion: string; items: KubeObject[] }>;
  /** The whole set, from a LIST: what is not in it was deleted while we were not watching. */
  replace(items: readonly KubeObject[]): void;
  apply(change: Change, o: KubeObject): void;
}

const NO_LABELS: Record<string, string> = Object.freeze({});
const LIST_TIMEOUT_MS = 60_000;

export class KubernetesSource implements PodSource {
  readonly name = 'kubernetes';
  private pods = new Map<string, PodEntry>();
  private namespaces = new Map<string, Record<string, string>>();
  private readonly kc: KubeConfig;
  private readonly nodeName: string | undefined;
  private loops: ListWatchLoop[] = [];
  private readonly health = new Map<string, boolean>();
  private reported: boolean | undefined;

  constructor(private readonly options: KubernetesSourceOptions = {}) {
    this.kc = kubeConfig(options);
    this.nodeName = options.nodeName || process.env.NODE_NAME || undefined;
  }

  start(onChange: () => void): void {
    if (this.loops.length) return;
    if (!this.nodeName) {
      const warn = this.options.warn ?? ((m: string) => process.emitWarning(m));
      warn('no node name (NODE_NAME unset): watching the pods of every node; set NODE_NAME from spec.nodeName with the downward API');
    }
    const api = this.kc.makeApiClient(CoreV1Api);
    const watch = new Watch(this.kc);
    this.loops = [this.podResource(api), this.namespaceResource(api)].map(
      (r) => new ListWatchLoop(r, watch, (up, detail) => this.report(r.name, up, detail), onChange),
    );
    for (const l of this.loops) l.start();
  }

  pod(uid: string, namespace: string): PodFacts | undefined {
    const p = this.pods.get(uid);
    if (!p || p.namespace !== namespace) return undefined;
    return { podLabels: p.labels, nsLabels: this.namespaces.get(namespace) ?? NO_LABELS, ...p.workload };
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
  }

  private podResource(api: CoreV1Api): Resource {
    const fieldSelector = this.nodeName ? `spec.nodeName=${this.nodeName}` : undefined;
    return {
      name: 'pods',
      path: '/api/v1/pods',
      fieldSelector,
      list: async () => listed(await api.listPodForAllNamespaces({ fieldSelector })),
      replace: (items) => {
        this.pods = new Map(items.map(podEntry).filter((e) => e !== undefined));
      },
      apply: (change, o) => {
        const e = podEntry(o);
        if (!e) return;
        if (change === 'DELETED') this.pods.delete(e[0]);
        else this.pods.set(...e);
      },
    };
  }

  private namespaceResource(api: CoreV1Api): Resource {
    return {
      name: 'namespaces',
      path: '/api/v1/namespaces',
      list: async () => listed(await api.listNamespace()),
      replace: (items) => {
        this.namespaces = new Map(items.flatMap((o) => (o.metadata?.name ? [[o.metadata.name, o.metadata.labels ?? NO_LABELS] as const] : [])));
      },
      apply: (change, o) => {
        const name = o.metadata?.name;
        if (!name) return;
        if (change === 'DELETED') this.namespaces.delete(name);
        else this.namespaces.set(name, o.metadata?.labels ?? NO_LABELS);
      },
    };
  }

  /** The source is up when every loop's last LIST succeeded and no loop failed since; told once per change. */
  private report(loop: string, up: boolean, detail?: string): void {
    this.health.set(loop, up);
    const down = [...this.health.values()].includes(false);
    const state = down ? false : this.loops.every((l) => this.health.get(l.name) === true) ? true : undefined;
    if (state === undefined || state === this.reported) return;
    this.reported = state;
    this.options.onState?.(state, state ? undefined : detail);
  }
}

/** How the options choose a cluster: an explicit URL, then the service account, then a file, then the default lookup. */
function kubeConfig(o: KubernetesSourceOptions): KubeConfig {
  const kc = new KubeConfig();
  if (o.server) {
    // client-node refuses http:// unless skipTLSVerify is set; there is no TLS to verify then.
    kc.loadFromClusterAndUser({ name: 'falconet', server: o.server, skipTLSVerify: o.server.startsWith('http:') }, { name: 'falconet' });
  } else if (o.inCluster) kc.loadFromCluster();
  else if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

function listed(l: { metadata?: { resourceVersion?: string }; items: KubeObject[] }): { resourceVersion: string; items: KubeObject[] } {
  return { resourceVersion: l.metadata?.resourceVersion ?? '', items: l.items };
}

function podEntry(o: KubeObject): [string, PodEntry] | undefined {
  const m = o.metadata;
  if (!m?.uid || !m.namespace) return undefined;
  const labels = m.labels ?? NO_LABELS;
  return [m.uid, { namespace: m.namespace, labels, workload: workloadOf(m.ownerReferences, labels) }];
}

/** How one watch request ended. `events` counts what it delivered, to tell a stream that ends at once from a long one. */
type WatchEnd = { kind: 'closed' | 'gone'; events: number } | { kind: 'failed'; events: number; reason: string };

/**
 * LIST, then WATCH from the list's resourceVersion, for as long as the source runs:
 * - a watch the server closes (its timeout) is resumed from the last resourceVersion seen;
 * - 410 Gone, as an HTTP status or as an ERROR event with a Status of code 410, means the version
 *   is too old to resume from: LIST again at once (a watch from it would only fail again);
 * - any other failure reports the loop down and retries the LIST with exponential backoff
 *   (../backoff.ts: 500 ms doubling to 30 s, with jitter so a fleet of nodes does not retry in step).
 */
class ListWatchLoop {
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
