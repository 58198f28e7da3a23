// What the process table asks the host about a task that its records alone do not tell: the path of
// a cgroup id, the container a cgroup path belongs to, and a task's pid in its own pid namespace.
// The engine's state machine (src/engine/state/apply.ts) depends on this interface only; the live
// host and a replayed file each give their own answers.

import { readFileSync } from 'node:fs';
import { cgroupPathFromProcFile, containerFromCgroup, type CgroupContainer } from './cgroup.js';
import type { CgroupHierarchy } from './cgroup-hierarchy.js';

export interface TaskSource {
  /** The path of the cgroup `cgroupId` names, for a task `pid` in it; undefined when it cannot be known. */
  cgroupPath(pid: number, cgroupId: bigint): string | undefined;
  /** The probe told the path of a cgroup id (its `cgroup` record). */
  learnCgroup(cgroupId: bigint, path: string): void;
  /** container.id for a cgroup path ("host" when it is no container's). */
  containerOf(cgroup: string): string;
  /** The pid of `pid` as its own pid namespace numbers it, when only the host can say. */
  vpidOf(pid: number): number | undefined;
}

const MAX_CACHED = 16_384;

/** A Map that forgets its oldest half when full: ids of removed cgroups must not pile up forever. */
class Bounded<K, V> {
  private map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    if (this.map.size >= this.max) {
      const keep = [...this.map].slice(this.max / 2);
      this.map = new Map(keep);
    }
    this.map.set(k, v);
  }
  get size(): number {
    return this.map.size;
  }
}

/** Containers by cgroup path, shared by both sources: the patterns are the same everywhere. */
class ContainerIds {
  private readonly byPath = new Bounded<string, string>(MAX_CACHED);
  /** Told of each container the first time one of its cgroup paths is seen (the runtimes look it up). */
  onContainer?: (c: CgroupContainer) => void;
  of(cgroup: string): string {
    let id = this.byPath.get(cgroup);
    if (id === undefined) {
      const c = containerFromCgroup(cgroup);
      id = c?.id ?? 'host';
      this.byPath.set(cgroup, id);
      if (c) this.onContainer?.(c);
    }
    return id;
  }
}

/**
 * The live host. Cgroup paths come from the probe's `cgroup` records, which precede the first record
 * of every cgroup; /proc/PID/cgroup, in the probe's hierarchy, is read only for an id the probe's
 * record for was lost, and then cached by id so a busy container costs one read.
 */
export class ProcTaskSource implements TaskSource {
  private readonly paths = new Bounded<bigint, string>(MAX_CACHED);
  private readonly containers = new ContainerIds();

  /** Called the first time a container's cgroup is seen, so its metadata can be asked for at once. */
  set onContainer(f: ((c: CgroupContainer) => void) | undefined) {
    this.containers.onContainer = f;
  }
  /** Cgroup ids the probe did not tell and /proc had to be read for; reported in stats. */
  procReads = 0;

  constructor(
    readonly hierarchy: CgroupHierarchy,
    /** The host's /proc: not this process's own /proc when falconet runs in a container. */
    private readonly procRoot: string,
  ) {}

  cgroupPath(pid: number, cgroupId: bigint): string | undefined {
    const known = this.paths.get(cgroupId);
    if (known !== undefined) return known;
    this.procReads++;
    let path: string;
    try {
      path = cgroupPathFromProcFile(readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8'), this.hierarchy);
    } catch {
      path = '';
    }
    if (path === '') return undefined;
    if (cgroupId !== 0n) this.paths.set(cgroupId, path);
    return path;
  }

  learnCgroup(cgroupId: bigint, path: string): void {
    this.paths.set(cgroupId, path);
  }

  containerOf(cgroup: string): string {
    return this.containers.of(cgroup);
  }

  vpidOf(pid: number): number | undefined {
    try {
      const m = /^NSpid:\s*(.*)$/m.exec(readFileSync(`${this.procRoot}/${pid}/status`, 'latin1'));
      const last = m?.[1]?.trim().split(/\s+/).at(-1);
      return last ? Number(last) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** For replays: paths come from the file (its cgroup lines and records), never from this host's /proc. */
export class ReplayTaskSource implements TaskSource {
  private readonly paths = new Bounded<bigint, string>(MAX_CACHED);
  private readonly containers = new ContainerIds();

  cgroupPath(_pid: number, cgroupId: bigint): string | undefined {
    return this.paths.get(cgroupId);
  }

  learnCgroup(cgroupId: bigint, path: string): void {
    this.paths.set(cgroupId, path);
  }

  containerOf(cgroup: string): string {
    return this.containers.of(cgroup);
  }

  vpidOf(): undefined {
    return undefined;
  }
}
