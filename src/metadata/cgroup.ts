// Container ids from cgroup paths. Runtimes name a container's cgroup after its id; the shapes differ
// by runtime and by cgroup driver (systemd vs cgroupfs), under cgroup v1 and v2 alike.

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

/** Picks the path to use from the text of /proc/PID/cgroup: the v2 line ("0::/...") or else the first line. */
export function cgroupPathFromProcFile(text: string): string {
  let first = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    if (line.startsWith('0::')) return path;
    if (!first) first = path;
  }
  return first;
}
