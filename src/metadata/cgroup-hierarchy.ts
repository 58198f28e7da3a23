// Which cgroup hierarchy tells containers apart on this host. Container runtimes name a container's
// cgroup after its id in every hierarchy they use; the probe follows one of them:
// - cgroup v2 (only the unified hierarchy is mounted): the unified hierarchy;
// - cgroup v1 and hybrid hosts (controllers mounted one by one, the unified hierarchy perhaps beside
//   them, often unused and then the same root cgroup for every task): one v1 controller's hierarchy,
//   which runc, crun and containerd's shims join for every container.
// /proc/cgroups lists the controllers in the kernel's own order (enum cgroup_subsys_id), so a line's
// index is the controller's id, which the probe uses to find the task's cgroup in that hierarchy.

import { readFileSync } from 'node:fs';

export type CgroupHierarchy = { kind: 'unified' } | { kind: 'v1'; controller: string; ssid: number };

/** Controllers every runtime puts a container into, most telling first. */
const PREFERRED = ['pids', 'memory', 'cpu', 'cpuacct', 'devices', 'freezer', 'blkio', 'cpuset'];

interface ControllerLine {
  name: string;
  /** The v1 hierarchy it is mounted in; 0 when it is not mounted on its own (v2, or unused). */
  hierarchy: number;
  enabled: boolean;
  ssid: number;
}

export function parseProcCgroups(text: string): ControllerLine[] {
  const out: ControllerLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name = '', hierarchy = '0', , enabled = '0'] = line.split(/\s+/);
    out.push({ name, hierarchy: Number(hierarchy), enabled: enabled === '1', ssid: out.length });
  }
  return out;
}

/**
 * The hierarchy to follow: `choice` is 'auto', 'unified', or a v1 controller's name. An error
 * message (a string) when the choice cannot be had on this host.
 */
export function chooseCgroupHierarchy(choice: string, procCgroups: string): CgroupHierarchy | string {
  const lines = parseProcCgroups(procCgroups);
  const mounted = lines.filter((l) => l.enabled && l.hierarchy > 0);
  if (choice === 'unified') return { kind: 'unified' };
  if (choice !== 'auto') {
    const l = lines.find((c) => c.name === choice);
    if (!l) return `unknown cgroup controller '${choice}' (this kernel has: ${lines.map((c) => c.name).join(', ')})`;
    if (!l.enabled || l.hierarchy === 0) return `the cgroup controller '${choice}' is not mounted as a v1 hierarchy here`;
    return { kind: 'v1', controller: l.name, ssid: l.ssid };
  }
  if (mounted.length === 0) return { kind: 'unified' };
  const pick = PREFERRED.map((n) => mounted.find((l) => l.name === n)).find((l) => l !== undefined) ?? mounted[0]!;
  return { kind: 'v1', controller: pick.name, ssid: pick.ssid };
}

/** The host's choice, from its /proc/cgroups (`procRoot`: the host's /proc). */
export function hostCgroupHierarchy(choice: string, procRoot: string): CgroupHierarchy | string {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/cgroups`, 'utf8');
  } catch (err) {
    return choice === 'auto' || choice === 'unified' ? { kind: 'unified' } : `cannot read ${procRoot}/cgroups: ${(err as Error).message}`;
  }
  return chooseCgroupHierarchy(choice, text);
}

/** The probe's cgroup_ssid for a hierarchy: the controller's id, -1 for the unified hierarchy. */
export function ssidOf(h: CgroupHierarchy): number {
  return h.kind === 'unified' ? -1 : h.ssid;
}

export function describeHierarchy(h: CgroupHierarchy): string {
  return h.kind === 'unified' ? 'unified (v2)' : `v1 ${h.controller}`;
}
