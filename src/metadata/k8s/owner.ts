// The workload a pod belongs to, from its owner references alone: alerts name a pod's ReplicaSet
// and Deployment (k8s.rs.name, k8s.deployment.name) without asking the API server about the
// ReplicaSet, so the lookup stays a pure function of the pod object the watch already delivered.

/** The fields of a Kubernetes OwnerReference this needs. */
export interface OwnerRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
  controller?: boolean;
}

export interface Workload {
  replicaSet?: string;
  deployment?: string;
}

/** The label the Deployment controller puts on its ReplicaSets and their pods. */
const TEMPLATE_HASH_LABEL = 'pod-template-hash';

/**
 * A pod's ReplicaSet, and the Deployment that ReplicaSet was made for.
 *
 * A Deployment names each ReplicaSet it creates `<deployment>-<pod-template-hash>` and puts the
 * hash in the `pod-template-hash` label of the ReplicaSet's pods, so the Deployment's name is the
 * ReplicaSet's name minus that suffix when the pod's label matches it. A ReplicaSet made by hand
 * (no such label, or another suffix) has no Deployment. Pods of a StatefulSet, DaemonSet or Job
 * (or of a bare pod) have neither: those owners are not ReplicaSets, and their names are not
 * reported here. Tools that also create ReplicaSets with the hash label (Argo Rollouts) make the
 * "deployment" the name of their own object; only fetching the ReplicaSet's owner could tell.
 */
export function workloadOf(owners: readonly OwnerRef[] | undefined, labels: Readonly<Record<string, string>> | undefined): Workload {
  const rs = replicaSetOwner(owners ?? []);
  if (!rs) return {};
  const hash = labels?.[TEMPLATE_HASH_LABEL];
  const suffix = hash ? `-${hash}` : undefined;
  if (!suffix || !rs.endsWith(suffix) || rs.length === suffix.length) return { replicaSet: rs };
  return { replicaSet: rs, deployment: rs.slice(0, -suffix.length) };
}

/** The ReplicaSet among the owners: the controlling one when the references say which. */
function replicaSetOwner(owners: readonly OwnerRef[]): string | undefined {
  const sets = owners.filter(isReplicaSet);
  const chosen = sets.find((o) => o.controller === true) ?? sets[0];
  return chosen?.name;
}

/** A ReplicaSet of the built-in API groups (apps, or the old extensions), not a custom resource's namesake. */
function isReplicaSet(o: OwnerRef): boolean {
  if (o.kind !== 'ReplicaSet' || !o.name) return false;
  const group = o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '';
  return group === 'apps' || group === 'extensions' || o.apiVersion === undefined;
}
