// `falconet run`'s webserver on the live host: /healthz through the start and after it, /metrics
// scraped and parsed with a Prometheus text parser while a rule fires, its counters moving by exactly
// what happened; a port in use stops the start with exit 2 before the probe attaches.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetrics, sample } from '../../src/webserver/testing/prometheus.js';
import { falconet, tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';

const why = kernelTestsPossible();
const LISTENING = 'webserver listening (/healthz, /metrics)';

/** The port `falconet run` logged it listens on. */
function loggedPort(stderr: string): number | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes(LISTENING)) continue;
    return (JSON.parse(line) as { port: number }).port;
  }
  return undefined;
}

/** A rules file with one rule: a file opened in `dir`. */
function openRule(dir: string): string {
  const rules = join(tempDir(), 'opens.yaml');
  writeFileSync(rules, `
- rule: File opened in the metrics test dir
  desc: test
  condition: evt.type in (open, openat, openat2) and fd.name startswith ${dir}/
  output: "opened %fd.name"
  priority: NOTICE
`);
  return rules;
}

async function scrape(port: number) {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await r.text());
}

const alertLines = (live: LiveCommand) => live.out.stdout.split('\n').filter((l) => l.startsWith('{'));

describe('falconet run: /healthz and /metrics (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('counts the events and alerts of a firing rule, exactly, and is healthy', async () => {
    const dir = tempDir();
    const live = await startLive(['run', '-r', openRule(dir), '--json', '-o', 'webserver.listen_port=0']);
    try {
      const port = loggedPort(live.out.stderr);
      expect(port, live.out.stderr).toBeGreaterThan(0);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toMatch(/^ok/);

      const rule = { rule: 'File opened in the metrics test dir', priority: 'NOTICE' };
      const before = await scrape(port!);
      const linesBefore = alertLines(live).length;
      expect(sample(before, 'falconet_probe_attached')).toBe(1);
      expect(sample(before, 'falconet_rules_loaded')).toBe(1);

      const N = 7;
      for (let i = 0; i < N; i++) writeFileSync(join(dir, `f${i}`), 'x');
      await until(() => alertLines(live).length >= linesBefore + N, 5000);
      let after = await scrape(port!);
      const delta = (name: string, labels?: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
      // The stdout channel counts an alert sent once its write is done: wait for the count, then compare.
      for (const end = Date.now() + 5000; delta('falconet_alerts_sent_total', { channel: 'stdout' }) < N && Date.now() < end; ) {
        await new Promise((r) => setTimeout(r, 100));
        after = await scrape(port!);
      }
      const printed = alertLines(live).length - linesBefore;
      expect(printed).toBe(N);
      expect(delta('falconet_rule_matches_total', rule)).toBe(N);
      expect(delta('falconet_alerts_sent_total', { channel: 'stdout' })).toBe(printed);
      expect(sample(after, 'falconet_alerts_queued', { channel: 'stdout' })).toBe(0);
      expect(delta('falconet_events_received_total')).toBeGreaterThanOrEqual(N);
      expect(delta('falconet_events_processed_total', { evt_type: 'openat' })).toBeGreaterThanOrEqual(N);
      expect(delta('falconet_probe_batches_total')).toBeGreaterThan(0);
      expect(Number(after.get('falconet_batch_evaluation_seconds')?.metrics[0]?.count)).toBeGreaterThan(Number(before.get('falconet_batch_evaluation_seconds')?.metrics[0]?.count));
      expect(sample(after, 'falconet_process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
    } finally {
      expect(await live.stop()).toBe(0);
    }
  });

  // 503 "probe not attached yet" is unit-tested (health.test.ts, server.test.ts): here the /proc
  // snapshot and the BPF load run on the JS thread, so a request made meanwhile is answered after them.
  it('answers 503 "probe detached" while the outputs drain at shutdown', async () => {
    const dir = tempDir();
    // An http channel whose receiver is gone: its alert is retried until the drain deadline.
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const deadPort = (gone.address() as net.AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const live = await startLive([
      'run', '-r', openRule(dir), '-o', 'webserver.listen_port=0',
      '-o', 'http_output.enabled=true', '-o', `http_output.url=http://127.0.0.1:${deadPort}/`, '-o', 'outputs_queue.drain_timeout_ms=3000',
    ]);
    const port = loggedPort(live.out.stderr);
    writeFileSync(join(dir, 'f'), 'x');
    await until(() => live.out.stderr.includes('alert delivery failed; retrying'), 5000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const stopped = live.stop();
    let seen: [number, string] | undefined;
    while (!seen && live.child.exitCode === null) {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (r?.status === 503) seen = [r.status, await r.text()];
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(await stopped).toBe(0);
    expect(seen).toEqual([503, 'probe detached: falconet is stopping\n']);
    expect(live.out.stderr).toContain('alerts not delivered before shutdown are lost');
  });

  it('stops with exit 2 and names webserver.listen_port when the port is in use, before attaching the probe', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = falconet(['run', '-r', openRule(tempDir()), '-o', `webserver.listen_port=${port}`, '--duration', '5']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`falconet: webserver.listen_port: 127.0.0.1:${port} is already in use; choose another port (-o webserver.listen_port=N) or turn the webserver off (-o webserver.enabled=false)`);
      expect(r.stderr).not.toContain('probe attached');
    } finally {
      taken.close();
    }
  });
});
