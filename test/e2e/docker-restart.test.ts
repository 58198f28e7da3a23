// A Docker engine that goes away and comes back under a running monitor: the monitor keeps running,
// logs the loss once, reconnects, and names a container started after the restart. The test runs a
// dockerd of its own (own socket, data and exec roots), so the shared one is left alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE, dockerProblem } from './docker.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';

const why = kernelTestsPossible() ?? dockerProblem();

/** A private dockerd; `docker` against its socket. */
class PrivateDockerd {
  readonly socket: string;
  private child?: ChildProcess;
  constructor(readonly dir: string) {
    this.socket = join(dir, 'docker.sock');
  }
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('docker', ['-H', `unix://${this.socket}`, ...args], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
  }
  async start(): Promise<void> {
    this.child = spawn(
      'dockerd',
      ['-H', `unix://${this.socket}`, '--data-root', join(this.dir, 'data'), '--exec-root', join(this.dir, 'exec'), '--pidfile', join(this.dir, 'dockerd.pid'), '--bridge=none', '--iptables=false'],
      { stdio: 'ignore' },
    );
    await until(() => this.cli('info', '--format', '{{.ServerVersion}}').status === 0, 30_000);
    if (this.cli('info').status !== 0) throw new Error('the private dockerd did not start');
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
  }
}

describe('dockerd restarted under a running monitor', () => {
  let d: PrivateDockerd | undefined;
  let live: LiveCommand | undefined;
  let afterId = '';
  let code: number | null = null;

  beforeAll(async () => {
    if (why) return;
    d = new PrivateDockerd(mkdtempSync(join(tmpdir(), 'falconet-dockerd-')));
    await d.start();
    // the test image, moved over from the shared daemon
    const saved = spawnSync('docker', ['save', BUSYBOX_IMAGE], { maxBuffer: 256 << 20 });
    const loaded = spawnSync('docker', ['-H', `unix://${d.socket}`, 'load'], { input: saved.stdout });
    if (loaded.status !== 0) throw new Error(`docker load failed: ${loaded.stderr.toString()}`);
    const rules = join(d.dir, 'hostname.yaml');
    writeFileSync(rules, `
- rule: Hostname read in a container
  desc: test
  condition: evt.type in (open, openat) and fd.name = /etc/hostname and container.id != host
  output: "hostname read by %proc.name"
  priority: NOTICE
`);
    live = await startLive(['run', '-r', rules, '--json', '--docker-socket', d.socket]);
    await until(() => live!.out.stderr.includes('"msg":"container metadata source connected"'), 10_000);
    await d.stop();
    await until(() => live!.out.stderr.includes('"msg":"container metadata source unavailable; retrying"'), 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    await d.start();
    await until(() => live!.out.stderr.split('"msg":"container metadata source connected"').length > 2, 40_000);
    afterId = d.cli('run', '-d', '--network', 'none', '--name', 'falconet-after-restart', BUSYBOX_IMAGE, 'sh', '-c', 'read x < /etc/hostname; exec sleep 60').stdout;
    await new Promise((r) => setTimeout(r, 2000));
    code = await live.stop();
  }, 180_000);

  afterAll(async () => {
    if (live && live.child.exitCode === null) await live.stop();
    d?.cli('rm', '-f', 'falconet-after-restart');
    await d?.stop();
    if (d) rmSync(d.dir, { recursive: true, force: true });
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('keeps running, says once that the engine is gone and once that it is back, and names a container started after', () => {
    const err = live!.out.stderr;
    expect(err.split('"msg":"container metadata source unavailable; retrying"').length - 1).toBe(1);
    expect(err.split('"msg":"container metadata source connected"').length - 1).toBe(2);
    const alerts = live!.out.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { output_fields: Record<string, unknown> });
    const hit = alerts.find((a) => a.output_fields['container.id'] === afterId.slice(0, 12));
    expect(hit?.output_fields['container.name']).toBe('falconet-after-restart');
    expect(code).toBe(0);
  });
});
