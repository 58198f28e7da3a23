// Pods on a Kubernetes-like node, through `falconet run`: a real containerd (its CRI plugin on a
// private socket, the test playing the kubelet) runs the pods, and a real HTTP server on 127.0.0.1
// plays the API server with the pod and namespace objects. Alerts from the pods' processes name the
// pod, namespace, labels, workload, container and image; Falco's (incubating) privileged-container rule fires on a
// privileged pod and stays quiet on the other.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPAT, tempDir } from '../cli/cli.js';
import { Containerd, containerdProblem, type PodSpec, type RunningPod } from './containerd.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from './k8s-api.js';

const why = kernelTestsPossible() ?? containerdProblem();
const NODE = 'node-1';

const READER = ['sh', '-c', 'while :; do read x < /etc/hostname; sleep 0.2; done'];

function podObject(spec: PodSpec, labels: Record<string, string>, rs: string) {
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: spec.uid,
      labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${rs}`, controller: true }],
    },
    spec: { nodeName: NODE },
  };
}

describe('Kubernetes pods in live alerts (containerd CRI + API server)', () => {
  let ctd: Containerd | undefined;
  let api: FakeApiServer | undefined;
  let before: RunningPod;
  let after: RunningPod;
  let alerts: JsonAlert[] = [];
  let stderr = '';
  const web: PodSpec = { name: 'web-5d9f7-abcde', namespace: 'shop', uid: 'b6a4e1f0-0000-4000-8000-000000000001', containerName: 'web', command: READER };
  const admin: PodSpec = { name: 'admin-7c4b9-fghij', namespace: 'shop', uid: 'b6a4e1f0-0000-4000-8000-000000000002', containerName: 'tools', command: READER, privileged: true };

  beforeAll(async () => {
    if (why) return;
    ctd = await Containerd.start();
    api = await startFakeApiServer();
    api.add('namespaces', { metadata: { name: 'shop', labels: { team: 'payments' } } });
    api.add('pods', podObject(web, { app: 'web', 'pod-template-hash': '5d9f7' }, 'web-5d9f7'));
    api.add('pods', podObject(admin, { app: 'admin', 'pod-template-hash': '7c4b9' }, 'admin-7c4b9'));
    before = await ctd.runPod(web);
    const rules = join(tempDir(), 'pods.yaml');
    writeFileSync(rules, `
- rule: Hostname read in a pod
  desc: test
  condition: evt.type in (open, openat) and fd.name = /etc/hostname and k8s.pod.name exists
  output: "hostname read (app=%k8s.pod.label[app] team=%k8s.ns.label[team] labels=%k8s.pod.labels nslabels=%k8s.ns.labels rs=%k8s.rs.name deploy=%k8s.deployment.name uid=%k8s.pod.uid sandbox=%k8s.pod.sandbox_id fullsandbox=%k8s.pod.full_sandbox_id cname=%k8s.container.name type=%container.type image=%container.image hostnet=%container.host_network hostpid=%container.host_pid priv=%container.privileged vpid=%proc.vpid)"
  priority: NOTICE
`);
    const args = ['-r', `${COMPAT}/falco_rules.yaml`, `${COMPAT}/falco-incubating_rules.yaml`, rules, '--rule-matching', 'all', '--no-docker'];
    const c = ctd;
    // the API server through a kubeconfig, as on a host outside the cluster
    const kubeconfig = writeKubeconfig(tempDir(), api.url);
    ({ alerts, stderr } = await watchJson([...args, '--cri-socket', c.socket, '--kubeconfig', kubeconfig, '--k8s-node', NODE], async () => {
      after = await c.runPod(admin);
    }, 2500));
  }, 120_000);

  afterAll(async () => {
    await ctd?.stop();
    await api?.stop();
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    expect(stderr).toContain('"source":"kubernetes"');
  });

  const reads = (pod: RunningPod) => alerts.filter((a) => a.rule === 'Hostname read in a pod' && a.output_fields['container.id'] === pod.containerId.slice(0, 12));

  it.each([
    ['started before the monitor', () => before, 'web', 'web-5d9f7', 'web', false],
    ['started after the monitor', () => after, 'admin', 'admin-7c4b9', 'admin', true],
  ])('names the pod, its labels, workload and container for a pod %s', (_, pod, app, rs, deploy, privileged) => {
    const p = pod();
    const hits = reads(p);
    expect(hits.length, JSON.stringify(alerts.slice(0, 3).map((a) => a.output))).toBeGreaterThan(0);
    for (const a of hits) {
      expect(a.output_fields).toMatchObject({
        'k8s.pod.name': p.spec.name,
        'k8s.ns.name': 'shop',
        'k8s.pod.uid': p.spec.uid,
        'k8s.pod.label[app]': app,
        'k8s.ns.label[team]': 'payments',
        'k8s.rs.name': rs,
        'k8s.deployment.name': deploy,
        'k8s.pod.sandbox_id': p.sandboxId.slice(0, 12),
        'k8s.container.name': p.spec.containerName,
        'container.name': p.spec.containerName,
        'container.type': 'containerd',
        'container.image': 'docker.io/library/falconet-busybox:test',
        'container.image.repository': 'docker.io/library/falconet-busybox',
        'container.image.tag': 'test',
        'container.host_network': true,
        'container.host_pid': false,
        'k8s.pod.full_sandbox_id': p.sandboxId,
        'container.privileged': privileged,
        'proc.vpid': 1,
      });
      expect(a.output).toMatch(new RegExp(`k8s_ns_name=shop k8s_pod_name=${p.spec.name}$`));
      expect(a.output_fields['k8s.pod.labels']).toEqual(expect.arrayContaining([`app:${app}`]));
      expect(a.output_fields['k8s.ns.labels']).toEqual(['team:payments']);
    }
  });

  it("fires Falco's Launch Privileged Container for the privileged pod only", () => {
    const launched = alerts.filter((a) => a.rule === 'Launch Privileged Container').map((a) => a.output_fields['k8s.pod.name']);
    expect(launched).toContain(admin.name);
    expect(launched).not.toContain(web.name);
  });
});
