// The default rules on a Kubernetes-like node: a real containerd (its CRI plugin on a private
// socket, this test playing the kubelet) runs the pods, a fake API server on 127.0.0.1 serves their
// pod and namespace objects, and `falconet run -r rules/default.yaml` watches. An attack inside a
// pod (a private-key search) must name the pod and its namespace; a privileged pod and a pod with
// the host's /etc mounted must raise the launch rules (the VM's root cannot run `docker run
// --privileged`, CRI can); the runtime's own mounts while pods start must raise nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { Containerd, containerdProblem, type PodSpec } from './containerd.js';
import { kernelTestsPossible } from './env.js';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from './k8s-api.js';
import { nothingElseTest, runSession, sessionTests, type Session, type Step } from './detection.js';

const why = kernelTestsPossible() ?? containerdProblem();
const NODE = 'node-1';
const NS = `det-${process.pid}`;
const IMAGE = 'docker.io/library/falconet-busybox:test';

const pod = (name: string, uidTail: string, containerName: string, command: string[], more: Partial<PodSpec> = {}): PodSpec => ({
  name,
  namespace: NS,
  uid: `c0ffee00-0000-4000-8000-${uidTail.padStart(12, '0')}`,
  containerName,
  command,
  ...more,
});

const SHELL = pod('web-7f8d9-k2x4q', '1', 'web', ['sh', '-c', 'sleep 1; /bin/find /root -name id_rsa; exec sleep 60']);
const ADMIN = pod('admin-6b5c4-p9z8w', '2', 'tools', ['sleep', '61'], { privileged: true });
const HOSTETC = pod('agent-5d4c3-m7n6b', '3', 'agent', ['sleep', '62'], { mounts: [{ container_path: '/host/etc', host_path: '/etc', readonly: true }] });
const PODS = [SHELL, ADMIN, HOSTETC];

const inPod = (p: PodSpec) => ({ 'k8s.pod.name': p.name, 'k8s.ns.name': NS, 'container.name': p.containerName, 'container.image': IMAGE });

describe('default rules in Kubernetes pods (containerd CRI + API server, live kernel)', () => {
  let ctd: Containerd | undefined;
  let api: FakeApiServer | undefined;
  let s: Session | undefined;
  let failure: string | undefined;

  const c = (): Containerd => {
    if (!ctd) throw new Error('containerd did not start');
    return ctd;
  };
  const STEPS: Step[] = [
    {
      what: 'a pod searches for private keys',
      run: () => c().runPod(SHELL),
      expect: [
        { rule: 'Search Private Keys or Passwords', fields: { ...inPod(SHELL), 'proc.name': 'find', 'proc.cmdline': 'find /root -name id_rsa', 'proc.pname': 'sh' } },
        { rule: 'Mount Launched in Container', fields: { 'k8s.pod.name': SHELL.name }, count: 0 },
        { rule: 'Launch Privileged Container', fields: { 'k8s.pod.name': SHELL.name }, count: 0 },
      ],
    },
    {
      what: 'a privileged pod starts',
      run: () => c().runPod(ADMIN),
      expect: [
        { rule: 'Launch Privileged Container', fields: { ...inPod(ADMIN), 'proc.cmdline': 'sleep 61' } },
        { rule: 'Mount Launched in Container', fields: { 'k8s.pod.name': ADMIN.name }, count: 0 },
      ],
    },
    {
      what: "a pod with the host's /etc mounted starts",
      run: () => c().runPod(HOSTETC),
      expect: [
        { rule: 'Launch Sensitive Mount Container', fields: { ...inPod(HOSTETC), 'proc.cmdline': 'sleep 62', 'container.mounts': /\/etc:\/host\/etc:/ } },
        { rule: 'Mount Launched in Container', fields: { 'k8s.pod.name': HOSTETC.name }, count: 0 },
      ],
    },
  ];

  beforeAll(async () => {
    if (why) return;
    try {
      ctd = await Containerd.start();
      api = await startFakeApiServer();
      api.add('namespaces', { metadata: { name: NS, labels: { team: 'e2e' } } });
      for (const p of PODS) api.add('pods', { metadata: { name: p.name, namespace: NS, uid: p.uid, labels: { app: p.containerName } }, spec: { nodeName: NODE } });
      const kubeconfig = writeKubeconfig(tempDir(), api.url);
      // A new container's first alert waits for its CRI lookup (ContainerStatus, PodSandboxStatus);
      // on this shared 2-core VM with other suites running that took more than the default 1 s.
      const wait = ['--metadata-wait', '5000'];
      s = await runSession(STEPS, { extraArgs: ['--no-docker', '--cri-socket', ctd.socket, '--kubeconfig', kubeconfig, '--k8s-node', NODE, ...wait], waitMs: 15_000 });
      failure = s.failure;
    } catch (err) {
      failure = (err as Error).message;
    }
  }, 150_000);

  afterAll(async () => {
    await ctd?.stop();
    await api?.stop();
  });

  sessionTests(why, STEPS, () => ({ session: s, failure }));

  it('followed the API server', () => {
    expect(s?.stderr).toContain('"source":"kubernetes"');
  });
  nothingElseTest('these pods', STEPS, () => s, (a) => a.output_fields['k8s.ns.name'] === NS);

  it('prints the pod and namespace in the alert text', () => {
    const a = (s?.alerts ?? []).find((x) => x.rule === 'Search Private Keys or Passwords' && x.output_fields['k8s.pod.name'] === SHELL.name);
    expect(a?.output).toContain(`k8s_pod=${SHELL.name} k8s_ns=${NS}`);
  });
});
