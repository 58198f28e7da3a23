// Container ids from cgroup paths. Runtimes name a container's cgroup after its id; the shapes differ
// by runtime and by cgroup driver (systemd vs cgroupfs), under cgroup v1 and v2 alike.

import type { CgroupHierarchy } from './cgroup-hierarchy.js';

export type RuntimeKind = 'docker' | 'containerd' | 'cri-o' | 'podman';

export interface CgroupContainer {
  /** The full 64-hex id. */
  fullId: string;
  /** container.id: the first 12 characters, as Falco and `docker ps` show it. */
  id: string;
  runtime: RuntimeKind;
}

// Order matters: the more specific prefixes first. Each pattern matches one path component.
const PATTERNS: readonly { re: RegExp; runtime: RuntimeKind }[] = [
  { re: /^docker-([0-9a-f]{64})\.scope$/, runtime: 'docker' },
  { re: /^cri-containerd-([0-9a-f]{64})\.scope$/, runtime: 'containerd' },
  { re: /^crio-(?:conmon-)?([0-9a-f]{64})\.scope$/, runtime: 'cri-o' },
  { re: /^libpod-(?:conmon-)?([0-9a-f]{64})\.scope$/, runtime: 'podman' },
  { re: /^([0-9a-f]{64})$/, runtime: 'docker' },
];

/**
 * Finds the container a cgroup path belongs to, or undefined for the host. Looks at the innermost
 * component that names a container, so nested paths (a container's own sub-cgroups, kubepods slices)
 * resolve to the container.
 */
export function containerFromCgroup(path: string): CgroupContainer | undefined {
  const parts = path.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] ?? '';
    for (const { re, runtime } of PATTERNS) {
      const m = re.exec(part);
      if (m?.[1]) {
        // Under cgroupfs, a bare id below a "kubepods" or containerd path is containerd's, below "docker" Docker's.
        const kind = runtime === 'docker' && !parts.includes('docker') && parts.some((p) => p.startsWith('kubepods')) ? 'containerd' : runtime;
        return { fullId: m[1], id: m[1].slice(0, 12), runtime: kind };
      }
    }
  }
  return undefined;
}

/**
 * The task's path in one hierarchy, from the text of /proc/PID/cgroup: the unified hierarchy's line
 * ("0::/...") or the line whose controller list names the v1 controller. Without a hierarchy (an old
 * caller): the unified line, or else the first.
 */
export function cgroupPathFromProcFile(text: string, hierarchy?: CgroupHierarchy): string {
  let first = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const path = line.slice(b + 1);
    const controllers = line.slice(a + 1, b);
    if (hierarchy?.kind === 'v1') {
      if (controllers.split(',').includes(hierarchy.controller)) return path;
      continue;
    }
    if (line.startsWith('0::')) return path;
    if (!first) first = path;
  }
  return hierarchy ? '' : first;
}
