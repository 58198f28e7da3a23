// Field class `container`: the container the process runs in. container.id comes from the thread
// (cgroup); everything else comes from the metadata layer and is <NA> until it has looked the
// container up. On the host, container.id and container.name are "host" as in Falco.

import type { ContainerInfo, ContainerMount, EngineContext, SyscallEvent } from '../event.js';
import { globToRegExp, isGlob } from './glob.js';
import { containerFromCgroup } from '../../metadata/cgroup.js';
import { keyed, indexed, plain, type Extractor, type FieldClass, type FieldValue } from './types.js';

const HOST = 'host';

export function containerOf(evt: SyscallEvent, ctx: EngineContext): ContainerInfo | undefined {
  const id = evt.thread.containerId;
  return id === '' ? undefined : ctx.container(id);
}

/** A field of the container metadata; <NA> when the metadata is not known. */
const meta =
  (get: (c: ContainerInfo) => FieldValue): Extractor =>
  (evt, ctx) => {
    const c = containerOf(evt, ctx);
    return c ? get(c) : undefined;
  };

/** libsinsp's text form of one mount: source:dest:mode:rw:propagation. */
const mountText = (m: ContainerMount): string => `${m.source}:${m.dest}:${m.mode}:${m.rw}:${m.propagation}`;

/** A mount selected by index or by a (glob) path on the other end: container.mount.dest[/proc*]. */
function mountBy(key: string, side: 'source' | 'dest'): (c: ContainerInfo) => ContainerMount | undefined {
  if (/^\d+$/.test(key)) return (c) => c.mounts[Number(key)];
  if (!isGlob(key)) return (c) => c.mounts.find((m) => m[side] === key);
  const re = globToRegExp(key);
  return (c) => c.mounts.find((m) => re.test(m[side]));
}

const mountField = (name: string, desc: string, by: 'source' | 'dest', read: (m: ContainerMount) => FieldValue) =>
  keyed(name, 'string', desc, (key) => {
    const find = mountBy(key, by);
    return meta((c) => {
      const m = find(c);
      return m ? read(m) : undefined;
    });
  });

const ns = (ts: bigint): bigint | undefined => (ts > 0n ? ts : undefined);

/** The full id is in the cgroup path the short one came from; remembered per path. */
const fullIds = new Map<string, string | undefined>();
function fullId(cgroup: string, id: string): string | undefined {
  if (id === HOST) return HOST;
  if (!fullIds.has(cgroup)) {
    if (fullIds.size > 16_384) fullIds.clear();
    fullIds.set(cgroup, containerFromCgroup(cgroup)?.fullId);
  }
  return fullIds.get(cgroup);
}

export const containerFields: FieldClass = {
  name: 'container',
  desc: 'Container fields: the container the process runs in ("host" outside containers).',
  fields: [
    plain('container.id', 'string', 'the container id (12 characters), or "host".', (e) => e.thread.containerId || undefined),
    plain('container.full_id', 'string', 'the full container id (64 characters), or "host".', (e) => fullId(e.thread.cgroup, e.thread.containerId)),
    plain('container.name', 'string', 'the container name, or "host".', (e, ctx) =>
      e.thread.containerId === HOST ? HOST : containerOf(e, ctx)?.name,
    ),
    // Old Falco outputs end in %container.info, which options once expanded into container fields.
    // Accepted so those rules load; it carries no data of its own (name the container fields instead).
    plain('container.info', 'string', 'deprecated: kept so old outputs load; always <NA>.', () => undefined, { available: false }),
    plain('container.image', 'string', 'the container image name (e.g. falcosecurity/falco:latest).', (e, ctx) => containerOf(e, ctx)?.image || undefined),
    plain('container.image.id', 'string', 'the container image id.', (e, ctx) => containerOf(e, ctx)?.imageId || undefined),
    plain('container.image.repository', 'string', 'the container image repository (e.g. falcosecurity/falco).', (e, ctx) => containerOf(e, ctx)?.imageRepository || undefined),
    plain('container.image.tag', 'string', 'the container image tag (e.g. latest).', (e, ctx) => containerOf(e, ctx)?.imageTag || undefined),
    plain('container.image.digest', 'string', 'the container image registry digest.', (e, ctx) => containerOf(e, ctx)?.imageDigest || undefined),
    plain('container.type', 'string', 'the container runtime: docker, containerd, cri-o, podman...', (e, ctx) =>
      e.thread.containerId === HOST ? HOST : containerOf(e, ctx)?.type,
    ),
    plain('container.privileged', 'bool', 'true for containers running privileged.', (e, ctx) => containerOf(e, ctx)?.privileged),
    plain('container.mounts', 'string', 'the mounts, as source:dest:mode:rw:propagation items.', meta((c) => (c.mounts.length ? c.mounts.map(mountText) : undefined)), {
      multi: () => 'list',
    }),
    indexed('container.mount', 'string', 'one mount by index, as source:dest:mode:rw:propagation.', (n) =>
      meta((c) => {
        const m = c.mounts[n];
        return m ? mountText(m) : undefined;
      }),
    ),
    mountField('container.mount.source', 'the mount source, given the mount dest (a path or glob) or index.', 'dest', (m) => m.source),
    mountField('container.mount.dest', 'the mount dest, given the mount source (a path or glob) or index.', 'source', (m) => m.dest),
    mountField('container.mount.mode', 'the mount mode, given the mount source (a path or glob) or index.', 'source', (m) => m.mode),
    mountField('container.mount.rdwr', 'the mount rdwr value, given the mount source (a path or glob) or index.', 'source', (m) => String(m.rw)),
    mountField('container.mount.propagation', 'the mount propagation, given the mount source (a path or glob) or index.', 'source', (m) => m.propagation),
    keyed('container.label', 'string', 'a container label: container.label[com.example.team].', (key) => meta((c) => c.labels[key]), undefined, { dottedArg: true }),
    plain('container.labels', 'string', 'the container labels as key:value items.', meta((c) => {
      const items = Object.entries(c.labels).map(([k, v]) => `${k}:${v}`);
      return items.length ? items : undefined;
    }), { multi: () => 'list' }),
    plain('container.start_ts', 'abstime', 'when the container started, ns since the epoch.', (e, ctx) => {
      const c = containerOf(e, ctx);
      return c && ns(c.startTs);
    }),
    plain('container.duration', 'reltime', 'ns since the container started.', (e, ctx) => {
      const c = containerOf(e, ctx);
      return c && c.startTs > 0n ? e.ts - c.startTs : undefined;
    }),
    plain('container.healthcheck', 'string', "the container's health check command.", meta((c) => c.healthcheck?.join(' '))),
    plain('container.ip', 'ipaddr', "the container's IP address (its pod's, in Kubernetes), when it has one of its own.", meta((c) => c.ip || undefined)),
    plain('container.host_network', 'bool', "true when the container shares the host's network namespace.", meta((c) => c.hostNetwork)),
    plain('container.host_pid', 'bool', "true when the container shares the host's pid namespace.", meta((c) => c.hostPid)),
    plain('container.host_ipc', 'bool', "true when the container shares the host's IPC namespace.", meta((c) => c.hostIpc)),
  ],
};
