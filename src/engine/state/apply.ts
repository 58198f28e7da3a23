// The state machine: turns each RawRecord into a SyscallEvent while keeping the process and fd tables
// current. The handlers, one per syscall family, live in fd-handlers.ts and process-handlers.ts;
// this file finds the calling thread, dispatches, and runs the removals (exit, close) a handler
// scheduled after the event, so the event itself still sees what it closed.

import type { Fd, RawRecord, SyscallEvent, Thread } from '../event.js';
import type { TaskSource } from '../../metadata/task-source.js';
import { FD_HANDLERS } from './fd-handlers.js';
import type { Handler, StateHooks } from './handler.js';
import { PROCESS_HANDLERS, takeOverLeader } from './process-handlers.js';
import { ThreadTable } from './threads.js';

const HANDLERS: Readonly<Record<string, Handler>> = { ...FD_HANDLERS, ...PROCESS_HANDLERS };

export class StateMachine implements StateHooks {
  readonly threads: ThreadTable;
  private seq = 0;
  // Removals the previous event scheduled (a close, an exit), run before the next event is applied.
  // Plain fields rather than a closure: a close is a third of a busy host's events.
  private closeFds: Map<number, Fd> | undefined;
  private closeNum = 0;
  private exitTid = -1;
  private exitTs = 0n;
  private renamed = false;

  constructor(
    threads: ThreadTable,
    readonly tasks: TaskSource,
  ) {
    this.threads = threads;
  }

  /**
   * Applies one record to the tables and returns the event that rules see, or undefined for the
   * probe's own bookkeeping records (a cgroup's path), which no rule sees.
   */
  apply(rec: RawRecord): SyscallEvent | undefined {
    if (this.closeFds !== undefined) {
      this.closeFds.delete(this.closeNum);
      this.closeFds = undefined;
    }
    if (this.exitTid >= 0) {
      this.threads.exited(this.exitTid, this.exitTs);
      this.exitTid = -1;
    }
    this.threads.reap(rec.ts);
    if (rec.type === 'cgroup') {
      if (typeof rec.args.path === 'string') this.tasks.learnCgroup(rec.cgroupId, rec.args.path);
      return undefined;
    }
    if ((rec.type === 'execve' || rec.type === 'execveat') && rec.args.old_tid !== undefined) takeOverLeader(rec, this.threads);
    const t = this.threadFor(rec);
    const handler = HANDLERS[rec.type];
    this.renamed = false;
    const fd = handler ? handler(rec, t, rec.res >= 0, this) : undefined;
    return {
      num: ++this.seq,
      ts: rec.ts,
      type: rec.type,
      dir: '<',
      tid: rec.tid,
      res: rec.res,
      args: rec.args,
      thread: t,
      fd,
      fdNameChanged: this.renamed,
    };
  }

  closeAfter(fds: Map<number, Fd>, n: number): void {
    this.closeFds = fds;
    this.closeNum = n;
  }

  forgetAfter(tid: number, ts: bigint): void {
    this.exitTid = tid;
    this.exitTs = ts;
  }

  nameChanged(): void {
    this.renamed = true;
  }

  private threadFor(rec: RawRecord): Thread {
    const known = this.threads.get(rec.tid);
    // An exited thread's entry is kept only for others' lookups: a record of its tid is a new task's.
    if (known && known.pid === rec.pid && !known.exited) {
      // The header is the kernel's word on identity; keep ids that changed behind our back current.
      known.ppid = rec.ppid || known.ppid;
      if (rec.cgroup !== undefined) {
        if (rec.cgroup !== known.cgroup) this.setCgroup(known, rec.cgroup);
      } else if (rec.cgroupId !== 0n && rec.cgroupId !== known.cgroupId) {
        // Moved to another cgroup (runc moves a container's processes in before they exec).
        const path = this.tasks.cgroupPath(rec.pid, rec.cgroupId);
        if (path !== undefined) this.setCgroup(known, path);
        known.cgroupId = rec.cgroupId;
      }
      return known;
    }
    const cgroup = rec.cgroup ?? this.tasks.cgroupPath(rec.pid, rec.cgroupId) ?? this.threads.get(rec.ppid)?.cgroup ?? '/';
    const t = this.threads.adopt(rec, (c) => this.tasks.containerOf(c), cgroup);
    t.cgroupId = rec.cgroupId;
    // A process first met mid-life (started between the snapshot and the probe, or its fork record
    // was lost): only the host knows its pid in its own namespace.
    if (t.vpid === t.pid) t.vpid = this.tasks.vpidOf(t.pid) ?? t.vpid;
    return t;
  }

  private setCgroup(t: Thread, cgroup: string): void {
    t.cgroup = cgroup;
    t.containerId = this.tasks.containerOf(cgroup);
  }
}
