// The process table: every thread the engine knows, with its process-wide state shared between the
// threads of one process. Seeded from /proc (or a capture's snapshot), then kept current by apply.ts.

import type { Fd, ProcSnapshot, RawRecord, Thread } from '../event.js';
import { copyFd, makeThread } from './shapes.js';

/** The loginuid the kernel reports when none is set (4294967295), shown as -1 like Falco. */
export const NO_LOGINUID = -1;

export function normaliseLoginuid(v: number): number {
  return v === 4294967295 ? NO_LOGINUID : v;
}

export class ThreadTable {
  private readonly byTid = new Map<number, Thread>();

  get(tid: number): Thread | undefined {
    return this.byTid.get(tid);
  }

  set(t: Thread): void {
    this.byTid.set(t.tid, t);
  }

  delete(tid: number): void {
    this.byTid.delete(tid);
  }

  get size(): number {
    return this.byTid.size;
  }

  values(): IterableIterator<Thread> {
    return this.byTid.values();
  }

  /**
   * Forgets the threads `alive` says are gone; returns how many. An exit whose record was dropped
   * (a full ring buffer) would otherwise keep its thread forever, and lend its stale exe and fds to
   * whatever later reuses the pid without a fork the engine saw.
   */
  purge(alive: (tid: number) => boolean): number {
    let n = 0;
    for (const tid of [...this.byTid.keys()]) {
      if (!alive(tid)) {
        this.byTid.delete(tid);
        n++;
      }
    }
    return n;
  }

  /** Adds the snapshot's processes; threads of one process share one fd table. */
  seed(snaps: readonly ProcSnapshot[], containerOf: (cgroup: string) => string): void {
    const fdsByPid = new Map<number, Map<number, Fd>>();
    for (const s of snaps) {
      let fds = fdsByPid.get(s.pid);
      if (!fds) {
        fds = new Map(s.fds.map((f) => [f.num, copyFd(f)]));
        fdsByPid.set(s.pid, fds);
      }
      this.set(
        makeThread({
          ...s,
          loginuid: normaliseLoginuid(s.loginuid),
          containerId: containerOf(s.cgroup),
          execTs: s.startTs,
          exeUpperLayer: false,
          exeFromMemfd: false,
          fds,
        }),
      );
    }
  }

  /**
   * A thread the table has not seen (it started before the snapshot was read, or records were lost):
   * built from what the record header knows, and inheriting what it can from its process or parent.
   */
  adopt(rec: RawRecord, containerOf: (cgroup: string) => string, cgroup: string): Thread {
    const sameProcess = rec.pid !== rec.tid ? this.byTid.get(rec.pid) : undefined;
    const parent = sameProcess ?? this.byTid.get(rec.ppid);
    const t = makeThread({
      tid: rec.tid,
      pid: rec.pid,
      ppid: rec.ppid,
      comm: rec.comm,
      exe: parent?.exe ?? rec.comm,
      exepath: parent?.exepath ?? '',
      args: parent ? [...parent.args] : [],
      cwd: parent?.cwd ?? '/',
      uid: rec.uid,
      gid: rec.gid,
      euid: rec.uid,
      egid: rec.gid,
      loginuid: normaliseLoginuid(rec.loginuid),
      tty: parent?.tty ?? 0,
      sid: parent?.sid ?? rec.pid,
      pgid: parent?.pgid ?? rec.pid,
      vpid: rec.pid,
      vpgid: parent?.vpgid ?? rec.pid,
      cgroup,
      containerId: containerOf(cgroup),
      startTs: rec.ts,
      execTs: rec.ts,
      env: parent ? parent.env : [],
      capEffective: parent?.capEffective ?? 0n,
      capPermitted: parent?.capPermitted ?? 0n,
      capInheritable: parent?.capInheritable ?? 0n,
      exeUpperLayer: parent?.exeUpperLayer ?? false,
      exeFromMemfd: parent?.exeFromMemfd ?? false,
      fds: sameProcess ? sameProcess.fds : new Map(parent?.fds ?? []),
    });
    this.set(t);
    return t;
  }
}
