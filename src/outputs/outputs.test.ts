import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { overrideLayer, resolveSettings } from '../config/index.js';
import type { Alert } from './alert.js';
import { Outputs } from './outputs.js';
import { DEFAULT_RENDER, Rendered } from './render.js';
import type { OutputLog } from './worker.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'falconet-outputs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stdout that keeps what it was given, optionally slow to take each write. */
function capture(delayMs = 0) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      if (delayMs) setTimeout(done, delayMs);
      else done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').slice(0, -1) };
}

const quietLog = (): OutputLog & { warnings: string[] } => {
  const warnings: string[] = [];
  return { info: () => {}, warn: (_o, msg) => warnings.push(msg), error: () => {}, warnings };
};

function alert(n: number): Alert {
  const ts = 1_714_566_896_000_000_000n + BigInt(n);
  return {
    ts,
    time: `2024-05-01T12:34:56.${String(n).padStart(9, '0')}Z`,
    rule: 'Read sensitive file',
    priority: 'Warning',
    message: `file=/etc/shadow n=${n}`,
    output_fields: { 'evt.time': ts, 'fd.name': '/etc/shadow', n },
    tags: ['filesystem'],
    source: 'syscall',
    hostname: 'node-1',
  };
}

function outputs(options: string[], stdoutDelayMs = 0) {
  const out = capture(stdoutDelayMs);
  const file = join(dir, 'sub', 'events.txt');
  const { settings } = resolveSettings([overrideLayer(['file_output.enabled=true', `file_output.filename=${file}`, ...options])]);
  const log = quietLog();
  const o = new Outputs(settings, { log, hostname: 'node-1', version: 'test', stdout: out.stream });
  const fileLines = () => readFileSync(file, 'utf8').split('\n').slice(0, -1);
  return { o, stdout: out.lines, file: fileLines, fileOrNothing: () => (existsSync(file) ? fileLines() : []), log, settings };
}

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP port on 127.0.0.1 that nobody listens on. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Outputs', () => {
  it('gives every alert to stdout and file, as alert lines', async () => {
    const { o, stdout, file } = outputs([]);
    expect(o.names).toEqual(['stdout', 'file']);
    for (let i = 0; i < 5; i++) o.send(alert(i));
    await o.flush();
    const want = [0, 1, 2, 3, 4].map((i) => new Rendered(alert(i), DEFAULT_RENDER).text);
    expect(stdout()).toEqual(want);
    expect(file()).toEqual(want);
    expect(want[1]).toBe('12:34:56.000000001: Warning file=/etc/shadow n=1');
    expect(o.stats()).toMatchObject({ stdout: { sent: 5, dropped: 0 }, file: { sent: 5, dropped: 0 } });
    await o.close();
  });

  it('json_output switches both to JSON, with the json_include_* settings', async () => {
    const { o, stdout, file } = outputs(['json_output=true', 'json_include_tags_property=false', 'time_format_iso_8601=true']);
    o.send(alert(7));
    await o.flush();
    const parsed = JSON.parse(stdout()[0]!) as Record<string, unknown>;
    expect(parsed).toEqual({
      hostname: 'node-1',
      output: '2024-05-01T12:34:56.000000007Z: Warning file=/etc/shadow n=7',
      output_fields: { 'evt.time': 1714566896000000007, 'fd.name': '/etc/shadow', n: 7 },
      priority: 'Warning',
      rule: 'Read sensitive file',
      source: 'syscall',
      time: '2024-05-01T12:34:56.000000007Z',
    });
    expect(stdout()[0]).toContain('"evt.time":1714566896000000007');
    expect(file()).toEqual(stdout());
    await o.close();
  });

  it("a channel's limiter does not touch the other channel", async () => {
    const { o, stdout, file } = outputs(['stdout_output.rate=0.001', 'stdout_output.max_burst=2']);
    for (let i = 0; i < 6; i++) o.send(alert(i));
    await o.flush();
    expect(stdout()).toEqual([0, 1].map((i) => new Rendered(alert(i), DEFAULT_RENDER).text));
    expect(file()).toHaveLength(6);
    const stats = o.stats();
    expect(stats['stdout']).toMatchObject({ sent: 2, rateLimited: 4, deduplicated: 0 });
    expect(stats['file']).toMatchObject({ sent: 6, rateLimited: 0 });
    expect(o.summary()).toEqual([
      'stdout: 2 alerts delivered, 0 dropped, 0 failed, 4 over the rate limit, 0 duplicates suppressed',
      'file: 6 alerts delivered, 0 dropped, 0 failed',
    ]);
    await o.close();
  });

  it('outputs.* limits apply to every channel that sets none of its own', async () => {
    const { o, stdout, file } = outputs(['outputs.dedup_window=60', 'file_output.dedup_window=0']);
    // The same alert but for its time: stdout suppresses repeats, file (dedup_window 0) does not.
    const same = (n: number) => ({ ...alert(n), output_fields: { 'evt.time': alert(n).ts, 'fd.name': '/etc/shadow' } });
    for (let i = 0; i < 4; i++) o.send(same(i));
    await o.flush();
    expect(stdout()).toHaveLength(1);
    expect(file()).toHaveLength(4);
    expect(o.stats()['stdout']).toMatchObject({ deduplicated: 3 });
    await o.close();
  });

  it('reports alerts lost on a channel as an internal alert on the others, with the exact count', async () => {
    const port = await deadPort();
    const { o, stdout, file, fileOrNothing: fileLines, log } = outputs(['http_output.enabled=true', `http_output.url=http://127.0.0.1:${port}/`, 'outputs_queue.capacity=2', 'outputs_queue.drain_timeout_ms=50']);
    expect(o.names).toEqual(['stdout', 'file', 'http']);
    const internal = (lines: string[]) => lines.filter((l) => l.includes('falconet internal'));
    // Short bursts, so that stdout and file (capacity 2 as well) keep up, the report included,
    // while http, refused, holds its first alert in delivery and two waiting.
    const alerts = (lines: string[]) => lines.filter((l) => !l.includes('internal')).length;
    const burst = async (from: number, n: number) => {
      for (let i = from; i < from + n; i++) o.send(alert(i));
      const idle = () => o.stats()['stdout']!.queued === 0 && o.stats()['file']!.queued === 0;
      await until(() => idle() && alerts(stdout()) === from + n && alerts(fileLines()) === from + n);
    };
    await burst(0, 3);
    expect(internal(stdout())).toEqual([]);
    await burst(3, 2); // http drops two; the first report goes out at once
    await until(() => internal(stdout()).length === 1);
    expect(internal(stdout())[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{9}: Error falconet internal: alerts dropped on channel http: 2 \(queue full: 2, refused by the receiver: 0\)$/);
    await until(() => internal(file()).length === 1);
    expect(internal(file())).toEqual(internal(stdout()));
    expect(log.warnings).toContain('alerts lost on a channel');

    // Later losses wait for the next report (at most one per 10 s), or for close().
    await burst(5, 2);
    await burst(7, 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(internal(stdout())).toHaveLength(1);
    await o.close();
    expect(internal(stdout())).toHaveLength(2);
    expect(internal(stdout())[1]).toContain('alerts dropped on channel http: 4 (queue full: 4, refused by the receiver: 0)');
    expect(o.stats()).toMatchObject({
      stdout: { sent: 11, dropped: 0, unsent: 0 },
      file: { sent: 11, dropped: 0, unsent: 0 },
      http: { sent: 0, dropped: 6, failed: 0, unsent: 3, queued: 0 },
    });
    expect(o.stats()['http']!.retries).toBeGreaterThan(0);
  });

  it('close() drains what waits on a slow stdout', async () => {
    const { o, stdout } = outputs(['outputs_queue.drain_timeout_ms=2000'], 15);
    for (let i = 0; i < 5; i++) o.send(alert(i));
    expect(stdout().length).toBeLessThan(5);
    await o.close();
    expect(stdout()).toHaveLength(5);
    expect(o.stats()['stdout']).toMatchObject({ sent: 5, unsent: 0 });
  });

  it('buffered_outputs lets alerts that come together share one write', async () => {
    const chunks: string[] = [];
    let release: (() => void) | undefined;
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        if (chunks.length === 1) release = done;
        else done();
      },
    });
    const { settings } = resolveSettings([overrideLayer(['buffered_outputs=true'])]);
    const o = new Outputs(settings, { log: quietLog(), hostname: 'h', version: 't', stdout: stream });
    for (let i = 0; i < 4; i++) o.send(alert(i));
    release?.();
    await o.close();
    expect(chunks.map((c) => c.split('\n').length - 1)).toEqual([1, 3]);
  });
});
