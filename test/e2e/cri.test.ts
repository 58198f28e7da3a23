// The CRI source against a real containerd (Debian's 1.6, private to this test), the test playing
// the kubelet: pods that ran before the source started and after it, a pod removed, a container
// looked up before any poll could see it, and containerd killed and restarted under the source.
// Everything asserted comes from containerd's answers, mapped by src/metadata/cri/map.ts.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSink } from '../../src/metadata/containers.js';
import { ContainerCache } from '../../src/metadata/containers.js';
import { CriSource } from '../../src/metadata/cri-source.js';
import type { ContainerInfo } from '../../src/engine/event.js';
import { Containerd, containerdProblem, POD_IMAGE, type PodSpec, type RunningPod } from './containerd.js';
import { until } from './env.js';

const why = containerdProblem();

/** Every state call the source makes, unfolded (the cache itself logs each change once). */
class Recorder implements ContainerSink {
  readonly states: { up: boolean; detail?: string }[] = [];
  constructor(readonly cache = new ContainerCache()) {}
  upsert(info: ContainerInfo): void {
    this.cache.upsert(info);
  }
  remove(id: string): void {
    this.cache.remove(id);
  }
  state(source: string, up: boolean, detail?: string): void {
    this.states.push({ up, detail });
    this.cache.state(source, up, detail);
  }
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const short = (pod: RunningPod) => pod.containerId.slice(0, 12);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pod(name: string, over: Partial<PodSpec> = {}): PodSpec {
  return { name, namespace: 'shop', uid: `uid-${name}`, containerName: 'app', command: ['sleep', '3600'], ...over };
}

describe('CRI source (live containerd)', () => {
  let ctd: Containerd | undefined;
  let pre: RunningPod;
  let preStarted = 0n;
  const rec = new Recorder();
  const cache = rec.cache;
  let source: CriSource | undefined;

  beforeAll(async () => {
    if (why) return;
    ctd = await Containerd.start();
    preStarted = nowNs();
    pre = await ctd.runPod(pod('web-pre', { privileged: true, labels: { app: 'web' }, mounts: [{ container_path: '/data', host_path: ctd.dir, readonly: true }] }));
    source = new CriSource({ socket: ctd.socket, pollMs: 250, name: 'containerd' });
    source.start(rec);
  }, 60_000);

  afterAll(async () => {
    await source?.stop();
    await ctd?.stop();
  }, 60_000);

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    expect(ctd?.pid, 'containerd did not start').toBeGreaterThan(0);
  });

  it('reports a socket that is not there once, keeps retrying, and throws nowhere', async () => {
    const nobody = new Recorder();
    const missing = join(tmpdir(), `falconet-no-such-${process.pid}.sock`);
    const lost = new CriSource({ socket: missing, pollMs: 100, name: 'nowhere' });
    lost.start(nobody);
    try {
      await sleep(1_800); // the first try, then retries after about 0.5 s and 1 s
      expect(nobody.states).toEqual([{ up: false, detail: expect.stringContaining(missing) }]);
      expect(nobody.cache.counters.failures).toEqual({ nowhere: 1 });
    } finally {
      await lost.stop();
    }
  });

  it('lists a pod that ran before it started, with its image, pod and namespace facts', async () => {
    await until(() => cache.has(short(pre)), 10_000);
    const c = cache.get(short(pre));
    const [listed] = await ctd!.client.listContainers({ id: pre.containerId });
    expect(c).toMatchObject({
      id: short(pre),
      name: 'app',
      image: POD_IMAGE,
      imageRepository: 'docker.io/library/falconet-busybox',
      imageTag: 'test',
      imageDigest: '',
      imageId: listed?.image_ref,
      type: 'containerd',
      privileged: true,
      hostNetwork: true,
      hostPid: false,
      hostIpc: false,
      labels: {
        app: 'web',
        'io.kubernetes.container.name': 'app',
        'io.kubernetes.pod.name': 'web-pre',
        'io.kubernetes.pod.namespace': 'shop',
        'io.kubernetes.pod.uid': 'uid-web-pre',
      },
      mounts: [{ source: ctd!.dir, dest: '/data', mode: '', rw: false, propagation: 'private' }],
      k8s: { podName: 'web-pre', namespace: 'shop', podUid: 'uid-web-pre', containerName: 'app', sandboxId: pre.sandboxId, podLabels: {}, nsLabels: {} },
    });
    expect(c?.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(c?.startTs).toBeGreaterThan(preStarted);
    expect(c?.startTs).toBeLessThanOrEqual(nowNs());
    expect(rec.states).toEqual([{ up: true, detail: ctd!.socket }]);
  });

  it('sees a pod started after it, unprivileged, within a poll', async () => {
    const post = await ctd!.runPod(pod('api-post', { containerName: 'api', labels: { app: 'api', tier: 'back' } }));
    await until(() => cache.has(short(post)), 5_000);
    expect(cache.get(short(post))).toMatchObject({
      name: 'api',
      image: POD_IMAGE,
      imageTag: 'test',
      type: 'containerd',
      privileged: false,
      hostNetwork: true,
      labels: { app: 'api', tier: 'back', 'io.kubernetes.container.name': 'api' },
      mounts: [],
      k8s: { podName: 'api-post', namespace: 'shop', podUid: 'uid-api-post', containerName: 'api', sandboxId: post.sandboxId },
    });

    // and forgets it once the kubelet removed the pod
    await ctd!.removePod(post);
    await until(() => !cache.has(short(post)), 5_000);
    expect(cache.has(short(post))).toBe(false);
    expect(cache.has(short(pre))).toBe(true);
  });

  it('fills a container at lookup, without waiting for a poll', async () => {
    const lonely = new Recorder();
    const slow = new CriSource({ socket: ctd!.socket, pollMs: 600_000, name: 'containerd-lookup' });
    slow.start(lonely);
    try {
      await until(() => lonely.states.length > 0, 5_000);
      expect(lonely.states).toEqual([{ up: true, detail: ctd!.socket }]);
      const late = await ctd!.runPod(pod('db-late', { containerName: 'db' }));
      await sleep(300);
      expect(lonely.cache.has(short(late)), 'no poll should have run yet').toBe(false);
      slow.lookup(late.containerId);
      await until(() => lonely.cache.has(short(late)), 3_000);
      expect(lonely.cache.get(short(late))).toMatchObject({ name: 'db', k8s: { podName: 'db-late', sandboxId: late.sandboxId } });
    } finally {
      await slow.stop();
    }
  });

  it('reports containerd down once when it dies, keeps trying, and resyncs when it is back', async () => {
    const before = rec.states.length;
    await ctd!.kill();
    await until(() => rec.states.length > before, 5_000);
    expect(rec.states.slice(before)).toEqual([{ up: false, detail: expect.stringContaining(ctd!.socket) }]);
    // Its retries (500 ms, 1 s, 2 s... apart) fail without being reported again.
    await sleep(2_500);
    expect(rec.states.length).toBe(before + 1);
    expect(cache.has(short(pre)), 'what it knew stays while the runtime is away').toBe(true);

    const upserts = cache.counters.upserts;
    await ctd!.restart();
    await until(() => rec.states.length > before + 1, 20_000);
    expect(rec.states.slice(before + 1)).toEqual([{ up: true, detail: ctd!.socket }]);
    // the resync read every container again (a poll alone re-reads none of them)
    const listed = await ctd!.client.listContainers();
    expect(cache.counters.upserts - upserts).toBeGreaterThanOrEqual(listed.length);
    expect(cache.get(short(pre))).toMatchObject({ name: 'app', privileged: true, k8s: { podName: 'web-pre' } });

    // and polls again
    const again = await ctd!.runPod(pod('web-again'));
    await until(() => cache.has(short(again)), 5_000);
    expect(cache.get(short(again))?.k8s?.podName).toBe('web-again');
  }, 45_000);
});
