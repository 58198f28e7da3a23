// Container metadata from a CRI runtime (containerd, CRI-O) over its unix socket: the containers at
// start, then ListContainers every pollMs to see new and vanished ones, each new container read once
// with ContainerStatus and its pod sandbox with PodSandboxStatus. Polling, not events: containerd 1.6
// (Debian 12's) has no CRI event stream. A socket that is missing, down or restarted is retried with
// backoff, and the cache is resynced from a full list on reconnect.

import type { ContainerInfo } from '../engine/event.js';
import { Backoff } from '../lib/backoff.js';
import type { ContainerSink, ContainerSource } from './containers.js';
import { CriClient, isNotFound, type Container, type ContainerStateName, type ContainerStatusResponse, type PodSandboxStatusResponse } from './cri/client.js';
import { criContainerInfo, runtimeType, type CriRuntime } from './cri/map.js';

export interface CriSourceOptions {
  /** The runtime's socket: a path or a `unix://` target. */
  socket: string;
  /** How often to list containers, in ms (default 1000). */
  pollMs?: number;
  /** The source's name in state logs and counters (default "cri"). */
  name?: string;
  /** Deadline of each call, in ms (default 2000). */
  callTimeoutMs?: number;
}

/** How many ContainerStatus calls a sync keeps in flight: a big node must not stampede its runtime. */
const CONCURRENCY = 8;
/** Sandboxes kept per sync beyond the ones listed containers use (guards a runaway cache). */
const MAX_SANDBOXES = 4096;

export class CriSource implements ContainerSource {
  readonly name: string;
  private readonly socket: string;
  private readonly pollMs: number;
  private readonly callTimeoutMs: number;
  private readonly backoff = new Backoff();
  private sink?: ContainerSink;
  private client?: CriClient;
  private runtime: CriRuntime = 'unknown';
  private connected = false;
  /** What the sink was last told (undefined: nothing yet), so that it hears each change once. */
  private reported?: boolean;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /** Containers upserted, by full id, with the state they were in: a state change re-reads them. */
  private readonly known = new Map<string, ContainerStateName>();
  private readonly sandboxes = new Map<string, PodSandboxStatusResponse>();
  private readonly inFlight = new Set<string>();
  /** Ids looked up and not found (another runtime's) since the last poll: asked once per poll, not per miss. */
  private readonly notFound = new Set<string>();

  constructor(opts: CriSourceOptions) {
    this.socket = opts.socket;
    this.pollMs = opts.pollMs ?? 1_000;
    this.name = opts.name ?? 'cri';
    this.callTimeoutMs = opts.callTimeoutMs ?? 2_000;
  }

  start(sink: ContainerSink): void {
    this.sink = sink;
    this.schedule(0, () => this.connect());
  }

  lookup(fullId: string): void {
    if (!this.connected || this.known.has(fullId) || this.inFlight.has(fullId) || this.notFound.has(fullId)) return;
    void this.lookupNow(fullId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client?.close();
    this.client = undefined;
    this.connected = false;
  }

  // ---- connection ----

  /** A fresh channel per attempt: grpc's own reconnect backoff must not outlast ours. */
  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.client?.close();
    const client = new CriClient(this.socket, this.callTimeoutMs);
    this.client = client;
    try {
      this.runtime = runtimeType((await client.version()).runtime_name);
      this.connected = true;
      await this.sync(true);
      this.backoff.reset();
      this.report(true);
      this.schedule(this.pollMs, () => this.poll());
    } catch (err) {
      this.down(err);
    }
  }

  private async poll(): Promise<void> {
    if (this.stopped || !this.connected) return;
    this.notFound.clear();
    try {
      await this.sync(false);
      if (this.connected) this.schedule(this.pollMs, () => this.poll());
    } catch (err) {
      this.down(err);
    }
  }

  private down(err: unknown): void {
    if (this.stopped) return;
    this.connected = false;
    this.client?.close();
    this.client = undefined;
    this.report(false, `${this.socket}: ${errorText(err)}`);
    this.schedule(this.backoff.next(), () => this.connect());
  }

  private report(up: boolean, detail?: string): void {
    if (this.reported === up) return;
    this.reported = up;
    this.sink?.state(this.name, up, up ? this.socket : detail);
  }

  /** The one pending timer; its callback never throws (every path catches into down()). */
  private schedule(ms: number, f: () => Promise<void>): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      f().catch((err: unknown) => this.down(err));
    }, ms);
    this.timer.unref();
  }

  // ---- listing ----

  /**
   * Lists the containers; reads the ones new or changed state (all of them when `full`, after a
   * (re)connect) and removes the ones gone. Any failure but NOT_FOUND throws, and the caller takes
   * the runtime for down: a runtime that cannot list or answer a status in time is not to be trusted
   * with a half-done sync, and the reconnect's full sync repairs whatever this one missed.
   */
  private async sync(full: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    const listed = await client.listContainers();
    const present = new Set(listed.map((c) => c.id));
    for (const id of [...this.known.keys()]) {
      if (present.has(id)) continue;
      this.known.delete(id);
      this.sink?.remove(id.slice(0, 12));
    }
    this.pruneSandboxes(listed);
    const todo = listed.filter((c) => full || this.known.get(c.id) !== c.state);
    await forEachLimited(todo, CONCURRENCY, (c) => this.refresh(client, c));
  }

  private async lookupNow(fullId: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.inFlight.add(fullId);
    try {
      const [c] = await client.listContainers({ id: fullId });
      if (c) await this.refresh(client, c);
      else this.notFound.add(fullId);
    } catch (err) {
      if (isNotFound(err)) this.notFound.add(fullId);
      // anything else: the poll's list meets the same trouble and reports it
    } finally {
      this.inFlight.delete(fullId);
    }
  }

  /** Reads one container and its sandbox and upserts it; one that vanished meanwhile is skipped. */
  private async refresh(client: CriClient, c: Container): Promise<void> {
    let status: ContainerStatusResponse;
    try {
      status = await client.containerStatus(c.id, true);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const sandbox = await this.sandbox(client, c.pod_sandbox_id);
    const info: ContainerInfo | undefined = criContainerInfo({ runtime: this.runtime, container: status, sandboxId: c.pod_sandbox_id, sandbox });
    if (!info || this.stopped || client !== this.client) return;
    this.known.set(c.id, status.status?.state ?? c.state);
    this.sink?.upsert(info);
  }

  /** A sandbox's status, read once per sandbox: what it says (names, IP, namespaces) never changes. */
  private async sandbox(client: CriClient, id: string): Promise<PodSandboxStatusResponse | undefined> {
    if (!id) return undefined;
    const cached = this.sandboxes.get(id);
    if (cached) return cached;
    try {
      const s = await client.podSandboxStatus(id, true);
      this.sandboxes.set(id, s);
      return s;
    } catch (err) {
      if (isNotFound(err)) return undefined; // removed meanwhile: the container goes with it
      throw err;
    }
  }

  private pruneSandboxes(listed: Container[]): void {
    const used = new Set(listed.map((c) => c.pod_sandbox_id));
    for (const id of this.sandboxes.keys()) if (!used.has(id) || this.sandboxes.size > MAX_SANDBOXES) this.sandboxes.delete(id);
  }
}

/** grpc's details, without the empty "Resolution note:" grpc-js appends to connection errors. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? (err as Error & { details?: string }).details || err.message : String(err);
  return text.replace(/\s*Resolution note:\s*$/, '');
}

/** Runs `f` over `items`, at most `limit` at a time; the first failure rejects once all settle. */
async function forEachLimited<T>(items: T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await f(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
