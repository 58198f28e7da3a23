// The README's run command on the live host: `cat /etc/shadow` must produce an alert.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMPAT, ROOT } from '../cli/cli.js';
import { kernelTestsPossible } from './env.js';

const why = kernelTestsPossible();

async function watch(args: string[], act: () => void): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, 'run', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Wait until the probe is attached before acting.
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('probe attached')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`falconet run did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  act();
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { stdout, stderr, code };
}

describe('falconet run (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('alerts when someone reads /etc/shadow, with the default rules', async () => {
    const r = await watch([], () => spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Warning Credential file opened for reading by untrusted program \(file=\/etc\/shadow user=root uid=0 process=cat cmdline=cat \/etc\/shadow /);
    expect(r.stderr).toContain('"msg":"stopped"');
  });

  it("alerts with Falco's upstream rules too, as JSON", async () => {
    const r = await watch(['-r', `${COMPAT}/falco_rules.yaml`, '--json'], () => spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' }));
    const alerts = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
    const hit = alerts.find((a) => a.rule === 'Read sensitive file untrusted' && a.output_fields['fd.name'] === '/etc/shadow');
    expect(hit, r.stdout).toBeDefined();
    expect(hit?.output_fields['proc.name']).toBe('cat');
  });
});
