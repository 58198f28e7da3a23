// Container metadata from Docker (dockerode over the engine's unix socket): the running containers
// at start, then the engine's event stream, each container inspected once per change. A socket that
// is missing, down or restarted is retried with backoff; the cache is resynced on reconnect.

import Docker from 'dockerode';
import type { ContainerInfo, ContainerMount } from '../engine/event.js';
import { Backoff } from '../lib/backoff.js';
import type { ContainerSink, ContainerSource } from './containers.js';
import { parseTimestampNs, splitImage } from './image.js';

/** The parts of `docker inspect` this reads (dockerode's types leave many of them optional). */
interface Inspected {
  Id: string;
  Name?: string;
  Image?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null; Healthcheck?: { Test?: string[] } | null };
  State?: { StartedAt?: string; Running?: boolean };
  HostConfig?: { Privileged?: boolean; NetworkMode?: string; PidMode?: string; IpcMode?: string };
  Mounts?: { Source?: string; Destination?: string; Mode?: string; RW?: boolean; Propagation?: string }[];
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

const K8S_POD = 'io.kubernetes.pod.name';

/** `docker inspect` → ContainerInfo, with Falco's container plugin's meanings. */
export function dockerInfo(c: Inspected, digest = ''): ContainerInfo {
  const image = c.Config?.Image ?? '';
  const { repository, tag } = splitImage(image);
  const labels = c.Config?.Labels ?? {};
  const nets = Object.values(c.NetworkSettings?.Networks ?? {});
  const info: ContainerInfo = {
    id: c.Id.slice(0, 12),
    name: (c.Name ?? '').replace(/^\//, ''),
    image,
    imageRepository: repository,
    imageTag: tag,
    imageDigest: digest,
    imageId: c.Image ?? '',
    type: 'docker',
    privileged: c.HostConfig?.Privileged === true,
    labels,
    mounts: (c.Mounts ?? []).map(
      (m): ContainerMount => ({ source: m.Source ?? '', dest: m.Destination ?? '', mode: m.Mode ?? '', rw: m.RW !== false, propagation: m.Propagation ?? '' }),
    ),
    startTs: parseTimestampNs(c.State?.StartedAt ?? ''),
    ip: c.NetworkSettings?.IPAddress || nets.find((n) => n.IPAddress)?.IPAddress || '',
    hostNetwork: c.HostConfig?.NetworkMode === 'host',
    hostPid: c.HostConfig?.PidMode === 'host',
    hostIpc: c.HostConfig?.IpcMode === 'host',
  };
  const test = c.Config?.Healthcheck?.Test;
  if (test && test.length > 0 && test[0] !== 'NONE') info.healthcheck = test[0] === 'CMD-SHELL' || test[0] === 'CMD' ? test.slice(1) : test;
  // Pods run by the kubelet through Docker (dockershim, cri-dockerd) carry the pod in their labels.
  if (labels[K8S_POD]) {
    info.k8s = {
      podName: labels[K8S_POD] ?? '',
      podUid: labels['io.kubernetes.pod.uid'] ?? '',
      namespace: labels['io.kubernetes.pod.namespace'] ?? '',
      containerName: labels['io.kubernetes.container.name'] ?? '',
      podLabels: {},
      nsLabels: {},
    };
  }
  return info;
}

export class DockerSource implements ContainerSource {
  readonly name = 'docker';
  private readonly docker: Docker;
  private sink?: ContainerSink;
  private events?: NodeJS.ReadableStream;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly backoff = new Backoff();
  private readonly inFlight = new Set<string>();
  /** Ids this source put in the cache (12 characters), to drop those gone while it was away. */
  private readonly known = new Set<string>();
  /** Image id → its registry digest, looked up once per image. */
  private readonly digests = new Map<string, string>();

  constructor(readonly socket = '/var/run/docker.sock') {
    this.docker = new Docker({ socketPath: socket });
  }

  start(sink: ContainerSink): void {
    this.sink = sink;
    void this.connect();
  }

  lookup(fullId: string): void {
    void this.refresh(fullId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    (this.events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  }

  /** Follows events first, then lists: a container started in between is seen either way. */
  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.docker.ping();
      const stream = await this.docker.getEvents({ filters: { type: ['container'] } });
      if (this.stopped) {
        // stop() came while the stream was being opened: nothing else will close it
        (stream as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      this.events = stream;
      stream.on('data', (chunk: Buffer) => this.onEvents(chunk));
      const lost = (why: string) => () => this.down(why);
      stream.on('error', (err: Error) => this.down(err.message));
      stream.on('end', lost('the event stream ended'));
      stream.on('close', lost('the event stream closed'));
      const running = await this.docker.listContainers();
      this.backoff.reset();
      this.sink?.state(this.name, true, this.socket);
      const now = new Set(running.map((c) => c.Id.slice(0, 12)));
      for (const id of [...this.known]) if (!now.has(id)) this.forget(id);
      await Promise.all(running.map((c) => this.refresh(c.Id)));
    } catch (err) {
      this.down((err as Error).message);
    }
  }

  private down(why: string): void {
    if (this.stopped || this.timer) return;
    (this.events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    this.events = undefined;
    this.sink?.state(this.name, false, `${this.socket}: ${why}`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.backoff.next());
    this.timer.unref();
  }

  private partial = '';

  /** The event stream is JSON objects, one a line, split across chunks at random. */
  private onEvents(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let e: { Action?: string; status?: string; id?: string; Actor?: { ID?: string } };
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        continue;
      }
      const id = e.Actor?.ID ?? e.id;
      const action = (e.Action ?? e.status ?? '').split(':')[0];
      if (!id) continue;
      if (action === 'destroy') this.forget(id.slice(0, 12));
      else if (action === 'create' || action === 'start' || action === 'rename' || action === 'update') void this.refresh(id);
    }
  }

  /** Inspects one container and puts it in the cache; a container gone meanwhile is simply skipped. */
  private async refresh(id: string): Promise<void> {
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    try {
      const c = (await this.docker.getContainer(id).inspect()) as unknown as Inspected;
      const info = dockerInfo(c, await this.digestOf(c.Image ?? ''));
      this.known.add(info.id);
      this.sink?.upsert(info);
    } catch {
      // 404: the container is gone, or was never Docker's (a CRI runtime's); nothing to record
    } finally {
      this.inFlight.delete(id);
    }
  }

  private forget(id: string): void {
    this.known.delete(id);
    this.sink?.remove(id);
  }

  private async digestOf(imageId: string): Promise<string> {
    if (!imageId) return '';
    let d = this.digests.get(imageId);
    if (d === undefined) {
      try {
        const img = (await this.docker.getImage(imageId).inspect()) as { RepoDigests?: string[] };
        d = img.RepoDigests?.[0]?.split('@')[1] ?? '';
      } catch {
        d = '';
      }
      if (this.digests.size > 4096) this.digests.clear();
      this.digests.set(imageId, d);
    }
    return d;
  }
}
