// The README's run command on the live host: `cat /etc/shadow` must produce an alert.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMPAT } from '../cli/cli.js';
import { kernelTestsPossible, startLive } from './env.js';

const why = kernelTestsPossible();

async function watch(args: string[], act: () => void): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const live = await startLive(['run', ...args]);
  act();
  await new Promise((r) => setTimeout(r, 1500));
  const code = await live.stop();
  return { ...live.out, code };
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
