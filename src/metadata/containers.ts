// The container metadata cache: what the container runtimes (Docker, CRI) and the Kubernetes API
// say about each container, keyed by container.id (the 12-character id the cgroup path gives). The
// runtime clients fill it from their list and event streams; the engine only reads it, and never
// waits on a runtime: a lookup that is still in flight makes the alert wait (src/outputs), not the
// events.

import type { ContainerInfo, K8sPodInfo } from '../engine/event.js';

/** Where a runtime client puts what it learns. */
export interface ContainerSink {
  /** A container was listed, created, started or renamed; `info.id` is the 12-character id. */
  upsert(info: ContainerInfo): void;
  /** A container was destroyed (by 12-character id). */
  remove(id: string): void;
  /** The client's connection changed state: logged once per change, counted. */
  state(source: string, up: boolean, detail?: string): void;
}

/** One runtime client (Docker, CRI): lists, then follows events or polls; reconnects by itself. */
export interface ContainerSource {
  readonly name: string;
  start(sink: ContainerSink): void;
  /** A container the cache does not know appeared in a cgroup: look it up now (full 64-hex id). */
  lookup(fullId: string): void;
  stop(): Promise<void>;
}

/** Pod and namespace facts from the Kubernetes API, merged into a container's k8s info by pod uid. */
export interface PodFacts {
  podLabels: Record<string, string>;
  nsLabels: Record<string, string>;
  /** The owning ReplicaSet and Deployment (from owner references), when there are. */
  replicaSet?: string;
  deployment?: string;
}

export interface PodSource {
  readonly name: string;
  start(onChange: () => void): void;
  /** What the API says of a pod, by uid, and of its namespace; undefined while unknown. */
  pod(uid: string, namespace: string): PodFacts | undefined;
  stop(): Promise<void>;
}

const MAX_CONTAINERS = 16_384;

/** Counters the stats line and /metrics report. */
export interface MetadataCounters {
  upserts: number;
  removals: number;
  /** Connection state changes to "down", per source. */
  failures: Record<string, number>;
}

export class ContainerCache implements ContainerSink {
  private readonly byId = new Map<string, ContainerInfo>();
  /** Containers with their pod's API facts merged in, built once per change: get() runs per event. */
  private readonly merged = new Map<string, ContainerInfo>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly up = new Map<string, boolean>();
  readonly counters: MetadataCounters = { upserts: 0, removals: 0, failures: {} };

  constructor(
    private readonly log: (up: boolean, source: string, detail: string | undefined) => void = () => {},
    private readonly pods?: PodSource,
  ) {}

  /** The container, with its pod's API facts merged in; undefined while unknown. */
  get(id: string): ContainerInfo | undefined {
    const c = this.byId.get(id);
    if (!c?.k8s || !this.pods) return c;
    const done = this.merged.get(id);
    if (done) return done;
    const facts = this.pods.pod(c.k8s.podUid, c.k8s.namespace);
    // Not merged (nor remembered) until the API has answered for the pod: the next get() asks again.
    if (!facts) return c;
    const k8s: K8sPodInfo = { ...c.k8s, podLabels: facts.podLabels, nsLabels: facts.nsLabels, replicaSet: facts.replicaSet, deployment: facts.deployment };
    const out = { ...c, k8s };
    this.merged.set(id, out);
    return out;
  }

  /** The Kubernetes API changed a pod or namespace: merge again on the next get(). */
  podsChanged(): void {
    this.merged.clear();
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  upsert(info: ContainerInfo): void {
    this.counters.upserts++;
    if (!this.byId.has(info.id) && this.byId.size >= MAX_CONTAINERS) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.byId.set(info.id, info);
    this.merged.delete(info.id);
    const w = this.waiters.get(info.id);
    if (w) {
      this.waiters.delete(info.id);
      for (const f of w) f();
    }
  }

  remove(id: string): void {
    this.merged.delete(id);
    if (this.byId.delete(id)) this.counters.removals++;
  }

  state(source: string, up: boolean, detail?: string): void {
    if (this.up.get(source) === up) return;
    this.up.set(source, up);
    if (!up) this.counters.failures[source] = (this.counters.failures[source] ?? 0) + 1;
    this.log(up, source, detail);
  }

  /** Calls `f` once the container is known (at once when it is); the caller bounds the wait. */
  whenKnown(id: string, f: () => void): void {
    if (this.byId.has(id)) {
      f();
      return;
    }
    const w = this.waiters.get(id);
    if (w) w.push(f);
    else this.waiters.set(id, [f]);
  }

  /** Forgets a waiter that gave up (its wait timed out). */
  cancel(id: string, f: () => void): void {
    const w = this.waiters.get(id);
    if (!w) return;
    const rest = w.filter((x) => x !== f);
    if (rest.length) this.waiters.set(id, rest);
    else this.waiters.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
