// Alerts wait, briefly, for their container's metadata. A process in a container the runtime has
// just started is often seen before the runtime client has answered for it; Falco then sends
// `container.name=<NA>`. Here the alert of a container known by id but not yet by metadata is held
// until the lookup answers or the wait (default 1 s) runs out, then built with what is known. Only
// the alert waits: the event was evaluated on arrival, and the process state it read is frozen with
// it, so later events (an exit, a close) cannot change what the alert says.

import { buildAlert, type Alert } from './alert.js';
import type { ContainerInfo, EngineContext, SyscallEvent, Thread } from './event.js';
import type { RulesetRule } from './ruleset.js';
import { copyFd } from './state/shapes.js';

/** What the gate needs of the container metadata cache. */
export interface MetadataWaiter {
  has(id: string): boolean;
  whenKnown(id: string, f: () => void): void;
  cancel(id: string, f: () => void): void;
}

export interface GateCounters {
  /** Alerts held for their container's metadata. */
  waited: number;
  /** Of those, alerts sent without it because the wait ran out. */
  timedOut: number;
}

interface Held {
  rule: RulesetRule;
  evt: SyscallEvent;
  ctx: EngineContext;
}

/** Ancestors walked at most, as in the proc fields. */
const MAX_DEPTH = 64;

/** The event with its thread, fd and ancestors copied: what the rule saw, kept as it was. */
function freeze(evt: SyscallEvent, ctx: EngineContext): { evt: SyscallEvent; ctx: EngineContext } {
  const threads = new Map<number, Thread>();
  const own = { ...evt.thread, args: [...evt.thread.args] };
  threads.set(own.pid, own);
  let cur: Thread | undefined = evt.thread;
  for (let i = 0; cur && i < MAX_DEPTH && cur.ppid > 0 && cur.ppid !== cur.pid; i++) {
    cur = ctx.thread(cur.ppid);
    if (cur) threads.set(cur.pid, { ...cur });
  }
  const frozen: EngineContext = {
    thread: (tid) => threads.get(tid) ?? ctx.thread(tid),
    container: (id): ContainerInfo | undefined => ctx.container(id),
    userName: (uid) => ctx.userName(uid),
    groupName: (gid) => ctx.groupName(gid),
    userInfo: (uid) => ctx.userInfo(uid),
    hostname: ctx.hostname,
  };
  return { evt: { ...evt, args: { ...evt.args }, thread: own, fd: evt.fd ? copyFd(evt.fd) : undefined }, ctx: frozen };
}

export class AlertGate {
  readonly counters: GateCounters = { waited: 0, timedOut: 0 };
  /** Alerts held per container id, in match order; a container's later alerts queue behind them. */
  private readonly held = new Map<string, { alerts: Held[]; timer: NodeJS.Timeout; ready: () => void }>();

  constructor(
    private readonly metadata: MetadataWaiter,
    private readonly waitMs: number,
    private readonly emit: (alert: Alert) => void,
  ) {}

  /** A rule matched: the alert goes out now, or once its container is known (at most waitMs later). */
  matched(rule: RulesetRule, evt: SyscallEvent, ctx: EngineContext): void {
    const id = evt.thread.containerId;
    const queue = this.held.get(id);
    if (queue === undefined && (this.waitMs <= 0 || id === 'host' || id === '' || this.metadata.has(id))) {
      this.emit(buildAlert(rule, evt, ctx));
      return;
    }
    this.counters.waited++;
    const f = freeze(evt, ctx);
    if (queue) {
      queue.alerts.push({ rule, ...f });
      return;
    }
    const ready = (): void => this.release(id, false);
    const timer = setTimeout(() => this.release(id, true), this.waitMs);
    this.held.set(id, { alerts: [{ rule, ...f }], timer, ready });
    this.metadata.whenKnown(id, ready);
  }

  /** Sends every held alert now (at shutdown), with whatever is known. */
  flush(): void {
    for (const id of [...this.held.keys()]) this.release(id, true);
  }

  get pending(): number {
    let n = 0;
    for (const q of this.held.values()) n += q.alerts.length;
    return n;
  }

  private release(id: string, timedOut: boolean): void {
    const q = this.held.get(id);
    if (!q) return;
    this.held.delete(id);
    clearTimeout(q.timer);
    this.metadata.cancel(id, q.ready);
    if (timedOut && !this.metadata.has(id)) this.counters.timedOut += q.alerts.length;
    for (const h of q.alerts) this.emit(buildAlert(h.rule, h.evt, h.ctx));
  }
}
