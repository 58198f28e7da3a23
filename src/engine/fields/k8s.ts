// Field class `k8s`: the Kubernetes pod and namespace of the container, from CRI labels and the API
// server via the metadata layer. <NA> outside Kubernetes or before the metadata arrives.

import type { K8sPodInfo } from '../event.js';
import { containerOf } from './container.js';
import { keyed, plain, type Extractor, type FieldClass, type FieldValue } from './types.js';

const pod =
  (get: (p: K8sPodInfo) => FieldValue): Extractor =>
  (evt, ctx) => {
    const p = containerOf(evt, ctx)?.k8s;
    return p ? get(p) : undefined;
  };

const orNA = (s: string | undefined): string | undefined => (s === '' ? undefined : s);

const labelList = (labels: Record<string, string>): string[] | undefined => {
  const items = Object.entries(labels).map(([k, v]) => `${k}:${v}`);
  return items.length ? items : undefined;
};

export const k8sFields: FieldClass = {
  name: 'k8s',
  desc: 'Kubernetes fields: the pod and namespace of the container.',
  fields: [
    plain('k8s.ns.name', 'string', 'the Kubernetes namespace name.', (e, ctx) => orNA(containerOf(e, ctx)?.k8s?.namespace)),
    plain('k8s.pod.name', 'string', 'the Kubernetes pod name.', (e, ctx) => orNA(containerOf(e, ctx)?.k8s?.podName)),
    plain('k8s.pod.uid', 'string', 'the Kubernetes pod UID.', pod((p) => orNA(p.podUid))),
    plain('k8s.pod.id', 'string', 'the Kubernetes pod UID (legacy name of k8s.pod.uid).', pod((p) => orNA(p.podUid))),
    plain('k8s.pod.sandbox_id', 'string', 'the id of the pod sandbox, truncated to 12 characters.', pod((p) => orNA(p.sandboxId?.slice(0, 12)))),
    plain('k8s.pod.full_sandbox_id', 'string', 'the full id of the pod sandbox.', pod((p) => orNA(p.sandboxId))),
    plain('k8s.pod.ip', 'ipaddr', "the pod's IP address.", pod((p) => orNA(p.podIp))),
    plain('k8s.rs.name', 'string', 'the ReplicaSet that owns the pod (from the API server).', pod((p) => orNA(p.replicaSet))),
    plain('k8s.deployment.name', 'string', 'the Deployment that owns the pod, through its ReplicaSet (from the API server).', pod((p) => orNA(p.deployment))),
    plain('k8s.container.name', 'string', 'the container name in the pod spec.', pod((p) => orNA(p.containerName))),
    keyed('k8s.pod.label', 'string', 'a pod label: k8s.pod.label[app].', (key) => pod((p) => p.podLabels[key]), undefined, { dottedArg: true }),
    plain('k8s.pod.labels', 'string', 'the pod labels as key:value items.', pod((p) => labelList(p.podLabels)), { multi: () => 'list' }),
    keyed('k8s.ns.label', 'string', 'a namespace label: k8s.ns.label[team].', (key) => pod((p) => p.nsLabels[key]), undefined, { dottedArg: true }),
    plain('k8s.ns.labels', 'string', 'the namespace labels as key:value items.', pod((p) => labelList(p.nsLabels)), { multi: () => 'list' }),
  ],
};
