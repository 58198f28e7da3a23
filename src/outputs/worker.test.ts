import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError, type Sink } from './sink.js';
import { SpoolStore } from './spool.js';
import { MemoryStore, type AlertStore } from './store.js';
import { ChannelWorker, type LossKind, type OutputLog } from './worker.js';

type Outcome = 'ok' | 'hang' | Error;

/**
 * A sink the test scripts: each deliver() takes the next outcome ('ok' when the script is empty).
 * 'hang' waits until release() (or rejects when the worker aborts, as real sinks do).
 */
class ScriptedSink implements Sink {
  readonly name = 'test';
  readonly delivered: string[] = [];
  readonly calls: { payloads: string[]; at: number }[] = [];
  closed = false;
  private releases: (() => void)[] = [];

  constructor(
    private readonly script: Outcome[] = [],
    readonly batch = 1,
    private readonly fallback: () => Outcome = () => 'ok',
  ) {}

  deliver(payloads: readonly string[], signal: AbortSignal): Promise<void> {
    this.calls.push({ payloads: [...payloads], at: performance.now() });
    const outcome = this.script.length ? this.script.shift()! : this.fallback();
    if (outcome instanceof Error) return Promise.reject(outcome);
    if (outcome === 'ok') {
      this.delivered.push(...payloads);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new DeliveryError('aborted')), { once: true });
      this.releases.push(() => {
        this.delivered.push(...payloads);
        resolve();
      });
    });
  }

  release(): void {
    for (const r of this.releases.splice(0)) r();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function recordingLog() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const log: OutputLog = {
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
  };
  return { log, lines };
}

function setup(sink: ScriptedSink, store: AlertStore = new MemoryStore(100)) {
  const { log, lines } = recordingLog();
  const losses: [LossKind, number][] = [];
  const worker = new ChannelWorker('test', sink, store, log, (kind, n) => losses.push([kind, n]));
  const lost = (kind: LossKind) => losses.filter(([k]) => k === kind).reduce((s, [, n]) => s + n, 0);
  return { worker, lines, losses, lost };
}

const retry = (ms = 1) => new DeliveryError('503', false, ms);
const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `a${i + from}`);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'falconet-worker-'));
  dirs.push(d);
  return d;
};

describe('ChannelWorker delivery', () => {
  it('delivers every alert in order', async () => {
    const sink = new ScriptedSink();
    const { worker } = setup(sink);
    for (const p of names(20)) worker.push(p);
    await worker.flush();
    expect(sink.delivered).toEqual(names(20));
    expect(worker.getStats()).toMatchObject({ queued: 0, sent: 20, dropped: 0, failed: 0, retries: 0 });
  });

  it('sends what came meanwhile as batches of at most sink.batch', async () => {
    const sink = new ScriptedSink(['hang'], 3);
    const { worker } = setup(sink);
    for (const p of names(8)) worker.push(p);
    expect(worker.getStats().queued).toBe(8);
    sink.release();
    await worker.flush();
    expect(sink.calls.map((c) => c.payloads)).toEqual([['a0'], ['a1', 'a2', 'a3'], ['a4', 'a5', 'a6'], ['a7']]);
    expect(worker.getStats()).toMatchObject({ queued: 0, sent: 8 });
  });

  it('retries a transient failure, in order, skipping nothing, and counts the retries', async () => {
    const sink = new ScriptedSink(['ok', retry(), retry(), retry(), 'ok', retry(), 'ok']);
    const { worker, lines, losses } = setup(sink);
    for (const p of names(4)) worker.push(p);
    await worker.flush();
    expect(sink.delivered).toEqual(names(4));
    expect(sink.calls.map((c) => c.payloads[0])).toEqual(['a0', 'a1', 'a1', 'a1', 'a1', 'a2', 'a2', 'a3']);
    expect(worker.getStats()).toMatchObject({ sent: 4, retries: 4, failed: 0, dropped: 0 });
    expect(losses).toEqual([]);
    // One warning per spell of failures with the same error, and a word when it works again.
    expect(lines.map((l) => `${l.level}: ${l.msg}`)).toEqual([
      'warn: alert delivery failed; retrying',
      'info: alert channel delivers again',
      'warn: alert delivery failed; retrying',
      'info: alert channel delivers again',
    ]);
  });

  it('retries an error that is not a DeliveryError (a socket error) after a backoff', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const sink = new ScriptedSink([refused, 'ok']);
    const { worker, lines } = setup(sink);
    worker.push('a0');
    await worker.flush();
    expect(sink.delivered).toEqual(['a0']);
    expect(worker.getStats().retries).toBe(1);
    const waited = sink.calls[1]!.at - sink.calls[0]!.at;
    // The first backoff is 200 ms +-25%.
    expect(waited).toBeGreaterThanOrEqual(145);
    expect(waited).toBeLessThan(400);
    expect(lines[0]!.obj).toMatchObject({ channel: 'test', err: 'test: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' });
  });

  it("honours the receiver's Retry-After instead of the backoff", async () => {
    const sink = new ScriptedSink([retry(60), retry(5), 'ok']);
    const { worker, lines } = setup(sink);
    worker.push('a0');
    await worker.flush();
    const [first, second, third] = sink.calls.map((c) => c.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(55);
    expect(third - second).toBeLessThan(55);
    expect(lines[0]!.obj).toMatchObject({ retryInMs: 60 });
  });

  it('counts a permanent failure as failed, reports it, and moves on', async () => {
    const sink = new ScriptedSink(['ok', new DeliveryError('HTTP 400', true), 'ok', new DeliveryError('HTTP 413', true)]);
    const { worker, losses, lines } = setup(sink);
    for (const p of names(4)) worker.push(p);
    await worker.flush();
    expect(sink.delivered).toEqual(['a0', 'a2']);
    expect(sink.calls.map((c) => c.payloads[0])).toEqual(names(4));
    expect(worker.getStats()).toMatchObject({ sent: 2, failed: 2, retries: 0, queued: 0 });
    expect(losses).toEqual([
      ['failed', 1],
      ['failed', 1],
    ]);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.obj)).toEqual([
      { channel: 'test', alerts: 1, err: 'HTTP 400' },
      { channel: 'test', alerts: 1, err: 'HTTP 413' },
    ]);
  });

  it('counts a permanent failure of a batch as that many failed', async () => {
    const sink = new ScriptedSink(['hang', new DeliveryError('bad', true)], 10);
    const { worker, lost } = setup(sink);
    for (const p of names(5)) worker.push(p);
    sink.release();
    await worker.flush();
    expect(worker.getStats()).toMatchObject({ sent: 1, failed: 4 });
    expect(lost('failed')).toBe(4);
  });
});

describe('ChannelWorker overflow', () => {
  it.each([
    [3, 10],
    [1, 2],
    [5, 6],
    [2, 50],
  ])('capacity %i, %i pushed while the first is in flight: 1 + capacity delivered, the rest dropped and reported', async (capacity, n) => {
    const sink = new ScriptedSink(['hang']);
    const { worker, lost, losses } = setup(sink, new MemoryStore(capacity));
    for (const p of names(n)) worker.push(p);
    const dropped = n - 1 - capacity;
    expect(worker.getStats()).toMatchObject({ dropped, queued: 1 + capacity });
    expect(lost('dropped')).toBe(dropped);
    expect(losses.every(([kind, k]) => kind === 'dropped' && k === 1)).toBe(true);
    sink.release();
    await worker.flush();
    // The first, then the newest `capacity`: the oldest waiting ones were dropped.
    expect(sink.delivered).toEqual(['a0', ...names(capacity, n - capacity)]);
    expect(worker.getStats()).toMatchObject({ sent: 1 + capacity, dropped, queued: 0 });
  });

  it('drops nothing with capacity 0 (unbounded)', async () => {
    const sink = new ScriptedSink(['hang']);
    const { worker, losses } = setup(sink, new MemoryStore(0));
    for (const p of names(500)) worker.push(p);
    sink.release();
    await worker.flush();
    expect(sink.delivered).toEqual(names(500));
    expect(losses).toEqual([]);
  });
});

describe('ChannelWorker close', () => {
  it('returns after about the deadline with a sink that never succeeds, counting every alert unsent', async () => {
    const sink = new ScriptedSink([], 1, () => retry(5));
    const { worker, lines } = setup(sink);
    for (const p of names(3)) worker.push(p);
    const t0 = performance.now();
    await worker.close(150);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(600);
    expect(worker.getStats()).toMatchObject({ sent: 0, unsent: 3, dropped: 0, failed: 0 });
    expect(worker.getStats().retries).toBeGreaterThan(5);
    expect(sink.closed).toBe(true);
    expect(lines.at(-1)).toEqual({ level: 'warn', msg: 'alerts not delivered before shutdown are lost', obj: { channel: 'test', alerts: 3, spooled: false } });
  });

  it('cuts a delivery in progress short at the deadline (the sink honours the abort)', async () => {
    const sink = new ScriptedSink(['hang']);
    const { worker } = setup(sink);
    for (const p of names(4)) worker.push(p);
    const t0 = performance.now();
    await worker.close(80);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(worker.getStats()).toMatchObject({ sent: 0, unsent: 4, queued: 0 });
    expect(sink.delivered).toEqual([]);
  });

  it('delivers what waits before the deadline, and returns as soon as it is done', async () => {
    const sink = new ScriptedSink([retry(20), 'ok']);
    const { worker, lines } = setup(sink);
    for (const p of names(3)) worker.push(p);
    const t0 = performance.now();
    await worker.close(5_000);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(sink.delivered).toEqual(names(3));
    expect(worker.getStats()).toMatchObject({ sent: 3, unsent: 0 });
    expect(lines.some((l) => l.msg.includes('shutdown'))).toBe(false);
  });

  it('counts a push after close as unsent, and delivers nothing more', async () => {
    const sink = new ScriptedSink();
    const { worker } = setup(sink);
    worker.push('a0');
    await worker.close(100);
    worker.push('late 1');
    worker.push('late 2');
    await worker.flush();
    expect(sink.delivered).toEqual(['a0']);
    expect(worker.getStats()).toMatchObject({ sent: 1, unsent: 2 });
  });

  it('with a spool, keeps the unsent alerts (the batch in delivery too) for the next run', async () => {
    const dir = tempDir();
    const sink = new ScriptedSink([], 2, () => retry(5));
    const { worker, lines } = setup(sink, new SpoolStore(dir, 'http', 1 << 20));
    for (const p of names(5)) worker.push(p);
    await worker.close(60);
    expect(worker.getStats()).toMatchObject({ sent: 0, unsent: 5 });
    expect(lines.at(-1)).toMatchObject({ msg: 'alerts not delivered before shutdown stay in the spool', obj: { alerts: 5, spooled: true } });

    // The next run: a worker on the same spool sends them first, in order.
    const next = new ScriptedSink([], 2);
    const store = new SpoolStore(dir, 'http', 1 << 20);
    expect(store.waiting).toBe(5);
    const second = setup(next, store);
    expect(second.lines[0]).toEqual({ level: 'info', msg: 'alerts spooled by an earlier run are sent first', obj: { channel: 'test', alerts: 5 } });
    second.worker.push('a5');
    await second.worker.close(1_000);
    expect(next.delivered).toEqual(names(6));
    expect(second.worker.getStats()).toMatchObject({ sent: 6, unsent: 0 });
    const after = new SpoolStore(dir, 'http', 1 << 20);
    expect(after.waiting).toBe(0);
    after.close();
  });

  it('returns even when its store failed and left alerts it cannot take', { timeout: 5_000 }, async () => {
    const store = new MemoryStore(10);
    let broken = true;
    const failing: AlertStore = {
      get waiting() {
        return store.waiting;
      },
      durable: false,
      push: (p) => store.push(p),
      take: (n) => {
        if (broken) throw new Error('EIO: i/o error, read');
        return store.take(n);
      },
      ack: () => store.ack(),
      takeUnreadable: () => 0,
      discard: () => store.discard(),
      close: () => store.close(),
    };
    const sink = new ScriptedSink();
    const { worker, lines } = setup(sink, failing);
    worker.push('a0');
    expect(lines[0]).toEqual({ level: 'error', msg: 'alert channel failed', obj: { channel: 'test', err: 'EIO: i/o error, read' } });
    await worker.flush();
    broken = false;
    worker.push('a1');
    await worker.flush();
    expect(sink.delivered).toEqual(['a0', 'a1']);
    broken = true;
    worker.push('a2');
    const t0 = performance.now();
    await worker.close(50);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(worker.getStats()).toMatchObject({ sent: 2, unsent: 1 });
  });
});
