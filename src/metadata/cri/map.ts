// What a CRI runtime says about a container (ContainerStatus, verbose) and its pod sandbox
// (PodSandboxStatus, verbose), turned into falconet's ContainerInfo with the meanings Falco's
// container plugin gives its fields. Pure: decoded responses in, a ContainerInfo out, so every
// runtime quirk below is pinned by a table of cases in map.test.ts.

import type { ContainerInfo, ContainerMount, K8sPodInfo } from '../../engine/event.js';
import { splitImage } from '../image.js';
import type { ContainerStatusResponse, Mount, NamespaceOption, PodSandboxStatusResponse } from './client.js';

export type CriRuntime = Extract<ContainerInfo['type'], 'containerd' | 'cri-o' | 'unknown'>;

/** container.type from VersionResponse.runtime_name (Falco knows containerd and cri-o by name). */
export function runtimeType(runtimeName: string): CriRuntime {
  if (runtimeName === 'containerd') return 'containerd';
  if (runtimeName === 'cri-o') return 'cri-o';
  return 'unknown';
}

export interface CriContainerFacts {
  runtime: CriRuntime;
  container: ContainerStatusResponse;
  /** The container's pod sandbox id (from ListContainers' pod_sandbox_id). */
  sandboxId: string;
  /** The sandbox's status, when it could be read. */
  sandbox?: PodSandboxStatusResponse;
}

const POD_NAME = 'io.kubernetes.pod.name';
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const POD_UID = 'io.kubernetes.pod.uid';
const CONTAINER_NAME = 'io.kubernetes.container.name';
/** Where containerd (1.7+) and CRI-O note the image name the kubelet asked for, in the OCI spec. */
const IMAGE_NAME_ANNOTATIONS = ['io.kubernetes.cri.image-name', 'io.kubernetes.cri-o.ImageName', 'io.kubernetes.cri-o.Image'];

/** Falco's names for CRI mount propagation (its container plugin's mapping). */
const PROPAGATION: Record<Mount['propagation'], string> = {
  PROPAGATION_PRIVATE: 'private',
  PROPAGATION_HOST_TO_CONTAINER: 'rslave',
  PROPAGATION_BIDIRECTIONAL: 'rshared',
};

export function criContainerInfo(f: CriContainerFacts): ContainerInfo | undefined {
  const s = f.container.status;
  if (!s) return undefined;
  const verbose = parseVerboseInfo(f.container.info);
  const image = imageFacts(s.image?.image ?? '', s.image_ref, s.image_id, verbose);
  const ns = f.sandbox?.status?.linux?.namespaces?.options ?? null;
  const k8s = podInfo(f, s.labels, s.metadata?.name ?? '');
  const info: ContainerInfo = {
    id: s.id.slice(0, 12),
    name: s.metadata?.name ?? '',
    ...image,
    type: f.runtime,
    privileged: privileged(verbose),
    labels: { ...s.labels },
    mounts: s.mounts.map(mount),
    startTs: nanoseconds(s.started_at),
    hostNetwork: isNode(ns, 'network'),
    hostPid: isNode(ns, 'pid'),
    hostIpc: isNode(ns, 'ipc'),
  };
  if (k8s) {
    info.k8s = k8s;
    if (k8s.podIp) info.ip = k8s.podIp;
  }
  return info;
}

type ImageFields = Pick<ContainerInfo, 'image' | 'imageRepository' | 'imageTag' | 'imageDigest' | 'imageId'>;

/**
 * containerd reports `image.image` as the image's first tag (or its id when it has none) and
 * `image_ref` as its first repo digest `repo@sha256:...` (or, again, its id `sha256:...`).
 * container.image.id keeps the runtime's `sha256:` form, as the Docker source does with Docker's
 * `Image`: Falco's plugin strips it, but one form across runtimes in falconet matters more here.
 * A bare id is never taken for a registry digest: container.image.digest is the manifest's.
 */
function imageFacts(specImage: string, imageRef: string, imageIdField: string, verbose: unknown): ImageFields {
  let image = specImage || imageRef;
  if (isBareId(image)) image = annotatedImageName(verbose) ?? image;
  const fromImage = isBareId(image) ? { repository: '', tag: '', digest: '' } : splitImage(image);
  const refDigest = !isBareId(imageRef) && imageRef.includes('@') ? splitImage(imageRef).digest : '';
  const configImage = str(dig(verbose, ['config', 'image', 'image']));
  const imageId = imageIdField || [imageRef, configImage, specImage].find(isBareId) || '';
  return {
    image,
    imageRepository: fromImage.repository,
    imageTag: fromImage.tag,
    imageDigest: fromImage.digest || refDigest,
    imageId,
  };
}

function isBareId(s: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(s);
}

function annotatedImageName(verbose: unknown): string | undefined {
  const annotations = dig(verbose, ['runtimeSpec', 'annotations']);
  for (const key of IMAGE_NAME_ANNOTATIONS) {
    const v = str(dig(annotations, [key]));
    if (v && !isBareId(v)) return v;
  }
  return undefined;
}

function podInfo(f: CriContainerFacts, labels: Record<string, string>, metadataName: string): K8sPodInfo | undefined {
  const meta = f.sandbox?.status?.metadata;
  const podName = meta?.name || labels[POD_NAME] || '';
  const podUid = meta?.uid || labels[POD_UID] || '';
  if (!podName && !podUid) return undefined;
  const k8s: K8sPodInfo = {
    podName,
    podUid,
    namespace: meta?.namespace || labels[POD_NAMESPACE] || '',
    containerName: labels[CONTAINER_NAME] || metadataName,
    sandboxId: f.sandbox?.status?.id || f.sandboxId,
    podLabels: {},
    nsLabels: {},
  };
  const ip = f.sandbox?.status?.network?.ip;
  if (ip) k8s.podIp = ip;
  return k8s;
}

function mount(m: Mount): ContainerMount {
  return { source: m.host_path, dest: m.container_path, mode: '', rw: !m.readonly, propagation: PROPAGATION[m.propagation] ?? 'unknown' };
}

function isNode(ns: NamespaceOption | null, which: 'network' | 'pid' | 'ipc'): boolean {
  return ns?.[which] === 'NODE';
}

/** int64 nanoseconds as the client decodes them (a decimal string); 0n when unset or garbled. */
function nanoseconds(text: string): bigint {
  return /^\d+$/.test(text) ? BigInt(text) : 0n;
}

/**
 * containerd and CRI-O both put one JSON document under the verbose info's "info" key. containerd's
 * holds the CRI ContainerConfig the kubelet sent (`config.linux.security_context.privileged`); CRI-O's
 * has a top-level `privileged`. Falco's plugin also looks at `runtimeSpec.linux.security_context`,
 * which no runtime writes today; it is kept, first, to give the same answer as Falco if one does.
 */
function privileged(verbose: unknown): boolean {
  for (const path of [
    ['runtimeSpec', 'linux', 'security_context', 'privileged'],
    ['config', 'linux', 'security_context', 'privileged'],
    ['privileged'],
  ]) {
    const v = dig(verbose, path);
    if (typeof v === 'boolean') return v;
  }
  return false;
}

function parseVerboseInfo(info: Record<string, string>): unknown {
  const text = info['info'];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // a runtime that writes something else there: the fields it would give stay unset
  }
}

function dig(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
