// The Kubernetes pod source against a real HTTP server speaking the list/watch protocol
// (./k8s-api.ts): what reaches pod(uid, namespace), and how the source survives 410 Gone in both of
// its forms and an API server that goes away and comes back on the same port.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubernetesSource, type KubernetesSourceOptions } from '../../src/metadata/k8s/source.js';
import { type FakeApiServer, type GoneMode, type KubeObject, startFakeApiServer } from './k8s-api.js';

const NODE = 'node-a';
const POLL = { timeout: 8_000, interval: 20 };

interface PodSpec {
  ns?: string;
  node?: string;
  labels?: Record<string, string>;
  owners?: { apiVersion: string; kind: string; name: string; controller?: boolean }[];
}

function pod(name: string, { ns = 'default', node = NODE, labels = {}, owners }: PodSpec = {}): KubeObject {
  return { metadata: { name, namespace: ns, uid: `uid-${name}`, labels, ownerReferences: owners }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } };
}

function namespace(name: string, labels: Record<string, string>): KubeObject {
  return { metadata: { name, uid: `uid-ns-${name}`, labels } };
}

interface Started {
  source: KubernetesSource;
  states: { up: boolean; detail?: string }[];
  changes: () => number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.unstubAllEnvs();
});

async function server(): Promise<FakeApiServer> {
  const s = await startFakeApiServer();
  cleanups.push(() => s.stop());
  return s;
}

function start(srv: FakeApiServer, options: Partial<KubernetesSourceOptions> = {}): Started {
  const states: Started['states'] = [];
  let changes = 0;
  const source = new KubernetesSource({ server: srv.url, nodeName: NODE, onState: (up, detail) => states.push({ up, detail }), ...options });
  source.start(() => changes++);
  cleanups.push(() => source.stop());
  return { source, states, changes: () => changes };
}

/** Waits until both loops listed and are watching, so later changes arrive by WATCH, not by the first LIST. */
async function watching(srv: FakeApiServer, s: Started): Promise<void> {
  await expect.poll(() => s.states.at(-1)?.up, POLL).toBe(true);
  await expect.poll(() => srv.served('pods').watches > 0 && srv.served('namespaces').watches > 0, POLL).toBe(true);
}

describe('KubernetesSource against a list/watch API server', () => {
  it('gives pod and namespace labels of this node’s pods, listed and watched, and nothing of other nodes', async () => {
    const srv = await server();
    srv.add('namespaces', namespace('shop', { team: 'payments' }));
    srv.add('pods', pod('web', { ns: 'shop', labels: { app: 'web' } }));
    srv.add('pods', pod('elsewhere', { ns: 'shop', node: 'node-b', labels: { app: 'x' } }));
    const s = start(srv);
    await expect.poll(() => s.source.pod('uid-web', 'shop'), POLL).toEqual({ podLabels: { app: 'web' }, nsLabels: { team: 'payments' } });
    await watching(srv, s);
    expect(srv.served('pods')).toMatchObject({ lists: 1 });

    // Arriving by WATCH: a pod of this node, a pod of another node, and a pod bound to this node only later.
    srv.add('pods', pod('api', { ns: 'shop', labels: { app: 'api' } }));
    srv.add('pods', pod('other', { ns: 'shop', node: 'node-b' }));
    srv.add('pods', pod('pending', { ns: 'shop', node: '', labels: { app: 'late' } }));
    srv.update('pods', pod('pending', { ns: 'shop', node: NODE, labels: { app: 'late' } }));
    await expect.poll(() => s.source.pod('uid-api', 'shop')?.podLabels, POLL).toEqual({ app: 'api' });
    await expect.poll(() => s.source.pod('uid-pending', 'shop')?.podLabels, POLL).toEqual({ app: 'late' });
    expect(s.source.pod('uid-elsewhere', 'shop')).toBeUndefined();
    expect(s.source.pod('uid-other', 'shop')).toBeUndefined();
    // A uid asked for in another namespace is not that pod.
    expect(s.source.pod('uid-web', 'default')).toBeUndefined();
    expect(srv.served('pods').lists).toBe(1);
    expect(s.states).toEqual([{ up: true, detail: undefined }]);
    expect(s.changes()).toBeGreaterThanOrEqual(4);
  });

  it('follows label changes (MODIFIED) and deletions of pods and namespaces', async () => {
    const srv = await server();
    srv.add('namespaces', namespace('shop', { team: 'payments' }));
    srv.add('pods', pod('web', { ns: 'shop', labels: { app: 'web', version: '1' } }));
    const s = start(srv);
    await watching(srv, s);
    const before = s.changes();

    srv.update('pods', pod('web', { ns: 'shop', labels: { app: 'web', version: '2' } }));
    srv.update('namespaces', namespace('shop', { team: 'checkout' }));
    await expect.poll(() => s.source.pod('uid-web', 'shop'), POLL).toEqual({ podLabels: { app: 'web', version: '2' }, nsLabels: { team: 'checkout' } });
    expect(s.changes()).toBeGreaterThan(before);

    srv.remove('namespaces', namespace('shop', {}));
    await expect.poll(() => s.source.pod('uid-web', 'shop')?.nsLabels, POLL).toEqual({});
    srv.remove('pods', pod('web', { ns: 'shop' }));
    await expect.poll(() => s.source.pod('uid-web', 'shop'), POLL).toBeUndefined();
    expect(srv.served('pods').lists).toBe(1);
  });

  it.each<[string, GoneMode]>([
    ['an ERROR event with a Status of code 410', 'error-event'],
    ['an ERROR event of code 410 on a stream the server leaves open', 'error-event-kept-open'],
    ['an HTTP 410 Gone answer to the next watch', 'http'],
  ])('after %s, lists afresh and still sees later changes', async (_name, mode) => {
    const srv = await server();
    srv.add('namespaces', namespace('shop', { team: 'payments' }));
    srv.add('pods', pod('web', { ns: 'shop', labels: { v: '1' } }));
    srv.add('pods', pod('gone-while-expired', { ns: 'shop' }));
    const s = start(srv);
    await watching(srv, s);
    expect(s.source.pod('uid-gone-while-expired', 'shop')).toBeDefined();
    const pods = srv.served('pods');
    const namespaces = srv.served('namespaces');

    srv.expire(mode);
    // Changes between the expiry and the new LIST reach the source only through that LIST.
    srv.remove('pods', pod('gone-while-expired', { ns: 'shop' }));
    srv.update('pods', pod('web', { ns: 'shop', labels: { v: '2' } }));
    await expect.poll(() => srv.served('pods').lists, POLL).toBe(pods.lists + 1);
    await expect.poll(() => srv.served('namespaces').lists, POLL).toBe(namespaces.lists + 1);
    expect(srv.served('pods').gone).toBeGreaterThan(pods.gone);
    await expect.poll(() => s.source.pod('uid-web', 'shop')?.podLabels, POLL).toEqual({ v: '2' });
    expect(s.source.pod('uid-gone-while-expired', 'shop')).toBeUndefined();

    // Watching again from the new LIST's version: later changes come by WATCH, without another LIST.
    await expect.poll(() => srv.served('pods').watches, POLL).toBeGreaterThan(pods.watches);
    srv.update('pods', pod('web', { ns: 'shop', labels: { v: '3' } }));
    srv.update('namespaces', namespace('shop', { team: 'after' }));
    await expect.poll(() => s.source.pod('uid-web', 'shop'), POLL).toEqual({ podLabels: { v: '3' }, nsLabels: { team: 'after' } });
    expect(srv.served('pods').lists).toBe(pods.lists + 1);
    // A 410 is the protocol at work, not an outage.
    expect(s.states.map((x) => x.up)).toEqual([true]);
  });

  it('reports an API server that went away once, then resyncs when it is back on the same port', async () => {
    const srv = await server();
    srv.add('namespaces', namespace('shop', { team: 'payments' }));
    srv.add('pods', pod('web', { ns: 'shop', labels: { app: 'web' } }));
    srv.add('pods', pod('doomed', { ns: 'shop' }));
    const s = start(srv);
    await watching(srv, s);
    const lists = srv.served('pods').lists;

    await srv.stop();
    await expect.poll(() => s.states.length, POLL).toBe(2);
    expect(s.states[1]).toMatchObject({ up: false, detail: expect.stringMatching(/ECONNREFUSED|socket hang up|closed|ECONNRESET/) });
    // Meanwhile the cluster moves on; the cache keeps what it knew.
    srv.remove('pods', pod('doomed', { ns: 'shop' }));
    srv.add('pods', pod('born', { ns: 'shop', labels: { app: 'born' } }));
    srv.update('namespaces', namespace('shop', { team: 'moved' }));
    expect(s.source.pod('uid-doomed', 'shop')).toBeDefined();
    await new Promise((r) => setTimeout(r, 1200)); // a few retries fail while it is down

    await srv.restart();
    await expect.poll(() => s.states.at(-1)?.up, { ...POLL, timeout: 15_000 }).toBe(true);
    expect(s.states.map((x) => x.up)).toEqual([true, false, true]);
    expect(srv.served('pods').lists).toBeGreaterThan(lists);
    await expect.poll(() => s.source.pod('uid-born', 'shop'), POLL).toEqual({ podLabels: { app: 'born' }, nsLabels: { team: 'moved' } });
    expect(s.source.pod('uid-doomed', 'shop')).toBeUndefined();

    srv.update('pods', pod('web', { ns: 'shop', labels: { app: 'web', after: 'restart' } }));
    await expect.poll(() => s.source.pod('uid-web', 'shop')?.podLabels, POLL).toEqual({ app: 'web', after: 'restart' });
  });

  it('names the ReplicaSet and Deployment from owner references', async () => {
    const srv = await server();
    const rs = (name: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, controller: true }];
    srv.add('pods', pod('web-7d4b9c8f5d-x2k9p', { labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5d' }, owners: rs('web-7d4b9c8f5d') }));
    srv.add('pods', pod('frontend-abcde', { labels: { tier: 'frontend' }, owners: rs('frontend') }));
    srv.add('pods', pod('db-0', { owners: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }] }));
    const s = start(srv);
    await expect.poll(() => s.source.pod('uid-web-7d4b9c8f5d-x2k9p', 'default'), POLL).toMatchObject({ replicaSet: 'web-7d4b9c8f5d', deployment: 'web' });
    const hand = s.source.pod('uid-frontend-abcde', 'default');
    expect(hand).toMatchObject({ replicaSet: 'frontend' });
    expect(hand?.deployment).toBeUndefined();
    const db = s.source.pod('uid-db-0', 'default');
    expect(db).toBeDefined();
    expect(db?.replicaSet).toBeUndefined();
    expect(db?.deployment).toBeUndefined();

    // A rollout: the pod watched in later has the new ReplicaSet's hash.
    await watching(srv, s);
    srv.add('pods', pod('web-5f6d7c-q8w2e', { labels: { app: 'web', 'pod-template-hash': '5f6d7c' }, owners: rs('web-5f6d7c') }));
    await expect.poll(() => s.source.pod('uid-web-5f6d7c-q8w2e', 'default'), POLL).toMatchObject({ replicaSet: 'web-5f6d7c', deployment: 'web' });
  });

  it('without a node name, watches every node’s pods and says so', async () => {
    vi.stubEnv('NODE_NAME', '');
    const srv = await server();
    srv.add('pods', pod('here'));
    srv.add('pods', pod('there', { node: 'node-b' }));
    const warnings: string[] = [];
    const s = start(srv, { nodeName: undefined, warn: (m) => warnings.push(m) });
    await expect.poll(() => s.source.pod('uid-there', 'default'), POLL).toBeDefined();
    expect(s.source.pod('uid-here', 'default')).toBeDefined();
    expect(warnings).toEqual([expect.stringContaining('watching the pods of every node')]);
  });

  it('takes the node name from $NODE_NAME', async () => {
    vi.stubEnv('NODE_NAME', 'node-b');
    const srv = await server();
    srv.add('pods', pod('here'));
    srv.add('pods', pod('there', { node: 'node-b' }));
    const s = start(srv, { nodeName: undefined });
    await expect.poll(() => s.source.pod('uid-there', 'default'), POLL).toBeDefined();
    expect(s.source.pod('uid-here', 'default')).toBeUndefined();
  });
});
