// Alerts wait, briefly, for their container's metadata. A process in a container the runtime has
// just started is often seen before the runtime client has answered for it; Falco then sends
// `container.name=<NA>`, and a rule on `container.privileged` misses the container's first exec.
// Here, while a container is known by id but not yet by metadata (at most the wait, default 1 s):
// - an alert of it is held, then built with what is known once the lookup answers or the wait ends;
// - an event of it whose type some rule reading container or pod fields could match is held too,
//   and the event's rules are evaluated on it then.
// The state the event saw (its thread, fd and ancestors) is frozen with it, so later events (an
// exit, a close) cannot change what the alert says. The events themselves never wait: the process
// table moves on. A container whose metadata never came is not waited for again.

import { buildAlert, type Alert } from '../outputs/index.js';
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
  /** Events whose metadata-reading rules were evaluated once the metadata came (or the wait ran out). */
  deferredEvents: number;
}

/** A held alert, or a held evaluation (`run`) of the event's metadata-reading rules. */
interface Held {
  rule?: RulesetRule;
  run?: (evt: SyscallEvent, ctx: EngineContext) => void;
  evt: SyscallEvent;
  ctx: EngineContext;
}

/** Events held per container at most; past it they are evaluated at once (counted as deferred anyway). */
const MAX_HELD = 10_000;
const MAX_GAVE_UP = 4096;

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
  readonly counters: GateCounters = { waited: 0, timedOut: 0, deferredEvents: 0 };
  /** Alerts held per container id, in match order; a container's later alerts queue behind them. */
  private readonly held = new Map<string, { alerts: Held[]; timer: NodeJS.Timeout; ready: () => void }>();
  /** Containers whose wait ran out without metadata: not waited for again (until it comes). */
  private readonly gaveUp = new Set<string>();
  /** The container being released: its matches go out at once. */
  private releasing = '';

  constructor(
    private readonly metadata: MetadataWaiter,
    private readonly waitMs: number,
    private readonly emit: (alert: Alert) => void,
  ) {}

  /** Whether events and alerts of this container wait for its metadata now. */
  pending(id: string): boolean {
    if (id === this.releasing || this.waitMs <= 0 || id === 'host' || id === '') return false;
    if (this.held.has(id)) return true;
    if (this.metadata.has(id)) {
      this.gaveUp.delete(id);
      return false;
    }
    return !this.gaveUp.has(id);
  }

  /** A rule matched: the alert goes out now, or once its container is known (at most waitMs later). */
  matched(rule: RulesetRule, evt: SyscallEvent, ctx: EngineContext): void {
    if (!this.pending(evt.thread.containerId)) {
      this.emit(buildAlert(rule, evt, ctx));
      return;
    }
    this.counters.waited++;
    this.hold(evt.thread.containerId, { rule, ...freeze(evt, ctx) });
  }

  /**
   * Holds the evaluation of an event of a pending container: `run` gets the frozen event once the
   * metadata is known or the wait ran out. Call only while pending(id).
   */
  defer(evt: SyscallEvent, ctx: EngineContext, run: (evt: SyscallEvent, ctx: EngineContext) => void): void {
    this.counters.deferredEvents++;
    const q = this.held.get(evt.thread.containerId);
    if (q && q.alerts.length >= MAX_HELD) {
      run(evt, ctx);
      return;
    }
    this.hold(evt.thread.containerId, { run, ...freeze(evt, ctx) });
  }

  private hold(id: string, h: Held): void {
    const queue = this.held.get(id);
    if (queue) {
      queue.alerts.push(h);
      return;
    }
    const ready = (): void => this.release(id, false);
    const timer = setTimeout(() => this.release(id, true), this.waitMs);
    this.held.set(id, { alerts: [h], timer, ready });
    this.metadata.whenKnown(id, ready);
  }

  /** Sends every held alert now (at shutdown), with whatever is known. */
  flush(): void {
    for (const id of [...this.held.keys()]) this.release(id, true);
  }

  /** Alerts and evaluations held now. */
  get heldCount(): number {
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
    if (timedOut && !this.metadata.has(id)) {
      this.counters.timedOut += q.alerts.filter((h) => h.rule).length;
      if (this.gaveUp.size >= MAX_GAVE_UP) this.gaveUp.clear();
      this.gaveUp.add(id);
    }
    // In order; the held evaluations' matches go out at once, behind the alerts held before them.
    this.releasing = id;
    try {
      for (const h of q.alerts) {
        if (h.rule) this.emit(buildAlert(h.rule, h.evt, h.ctx));
        else h.run?.(h.evt, h.ctx);
      }
    } finally {
      this.releasing = '';
    }
  }
}
