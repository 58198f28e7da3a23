import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../outputs/index.js';
import { AlertGate, type MetadataWaiter } from './alert-gate.js';
import type { ContainerInfo, EngineContext, SyscallEvent, Thread } from './event.js';
import type { RulesetRule } from './ruleset.js';
import { makeThread } from './state/shapes.js';

/** A metadata cache the test fills by hand. */
class Waiter implements MetadataWaiter {
  readonly known = new Map<string, ContainerInfo>();
  private readonly waiting = new Map<string, (() => void)[]>();
  has(id: string): boolean {
    return this.known.has(id);
  }
  whenKnown(id: string, f: () => void): void {
    this.waiting.set(id, [...(this.waiting.get(id) ?? []), f]);
  }
  cancel(id: string, f: () => void): void {
    this.waiting.set(id, (this.waiting.get(id) ?? []).filter((x) => x !== f));
  }
  arrive(id: string, name: string): void {
    this.known.set(id, { id, name } as ContainerInfo);
    for (const f of this.waiting.get(id) ?? []) f();
    this.waiting.delete(id);
  }
}

const thread = (containerId: string, comm = 'cat'): Thread =>
  makeThread({
    tid: 7, pid: 7, ppid: 1, comm, exe: comm, exepath: `/bin/${comm}`, args: ['/etc/shadow'], cwd: '/', uid: 0, gid: 0, euid: 0, egid: 0,
    loginuid: -1, tty: 0, sid: 7, pgid: 7, vpid: 7, vpgid: 7, cgroup: '/', containerId, startTs: 1n, execTs: 1n, env: [],
    capEffective: 0n, capPermitted: 0n, capInheritable: 0n, exeUpperLayer: false, exeFromMemfd: false, fds: new Map(),
  });

const rule = {
  name: 'R', priority: 'NOTICE', tags: [], source: 'syscall',
  output: { keys: ['proc.name', 'container.name'], format: (e: SyscallEvent, c: EngineContext) => ({ output: `${e.thread.comm} in ${c.container(e.thread.containerId)?.name ?? '<NA>'}`, fields: {} }) },
} as unknown as RulesetRule;

function setup(waitMs = 1000) {
  const waiter = new Waiter();
  const sent: Alert[] = [];
  const threads = new Map<number, Thread>();
  const ctx: EngineContext = {
    thread: (tid) => threads.get(tid), container: (id) => waiter.known.get(id), userName: () => undefined, groupName: () => undefined,
    userInfo: () => undefined, hostname: 'h',
  };
  const gate = new AlertGate(waiter, waitMs, (a) => sent.push(a));
  const evt = (t: Thread): SyscallEvent => ({ num: 1, ts: 5n, type: 'openat', dir: '<', tid: t.tid, res: 3, args: {}, thread: t });
  return { waiter, sent, gate, ctx, evt, text: () => sent.map((a) => a.message) };
}

describe('AlertGate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends host alerts and alerts of known containers at once', () => {
    const s = setup();
    s.waiter.known.set('c1', { id: 'c1', name: 'web' } as ContainerInfo);
    s.gate.matched(rule, s.evt(thread('host')), s.ctx);
    s.gate.matched(rule, s.evt(thread('c1')), s.ctx);
    expect(s.text()).toEqual(['cat in <NA>', 'cat in web']);
    expect(s.gate.counters).toEqual({ waited: 0, timedOut: 0, deferredEvents: 0 });
  });

  it("holds an unknown container's alerts, in order, until its metadata arrives, with the process as it was", () => {
    const s = setup();
    const t = thread('c2');
    s.gate.matched(rule, s.evt(t), s.ctx);
    t.comm = 'sh'; // the process execs on: the held alert keeps what the rule saw
    s.gate.matched(rule, s.evt(t), s.ctx);
    expect(s.sent).toEqual([]);
    s.waiter.arrive('c2', 'db');
    expect(s.text()).toEqual(['cat in db', 'sh in db']);
    expect(s.gate.counters).toEqual({ waited: 2, timedOut: 0, deferredEvents: 0 });
    vi.advanceTimersByTime(5000);
    expect(s.sent).toHaveLength(2);
  });

  it('sends held alerts without the metadata when the wait runs out, and counts them', () => {
    const s = setup(1000);
    s.gate.matched(rule, s.evt(thread('c3')), s.ctx);
    vi.advanceTimersByTime(999);
    expect(s.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.text()).toEqual(['cat in <NA>']);
    expect(s.gate.counters).toEqual({ waited: 1, timedOut: 1, deferredEvents: 0 });
    s.waiter.arrive('c3', 'late');
    expect(s.sent).toHaveLength(1);
  });

  it('does not wait again for a container whose metadata never came, until it comes', () => {
    const s = setup(1000);
    s.gate.matched(rule, s.evt(thread('c6')), s.ctx);
    vi.advanceTimersByTime(1000);
    expect(s.gate.pending('c6')).toBe(false);
    s.gate.matched(rule, s.evt(thread('c6')), s.ctx);
    expect(s.text()).toEqual(['cat in <NA>', 'cat in <NA>']);
    s.waiter.known.set('c6', { id: 'c6', name: 'x' } as ContainerInfo);
    expect(s.gate.pending('c6')).toBe(false);
  });

  it("holds the evaluation of a pending container's event, and runs it on the frozen event once the metadata comes", () => {
    const s = setup();
    const t = thread('c7');
    const seen: string[] = [];
    expect(s.gate.pending('c7')).toBe(true);
    s.gate.defer(s.evt(t), s.ctx, (e, c) => {
      seen.push(`${e.thread.comm}:${c.container('c7')?.name}`);
      s.gate.matched(rule, e, c); // a match during the release goes out at once
    });
    t.comm = 'later';
    expect(seen).toEqual([]);
    s.waiter.arrive('c7', 'priv');
    expect(seen).toEqual(['cat:priv']);
    expect(s.text()).toEqual(['cat in priv']);
    expect(s.gate.counters).toEqual({ waited: 0, timedOut: 0, deferredEvents: 1 });
  });

  it('never waits with a wait of 0, and sends everything held at shutdown', () => {
    const zero = setup(0);
    zero.gate.matched(rule, zero.evt(thread('c4')), zero.ctx);
    expect(zero.text()).toEqual(['cat in <NA>']);
    const s = setup();
    s.gate.matched(rule, s.evt(thread('c5')), s.ctx);
    expect(s.gate.heldCount).toBe(1);
    s.gate.flush();
    expect(s.text()).toEqual(['cat in <NA>']);
    expect(s.gate.heldCount).toBe(0);
  });
});
