// The live CgroupSource: cgroup paths read from /proc/PID/cgroup, cached by the kernel's cgroup id so
// that a busy container costs one read, not one per event.

import { readFileSync } from 'node:fs';
import type { CgroupSource } from '../engine/state/apply.js';
import { cgroupPathFromProcFile, containerFromCgroup } from './cgroup.js';

const MAX_CACHED = 16_384;

export class ProcCgroupSource implements CgroupSource {
  private readonly byId = new Map<bigint, string>();
  private readonly containerByPath = new Map<string, string>();
  /** Reads that failed (the task was gone before we looked); reported in stats. */
  failures = 0;

  constructor(private readonly procRoot = '/proc') {}

  pathOf(pid: number, cgroupId: bigint): string | undefined {
    const cached = cgroupId !== 0n ? this.byId.get(cgroupId) : undefined;
    if (cached !== undefined) return cached;
    let path: string;
    try {
      path = cgroupPathFromProcFile(readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8'));
    } catch {
      this.failures++;
      return undefined;
    }
    if (cgroupId !== 0n) {
      if (this.byId.size >= MAX_CACHED) this.byId.clear();
      this.byId.set(cgroupId, path);
    }
    return path;
  }

  containerOf(cgroup: string): string {
    let id = this.containerByPath.get(cgroup);
    if (id === undefined) {
      id = containerFromCgroup(cgroup)?.id ?? 'host';
      if (this.containerByPath.size >= MAX_CACHED) this.containerByPath.clear();
      this.containerByPath.set(cgroup, id);
    }
    return id;
  }
}

/** For replays: paths come from the file, never from this host's /proc. */
export const replayCgroupSource: CgroupSource = {
  pathOf: () => undefined,
  containerOf: (cgroup) => containerFromCgroup(cgroup)?.id ?? 'host',
};
