// The process table: every thread the engine knows, with its process-wide state shared between the
// threads of one process. Seeded from /proc (or a capture's snapshot), then kept current by apply.ts.

import type { Fd, ProcSnapshot, RawRecord, Thread } from '../event.js';
import { copyFd, makeThread } from './shapes.js';

/** The loginuid the kernel reports when none is set (4294967295), shown as -1 like Falco. */
export const NO_LOGINUID = -1;

export function normaliseLoginuid(v: number): number {
  return v === 4294967295 ? NO_LOGINUID : v;
}

/**
 * How long (event time) an exited thread stays findable. Records are ordered by when the probe sent
 * them, not by when their header was read: a child's record that still names its parent can come
 * just after the parent's exit record (runc exits while the process it started opens its first file).
 */
const EXIT_GRACE_NS = 1_000_000_000n;

export class ThreadTable {
  private readonly byTid = new Map<number, Thread>();
  /** How many threads of each process (by pid) the table holds. */
  private readonly perProcess = new Map<number, number>();
  /** Exited threads in exit order, each removed once its grace has passed (if the tid was not reused). */
  private graveyard: { t: Thread; until: bigint }[] = [];
  private graveHead = 0;

  get(tid: number): Thread | undefined {
    return this.byTid.get(tid);
  }

  set(t: Thread): void {
    const prev = this.byTid.get(t.tid);
    if (prev) {
      this.count(prev.pid, -1);
      if (prev.exited) this.uncountDead(prev.pid);
    }
    this.byTid.set(t.tid, t);
    this.count(t.pid, 1);
  }

  delete(tid: number): void {
    const prev = this.byTid.get(tid);
    if (!prev) return;
    this.byTid.delete(tid);
    this.count(prev.pid, -1);
    if (prev.exited) this.uncountDead(prev.pid);
  }

  /** Threads of process `pid` in the table, an exited leader kept for its process included. */
  threadsOf(pid: number): number {
    return this.perProcess.get(pid) ?? 0;
  }

  /**
   * A thread exited at `ts`. It stays findable for EXIT_GRACE_NS, for records still on their way
   * that name it. A leader whose process has other threads left stays, marked, because the process
   * (and its children's ppid) keep its pid; the last thread to go takes such a leader along.
   */
  exited(tid: number, ts: bigint): void {
    const t = this.byTid.get(tid);
    if (!t) return;
    if (t.tid === t.pid && this.livingThreadsOf(t.pid) > 1) {
      t.leaderExited = true;
      return;
    }
    this.bury(t, ts);
    const leader = t.tid !== t.pid ? this.byTid.get(t.pid) : undefined;
    if (leader?.leaderExited && this.livingThreadsOf(t.pid) === 1) this.bury(leader, ts);
  }

  /** Removes the exited threads whose grace ended before `now`. */
  reap(now: bigint): void {
    const g = this.graveyard;
    while (this.graveHead < g.length && g[this.graveHead]!.until <= now) {
      const { t } = g[this.graveHead++]!;
      if (this.byTid.get(t.tid) === t) this.delete(t.tid);
    }
    if (this.graveHead > 1024 && this.graveHead * 2 > g.length) {
      this.graveyard = g.slice(this.graveHead);
      this.graveHead = 0;
    }
  }

  private bury(t: Thread, ts: bigint): void {
    if (t.exited) return;
    t.exited = true;
    this.dead.set(t.pid, (this.dead.get(t.pid) ?? 0) + 1);
    this.graveyard.push({ t, until: ts + EXIT_GRACE_NS });
  }

  /** Threads of `pid` in the table that have not exited. */
  private livingThreadsOf(pid: number): number {
    return this.threadsOf(pid) - (this.dead.get(pid) ?? 0);
  }

  /** Exited threads still in the table, by pid. */
  private readonly dead = new Map<number, number>();

  private uncountDead(pid: number): void {
    const n = (this.dead.get(pid) ?? 0) - 1;
    if (n > 0) this.dead.set(pid, n);
    else this.dead.delete(pid);
  }

  private count(pid: number, d: number): void {
    const n = (this.perProcess.get(pid) ?? 0) + d;
    if (n > 0) this.perProcess.set(pid, n);
    else this.perProcess.delete(pid);
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
        this.delete(tid);
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
      // No parent to inherit from: the cwd is unknown ('' reads <NA>), not '/'.
      cwd: parent?.cwd ?? '',
      uid: rec.uid,
      gid: rec.gid,
      euid: rec.uid,
      egid: rec.gid,
      loginuid: normaliseLoginuid(rec.loginuid),
      tty: parent?.tty ?? 0,
      sid: parent?.sid ?? rec.pid,
      pgid: parent?.pgid ?? rec.pid,
      vpid: sameProcess?.vpid ?? rec.pid,
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
