// deploy/daemonset.yaml against what the API server would say and what the monitor needs.
//
// Two checks stand in for `kubectl apply --dry-run=server --validate=strict`:
//   - kubernetes-models validates each object against the Kubernetes OpenAPI schemas (types,
//     required fields, enums such as hostPath types, quantity formats);
//   - those schemas allow unknown fields (the API server drops them, or rejects them under strict
//     validation), so a mistyped key such as `hostPid` would pass: every key is also looked up in
//     @kubernetes/client-node's models, generated from the API's OpenAPI spec.
// The rest checks what makes the DaemonSet work: RBAC, the pod's host access, probes on the port the
// config sets, mounts that exist, tolerations for every taint, and rules that load.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8sClient from '@kubernetes/client-node';
import fc from 'fast-check';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadRuleFiles } from '../../src/cli/rule-files.js';
import { resolveSettings, type Resolved } from '../../src/config/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFEST = join(ROOT, 'deploy/daemonset.yaml');

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** Each kind the manifest may hold: its kubernetes-models class and its @kubernetes/client-node model. */
const KINDS: Record<string, { model: new (data: never) => { validate(): void }; client: string; namespaced: boolean }> = {
  'v1/Namespace': { model: Namespace, client: 'V1Namespace', namespaced: false },
  'v1/ServiceAccount': { model: ServiceAccount, client: 'V1ServiceAccount', namespaced: true },
  'v1/ResourceQuota': { model: ResourceQuota, client: 'V1ResourceQuota', namespaced: true },
  'v1/ConfigMap': { model: ConfigMap, client: 'V1ConfigMap', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, client: 'V1ClusterRole', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: ClusterRoleBinding, client: 'V1ClusterRoleBinding', namespaced: false },
  'apps/v1/DaemonSet': { model: DaemonSet, client: 'V1DaemonSet', namespaced: true },
};

function kindOf(o: Obj) {
  const k = KINDS[`${o.apiVersion}/${o.kind}`];
  if (!k) throw new Error(`no schema for ${o.apiVersion} ${o.kind}: add it to KINDS`);
  return k;
}

/** Throws kubernetes-models' ValidationError (every failing path) when the object breaks the schema. */
function validate(o: Obj): void {
  const { model: Model } = kindOf(o);
  new Model(o as never).validate();
}

interface AttributeMap {
  getAttributeTypeMap(): { baseName: string; type: string }[];
}

/** The paths of keys that the API's model for `type` does not have, recursively. */
function unknownFields(value: unknown, type: string, path = ''): string[] {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, list[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return isRecord(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}[${k}]`)) : [];
  const model = (k8sClient as unknown as Record<string, AttributeMap | undefined>)[type];
  if (typeof model?.getAttributeTypeMap !== 'function' || !isRecord(value)) return []; // a leaf: string, number, IntOrString...
  const fields = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    const t = fields.get(k);
    return t === undefined ? [at] : unknownFields(v, t, at);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readManifest(): Obj[] {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
  if (!Array.isArray(docs)) throw new Error('deploy/daemonset.yaml: no YAML documents');
  const problems = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
  if (problems.length) throw new Error(`deploy/daemonset.yaml: ${problems.join('; ')}`);
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

const objects = readManifest();
const one = <T,>(kind: string): T & Obj => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/daemonset.yaml: ${found.length} objects of kind ${kind}, expected 1`);
  return found[0] as T & Obj;
};
const daemonSet = one<{ spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: IPodSpec } } }>('DaemonSet');
const pod = daemonSet.spec.template.spec;
const container: IContainer = pod.containers[0]!;
const configMap = one<{ data: Record<string, string> }>('ConfigMap');
/** The ConfigMap's falconet.yaml as the monitor resolves it: its values over the defaults, validated. */
function resolveConfig(): Resolved {
  const values = parseYaml(configMap.data['falconet.yaml']!, { prettyErrors: true, strict: true, uniqueKeys: true }) as Record<string, unknown>;
  return resolveSettings([{ values, origin: (path) => `ConfigMap falconet.yaml: ${path.join('.')}` }]);
}
const config = resolveConfig().settings;

/** The volume behind the mount that holds `path` in the container (the deepest such mount). */
function mountOf(path: string) {
  const mount = (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
  return { mount, volume, rest: posix.relative(mount.mountPath, path) };
}

/** Where `path` of the container is on the node, when a hostPath volume holds it. */
function hostPathOf(path: string): string | undefined {
  const m = mountOf(path);
  return m?.volume?.hostPath ? posix.join(m.volume.hostPath.path, m.rest) : undefined;
}

/** Kubernetes' Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go). */
function tolerates(t: IToleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** A resource quantity in its base unit (cores, bytes), for the suffixes Kubernetes accepts here. */
function quantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(String(q));
  if (!m) throw new Error(`quantity ${q}: not understood by this test`);
  return Number(m[1]) * { '': 1, m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[m[2] ?? '']!;
}

describe('deploy/daemonset.yaml against the Kubernetes API schemas', () => {
  it('holds the objects of a complete install, in an order kubectl can apply', () => {
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ResourceQuota', 'ConfigMap', 'DaemonSet']);
  });

  it.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s is valid against its OpenAPI schema', (_, o) => {
    expect(() => validate(o)).not.toThrow();
    expect(unknownFields(o, kindOf(o).client)).toEqual([]);
  });

  it('the schema check is live: a wrong type, a bad enum and a mistyped key are each caught', () => {
    // Objects read from YAML can hold anything; Reflect.set writes what the types would refuse.
    const broken = structuredClone(daemonSet);
    Reflect.set(broken.spec.template.spec, 'hostPID', 'yes');
    Reflect.set(broken.spec.template.spec.volumes![0]!, 'hostPath', { path: '/x', type: 'Sockets' });
    expect(() => validate(broken)).toThrow(/hostPID must be boolean[\s\S]*hostPath\/type must be equal to one of the allowed values/);

    const typo = structuredClone(daemonSet);
    Reflect.set(typo.spec.template.spec, 'hostPid', true);
    Reflect.set(typo.spec.template.spec.containers[0]!, 'securityContex', { privileged: true });
    expect(() => validate(typo)).not.toThrow(); // the schemas allow unknown keys...
    expect(unknownFields(typo, 'V1DaemonSet')).toEqual(['spec.template.spec.containers[0].securityContex', 'spec.template.spec.hostPid']); // ...this does not
  });

  it('puts every namespaced object in the Namespace it creates', () => {
    const ns = one('Namespace').metadata.name;
    for (const o of objects) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(kindOf(o).namespaced ? ns : undefined);
  });

  it('selects the pods its template labels (the API server refuses a selector that does not)', () => {
    expect(daemonSet.spec.template.metadata.labels).toMatchObject(daemonSet.spec.selector.matchLabels);
    expect(Object.keys(daemonSet.spec.selector.matchLabels).length).toBeGreaterThan(0);
  });
});

describe('RBAC', () => {
  const role = one<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }[] }>('ClusterRole');

  it('grants get, list and watch on pods and namespaces, and nothing more', () => {
    const granted = role.rules.flatMap((r) => {
      expect(r.resourceNames ?? [], 'resourceNames').toEqual([]);
      expect(r.nonResourceURLs ?? [], 'nonResourceURLs').toEqual([]);
      return r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)));
    });
    expect([...new Set(granted)].sort()).toEqual(['/namespaces:get', '/namespaces:list', '/namespaces:watch', '/pods:get', '/pods:list', '/pods:watch']);
  });

  it("binds that role to the DaemonSet's service account", () => {
    const binding = one<{ roleRef: { apiGroup: string; kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] }>('ClusterRoleBinding');
    const sa = one('ServiceAccount');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(pod.automountServiceAccountToken).not.toBe(false);
  });
});

describe('the pod', () => {
  it('runs privileged in the host pid namespace, at node-critical priority, on Linux nodes', () => {
    expect(pod.containers).toHaveLength(1);
    expect(pod.hostPID).toBe(true);
    expect(container.securityContext?.privileged).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  });

  it("lets system-node-critical in through the namespace's quota (GKE's default limit)", () => {
    const quota = one<{ spec: { scopeSelector: { matchExpressions: { scopeName: string; operator: string; values: string[] }[] } } }>('ResourceQuota');
    expect(quota.spec.scopeSelector.matchExpressions).toEqual([{ scopeName: 'PriorityClass', operator: 'In', values: [pod.priorityClassName] }]);
  });

  it('takes NODE_NAME (and the alert hostname) from the downward API', () => {
    const env = new Map((container.env ?? []).map((e) => [e.name, e]));
    expect(env.get('NODE_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    expect(env.get('FALCONET_HOSTNAME')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    expect(env.get('FALCONET_HOST_ROOT')?.value).toBe('/host');
  });

  const taints = [
    { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    { key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' },
    { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' },
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
  ];
  it.each(taints)('tolerates $key:$effect', (taint) => {
    expect((pod.tolerations ?? []).some((t) => tolerates(t, taint))).toBe(true);
  });

  it('tolerates any taint that keeps pods off or evicts them, forever', () => {
    const taint = fc.record({ key: fc.string({ minLength: 1 }), value: fc.option(fc.string(), { nil: undefined }), effect: fc.constantFrom('NoSchedule', 'NoExecute') });
    fc.assert(fc.property(taint, (t) => (pod.tolerations ?? []).some((tol) => tolerates(tol, t) && tol.tolerationSeconds === undefined)));
  });

  it('reserves and caps its resources: requests within limits, up to a CPU and 512Mi-1Gi of memory, heap below the limit', () => {
    const { requests = {}, limits = {} } = container.resources ?? {};
    for (const r of ['cpu', 'memory']) expect(quantity(requests[r]!), r).toBeLessThanOrEqual(quantity(limits[r]!));
    expect(quantity(limits.cpu!)).toBeLessThanOrEqual(1);
    expect(quantity(requests.memory!)).toBeGreaterThanOrEqual(quantity('512Mi'));
    expect(quantity(limits.memory!)).toBeLessThanOrEqual(quantity('1Gi'));
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1]);
    expect(heapMb * 2 ** 20).toBeLessThan(quantity(limits.memory!));
  });

  it('has time to drain the outputs on SIGTERM before the kill', () => {
    const detachMs = 2000; // stopping the probe and the webserver
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThanOrEqual(config.outputs_queue.drain_timeout_ms + detachMs);
  });

  it('replaces its pods one node at a time', () => {
    const strategy = (daemonSet.spec as { updateStrategy?: { type: string; rollingUpdate?: { maxUnavailable?: number } } }).updateStrategy;
    expect(strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });
});

describe("the probes and the scrape reach the config's webserver", () => {
  /** A probe's or annotation's port as a number (a named port is the container's port of that name). */
  const portNumber = (p: string | number) => (typeof p === 'number' ? p : container.ports?.find((cp) => cp.name === p)?.containerPort);

  it.each(['startupProbe', 'readinessProbe', 'livenessProbe'] as const)('%s gets /healthz on the webserver port', (which) => {
    const probe = container[which];
    expect(probe?.httpGet?.path).toBe('/healthz');
    expect(portNumber(probe!.httpGet!.port)).toBe(config.webserver.listen_port);
  });

  it('listens where the kubelet probes: the pod IP, not loopback; the pod has its own network', () => {
    expect(config.webserver.listen_address).toBe('0.0.0.0');
    expect(pod.hostNetwork ?? false).toBe(false);
  });

  it('readiness waits a few seconds for the probe to attach; liveness waits for startup', () => {
    expect(container.readinessProbe!.initialDelaySeconds).toBeGreaterThanOrEqual(2);
    const startup = container.startupProbe!;
    expect(startup.periodSeconds! * startup.failureThreshold!).toBeGreaterThanOrEqual(30);
  });

  it('is annotated for Prometheus with the same port and /metrics', () => {
    const a = daemonSet.spec.template.metadata.annotations;
    expect(a['prometheus.io/scrape']).toBe('true');
    expect(Number(a['prometheus.io/port'])).toBe(config.webserver.listen_port);
    expect(a['prometheus.io/path']).toBe('/metrics');
  });
});

describe('volumes', () => {
  it('backs every volumeMount with a volume, and mounts every volume', () => {
    const volumes = (pod.volumes ?? []).map((v) => v.name);
    const mounts = (container.volumeMounts ?? []).map((m) => m.name);
    expect(new Set(volumes).size).toBe(volumes.length);
    for (const m of mounts) expect(volumes, `volumeMount ${m}`).toContain(m);
    expect([...new Set(mounts)].sort()).toEqual([...volumes].sort());
  });

  it("mounts the host's /proc, /etc, /sys/kernel and /run, read-only, and the alert log writable", () => {
    const mounted = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.mountPath, { host: hostPathOf(m.mountPath), readOnly: m.readOnly ?? false }]));
    expect(mounted).toMatchObject({
      '/host/proc': { host: '/proc', readOnly: true },
      '/host/etc': { host: '/etc', readOnly: true },
      '/sys/kernel': { host: '/sys/kernel', readOnly: true },
      '/host/run': { host: '/run', readOnly: true },
      '/var/log/falconet': { host: '/var/log/falconet', readOnly: false },
    });
  });

  it("propagates the host's unmounts into the directories that hold other mounts", () => {
    for (const path of ['/sys/kernel', '/host/run']) expect(mountOf(path)?.mount.mountPropagation, path).toBe('HostToContainer');
  });

  it("reaches every runtime's socket on the node through the config's paths", () => {
    const sockets = [...config.container_engines.docker.sockets, ...config.container_engines.cri.sockets].map(hostPathOf);
    // /var/run is a link to /run on every systemd distribution: docker.sock is /run/docker.sock.
    expect(sockets).toEqual(expect.arrayContaining(['/run/docker.sock', '/run/containerd/containerd.sock', '/run/crio/crio.sock']));
  });

  it('writes the alert file to the node, where it outlives the pod', () => {
    expect(config.file_output.enabled).toBe(true);
    expect(hostPathOf(config.file_output.filename)).toBe(config.file_output.filename);
    expect(mountOf(config.file_output.filename)?.mount.readOnly ?? false).toBe(false);
  });
});

describe("the ConfigMap's config and rules", () => {
  const configVolume = (pod.volumes ?? []).find((v) => v.configMap?.name === configMap.metadata.name);
  const items = configVolume?.configMap?.items ?? [];
  const configDir = (container.volumeMounts ?? []).find((m) => m.name === configVolume?.name)?.mountPath;

  it('is mounted whole (not subPath, so edits reach the hot reload), and `run -c` reads its falconet.yaml', () => {
    expect((container.volumeMounts ?? []).find((m) => m.name === configVolume?.name)?.subPath).toBeUndefined();
    expect(items.map((i) => i.key).sort()).toEqual(Object.keys(configMap.data).sort());
    const configFile = posix.join(configDir!, items.find((i) => i.key === 'falconet.yaml')!.path);
    expect(configFile).toBe('/etc/falconet/falconet.yaml'); // the image's and the docs' default
    expect(container.command).toEqual(['falconet', 'run', '-c', configFile]);
    expect(container.args).toBeUndefined();
  });

  it("holds a falconet.yaml that falconet's config schema accepts without an error or a warning", () => {
    const { warnings, origin } = resolveConfig(); // throws ConfigError on a wrong type or value
    expect(warnings).toEqual([]); // an unknown (mistyped) key would be one
    for (const key of [['rules_files'], ['webserver', 'listen_port'], ['outputs_queue', 'drain_timeout_ms'], ['file_output', 'filename']]) {
      expect(origin(key), key.join('.')).toMatch(/^ConfigMap falconet.yaml/); // set here, not left to a default that may move
    }
  });

  it("rejects a config the monitor would refuse (the check is live)", () => {
    const values = { webserver: { listen_port: 'http' }, webservr: {} };
    expect(() => resolveSettings([{ values, origin: () => 'x' }])).toThrow(/webserver\.listen_port/);
    expect(resolveSettings([{ values: { webservr: {} }, origin: () => 'x' }]).warnings).toEqual([expect.stringMatching(/unknown setting 'webservr' \(did you mean 'webserver'\?\)/)]);
  });

  it("names rule files that exist in the pod: the image's built-in rules, not hidden by a mount, then the ConfigMap's", () => {
    for (const path of config.rules_files) {
      const m = mountOf(path);
      if (m) {
        expect(m.volume, path).toBe(configVolume);
        expect(items.some((i) => i.path === m.rest || i.path.startsWith(`${m.rest}/`)), path).toBe(true);
      } else {
        // The image installs the package at /opt/falconet (the Dockerfile's WORKDIR), rules/ included.
        expect(path, path).toMatch(/^\/opt\/falconet\//);
        expect(existsSync(join(ROOT, posix.relative('/opt/falconet', path))), path).toBe(true);
      }
    }
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^WORKDIR \/opt\/falconet$/m);
  });

  describe('the site rules load after the built-in ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'falconet-deploy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const ruleKeys = items.filter((i) => i.path.startsWith('rules.d/')).map((i) => i.key);

    it.each(ruleKeys)('%s loads and compiles without an error or a warning of its own', (key) => {
      const file = join(dir, key);
      writeFileSync(file, configMap.data[key]!);
      const loaded = loadRuleFiles([join(ROOT, 'rules/default.yaml'), file]);
      expect(loaded.diagnostics.filter((d) => d.pos.file === file)).toEqual([]);
      expect(loaded.ok).toBe(true);
      const own = parseYaml(configMap.data[key]!) as { rule?: string }[];
      const names = own.flatMap((i) => (i.rule ? [i.rule] : []));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(loaded.load.rules.map((r) => r.name)).toContain(name);
      expect(loaded.notCompiled).toEqual([]);
    });
  });
});
