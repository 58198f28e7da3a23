// The live host's container metadata, from the enrichment settings (container_engines, k8s): which
// runtime clients run (Docker, CRI runtimes, the Kubernetes API), the cache they fill, and its
// counters for the stats line. Nothing here is on the event path; see src/metadata for the clients themselves.

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { ContainerCache, type ContainerSource, type PodSource } from '../metadata/containers.js';
import { CriSource } from '../metadata/cri-source.js';
import { DockerSource } from '../metadata/docker.js';
import { KubernetesSource } from '../metadata/k8s/index.js';
import { DEFAULT_CRI_SOCKETS, DEFAULT_DOCKER_SOCKET } from '../config/index.js';

export interface MetadataOptions {
  /** container_engines.docker.sockets[0] (--docker-socket); false (disabled, --no-docker) turns the Docker client off. */
  docker?: string | false;
  /** container_engines.cri.sockets (--cri-socket); absent: those of DEFAULT_CRI_SOCKETS that exist at start. */
  criSockets?: readonly string[];
  /** k8s.api, k8s.kubeconfig, k8s.node_name (--k8s-api, --kubeconfig, --k8s-node); the API is asked only when one is given or in a pod. */
  k8sApi?: string;
  kubeconfig?: string;
  k8sNode?: string;
}

export interface LiveMetadata {
  cache: ContainerCache;
  sources: ContainerSource[];
  pods?: PodSource;
  /** Asks every runtime for a container first seen in a cgroup. */
  lookup(fullId: string): void;
  stop(): Promise<void>;
  /** Lookups asked so far (for /metrics). */
  readonly lookups: number;
  summary(): Record<string, unknown>;
}

export function startMetadata(opts: MetadataOptions, log: Logger): LiveMetadata {
  const stateLog = (up: boolean, source: string, detail: string | undefined): void =>
    up ? log.info({ source, detail }, 'container metadata source connected') : log.warn({ source, detail }, 'container metadata source unavailable; retrying');
  const pods = kubernetes(opts, log, (up, detail) => cache.state('kubernetes', up, detail));
  const cache = new ContainerCache(stateLog, pods);
  const sources: ContainerSource[] = [];
  if (opts.docker !== false) sources.push(new DockerSource(opts.docker ?? DEFAULT_DOCKER_SOCKET));
  const cri = opts.criSockets ?? DEFAULT_CRI_SOCKETS.filter((s) => existsSync(s));
  for (const socket of cri) sources.push(new CriSource({ socket, name: `cri:${socket}` }));
  for (const s of sources) s.start(cache);
  pods?.start(() => cache.podsChanged());
  let lookups = 0;
  return {
    cache,
    sources,
    pods,
    lookup: (fullId) => {
      lookups++;
      for (const s of sources) s.lookup(fullId);
    },
    stop: async () => {
      await Promise.all([...sources.map((s) => s.stop()), pods?.stop()]);
    },
    get lookups() {
      return lookups;
    },
    summary: () => ({ containers: cache.size, lookups, ...cache.counters }),
  };
}

/** The Kubernetes API client, when this host is told of an API server or runs in a pod. */
function kubernetes(opts: MetadataOptions, log: Logger, onState: (up: boolean, detail?: string) => void): PodSource | undefined {
  const inCluster = !opts.k8sApi && !opts.kubeconfig && process.env.KUBERNETES_SERVICE_HOST !== undefined;
  if (!opts.k8sApi && !opts.kubeconfig && !inCluster) return undefined;
  return new KubernetesSource({
    server: opts.k8sApi,
    kubeconfig: opts.kubeconfig,
    inCluster,
    nodeName: opts.k8sNode ?? process.env.NODE_NAME,
    onState,
    warn: (message) => log.warn(message),
  });
}
