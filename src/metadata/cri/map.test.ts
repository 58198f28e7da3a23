// CRI status → ContainerInfo, on responses shaped as containerd 1.6 and CRI-O send them (the
// containerd ones are trimmed copies of what the e2e test's real containerd answered).
import { describe, expect, it } from 'vitest';
import type { ContainerInfo } from '../../engine/event.js';
import type { ContainerStatus, ContainerStatusResponse, PodSandboxStatus, PodSandboxStatusResponse } from './client.js';
import { criContainerInfo, runtimeType, type CriContainerFacts } from './map.js';

const CID = '79e8db7e2b4b95f9bbf06c2fce7c7e118a7e45e9789933eb37f60a8bf6e13bc5';
const SID = '246d4aea16a72556b007e4545eb956f5b740fa481d6b3d7e58ab528e0ef88b05';
const IMAGE_ID = 'sha256:c2527e2eed996faf9d958d3d5230a98110a54675bdfabab2ece449ba4cdaa0c8';
const MANIFEST = 'sha256:1f2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3';

function status(over: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: CID,
    metadata: { name: 'main', attempt: 0 },
    state: 'CONTAINER_RUNNING',
    created_at: '1796154566586910181',
    started_at: '1796154566726247919',
    finished_at: '0',
    exit_code: 0,
    image: { image: 'docker.io/library/falconet-busybox:test', annotations: {} },
    image_ref: IMAGE_ID,
    reason: '',
    message: '',
    labels: {
      app: 'web',
      'io.kubernetes.container.name': 'main',
      'io.kubernetes.pod.name': 'web-1',
      'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': 'uid-1',
    },
    annotations: {},
    mounts: [{ container_path: '/data', host_path: '/srv/data', readonly: true, selinux_relabel: false, propagation: 'PROPAGATION_PRIVATE' }],
    log_path: '',
    image_id: '',
    ...over,
  };
}

/** containerd's verbose info: the CRI config the kubelet sent (enums as numbers: Go's JSON of the proto). */
function containerdInfo(privileged: boolean, configImage = 'docker.io/library/falconet-busybox:test', annotations: Record<string, string> = {}): Record<string, string> {
  const info = {
    sandboxID: SID,
    pid: 3575,
    snapshotter: 'overlayfs',
    runtimeType: 'io.containerd.runc.v2',
    config: {
      metadata: { name: 'main' },
      image: { image: configImage },
      linux: { security_context: { privileged, namespace_options: { network: 2, pid: 1 } } },
    },
    runtimeSpec: { ociVersion: '1.0.2-dev', annotations, linux: { namespaces: [{ type: 'ipc' }] } },
  };
  return { info: JSON.stringify(info) };
}

function sandbox(over: Partial<PodSandboxStatus> = {}): PodSandboxStatusResponse {
  return {
    status: {
      id: SID,
      metadata: { name: 'web-1', uid: 'uid-1', namespace: 'shop', attempt: 0 },
      state: 'SANDBOX_READY',
      created_at: '1796154566402106075',
      network: { ip: '', additional_ips: [] },
      linux: { namespaces: { options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD', target_id: '' } } },
      labels: { app: 'web', 'io.kubernetes.pod.name': 'web-1' },
      annotations: {},
      runtime_handler: '',
      ...over,
    },
    info: {},
  };
}

/** `sb` null: the sandbox could not be read. */
function facts(container: ContainerStatusResponse, sb: PodSandboxStatusResponse | null = sandbox(), runtime: CriContainerFacts['runtime'] = 'containerd'): CriContainerFacts {
  return { runtime, container, sandboxId: SID, sandbox: sb ?? undefined };
}

const BASE: ContainerInfo = {
  id: CID.slice(0, 12),
  name: 'main',
  image: 'docker.io/library/falconet-busybox:test',
  imageRepository: 'docker.io/library/falconet-busybox',
  imageTag: 'test',
  imageDigest: '',
  imageId: IMAGE_ID,
  type: 'containerd',
  privileged: true,
  labels: status().labels,
  mounts: [{ source: '/srv/data', dest: '/data', mode: '', rw: false, propagation: 'private' }],
  startTs: 1796154566726247919n,
  hostNetwork: true,
  hostPid: false,
  hostIpc: false,
  k8s: { podName: 'web-1', podUid: 'uid-1', namespace: 'shop', containerName: 'main', sandboxId: SID, podLabels: {}, nsLabels: {} },
};

describe('criContainerInfo', () => {
  it.each<[string, CriContainerFacts, Partial<ContainerInfo>]>([
    ['a privileged host-network pod on containerd', facts({ status: status(), info: containerdInfo(true) }), {}],
    ['an unprivileged one', facts({ status: status(), info: containerdInfo(false) }), { privileged: false }],
    [
      'an image pulled from a registry: image_ref is its repo digest',
      facts({
        status: status({ image: { image: 'docker.io/library/nginx:1.27', annotations: {} }, image_ref: `docker.io/library/nginx@${MANIFEST}` }),
        info: containerdInfo(false, IMAGE_ID),
      }),
      { image: 'docker.io/library/nginx:1.27', imageRepository: 'docker.io/library/nginx', imageTag: '1.27', imageDigest: MANIFEST, imageId: IMAGE_ID, privileged: false },
    ],
    [
      'an image without a tag, behind a registry with a port',
      facts({ status: status({ image: { image: 'registry:5000/team/app', annotations: {} } }), info: {} }),
      { image: 'registry:5000/team/app', imageRepository: 'registry:5000/team/app', imageTag: 'latest', privileged: false },
    ],
    [
      'an image known only by id, named by the OCI spec annotation',
      facts({
        status: status({ image: { image: IMAGE_ID, annotations: {} } }),
        info: containerdInfo(false, IMAGE_ID, { 'io.kubernetes.cri.image-name': 'quay.io/team/app:2' }),
      }),
      { image: 'quay.io/team/app:2', imageRepository: 'quay.io/team/app', imageTag: '2', privileged: false },
    ],
    [
      'an image known only by id, unnamed: no repository or tag is made up',
      facts({ status: status({ image: null, image_ref: IMAGE_ID }), info: {} }),
      { image: IMAGE_ID, imageRepository: '', imageTag: '', imageId: IMAGE_ID, privileged: false },
    ],
    [
      'a runtime that reports image_id (CRI 1.31+)',
      facts({ status: status({ image_id: 'sha256:ffff' }), info: {} }),
      { imageId: 'sha256:ffff', privileged: false },
    ],
    [
      'CRI-O: type cri-o, privileged at the top of its info',
      facts({ status: status(), info: { info: JSON.stringify({ sandboxID: SID, pid: 9, privileged: true, runtimeSpec: {} }) } }, sandbox(), 'cri-o'),
      { type: 'cri-o', privileged: true },
    ],
    [
      'a pod with its own network, an IP, and the host pid and IPC namespaces',
      facts(
        { status: status(), info: containerdInfo(false) },
        sandbox({ network: { ip: '10.1.2.3', additional_ips: [{ ip: 'fd00::3' }] }, linux: { namespaces: { options: { network: 'POD', pid: 'NODE', ipc: 'NODE', target_id: '' } } } }),
      ),
      { privileged: false, hostNetwork: false, hostPid: true, hostIpc: true, ip: '10.1.2.3', k8s: { ...BASE.k8s!, podIp: '10.1.2.3' } },
    ],
    [
      'a sandbox that could not be read: pod facts from the container labels',
      facts({ status: status(), info: containerdInfo(true) }, null),
      { hostNetwork: false },
    ],
    [
      'sandbox metadata wins over labels; container name from metadata when the label is missing',
      facts(
        { status: status({ labels: { app: 'x' }, metadata: { name: 'sidecar', attempt: 1 } }), info: containerdInfo(true) },
        sandbox({ metadata: { name: 'web-2', uid: 'uid-2', namespace: 'ops', attempt: 0 } }),
      ),
      { name: 'sidecar', labels: { app: 'x' }, k8s: { ...BASE.k8s!, podName: 'web-2', podUid: 'uid-2', namespace: 'ops', containerName: 'sidecar' } },
    ],
    [
      'mount propagation and read-write mounts, in Falco words',
      facts({
        status: status({
          mounts: [
            { container_path: '/a', host_path: '/ha', readonly: false, selinux_relabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
            { container_path: '/b', host_path: '/hb', readonly: false, selinux_relabel: true, propagation: 'PROPAGATION_BIDIRECTIONAL' },
          ],
        }),
        info: containerdInfo(true),
      }),
      {
        mounts: [
          { source: '/ha', dest: '/a', mode: '', rw: true, propagation: 'rslave' },
          { source: '/hb', dest: '/b', mode: '', rw: true, propagation: 'rshared' },
        ],
      },
    ],
    [
      'a container created, not started, with verbose info that is not JSON',
      facts({ status: status({ state: 'CONTAINER_CREATED', started_at: '0' }), info: { info: 'not json' } }),
      { startTs: 0n, privileged: false },
    ],
  ])('%s', (_name, input, want) => {
    expect(criContainerInfo(input)).toEqual({ ...BASE, ...want });
  });

  it('gives nothing for a response without a status', () => {
    expect(criContainerInfo(facts({ status: null, info: {} }))).toBeUndefined();
  });

  it('gives no k8s facts when neither the sandbox nor the labels name a pod', () => {
    const info = criContainerInfo(facts({ status: status({ labels: {} }), info: {} }, null));
    expect(info?.k8s).toBeUndefined();
    expect(info?.name).toBe('main');
  });
});

describe('runtimeType', () => {
  it.each([
    ['containerd', 'containerd'],
    ['cri-o', 'cri-o'],
    ['docker', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (name, want) => {
    expect(runtimeType(name)).toBe(want);
  });
});
