// Pod labels, namespace labels and the owning workload of this node's pods, from the Kubernetes API
// server. Two list+watch loops (pods of this node, all namespaces) keep in-memory maps that
// pod() reads on the alert path without ever calling the API.
//
// Why not client-node's ListWatch/makeInformer (1.4.0, as installed): it relists after an HTTP 410,
// but after an ERROR event with code 410 only once the server also closes the stream (on a stream
// left open it waits); it stops for good on any other error (connection refused, 5xx); restarted,
// it watches from its old resourceVersion instead of listing; and stop() during a LIST still
// starts a watch once the LIST returns. Every one of those is a loop decision, so the loop is our own
// (list-watch.ts), and the library does what it does well: configuration and credentials
// (KubeConfig), the typed LIST (CoreV1Api) and the streaming WATCH request (Watch).

import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { PodFacts, PodSource } from '../containers.js';
import { ListWatchLoop, type KubeObject, type Resource } from './list-watch.js';
import { type Workload, workloadOf } from './owner.js';

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

interface PodEntry {
  namespace: string;
  labels: Record<string, string>;
  /** Computed once per change, not per alert. */
  workload: Workload;
}

const NO_LABELS: Record<string, string> = Object.freeze({});

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
