// `falconet capture` records real activity that `falconet replay` later turns into the same alert.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { falconet, tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive } from './env.js';

const why = kernelTestsPossible();

describe('falconet capture then replay (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('replays a capture of `cat /etc/shadow` into the alert the live run would give', async () => {
    const file = join(tempDir(), 'cap.jsonl');
    const live = await startLive(['capture', '-w', file, '-r', 'rules/default.yaml']);
    spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await live.stop()).toBe(0);
    const stderr = live.out.stderr;
    expect(stderr).toContain('"msg":"capture written"');

    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; comm?: string; type?: string });
    expect(lines[0]?.kind).toBe('header');
    expect(lines.filter((l) => l.kind === 'proc').length).toBeGreaterThan(5);
    expect(lines.some((l) => l.kind === 'event' && l.type === 'openat' && l.comm === 'cat')).toBe(true);

    const r = falconet(['replay', file, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Warning Credential file opened for reading by untrusted program \(file=\/etc\/shadow user=root uid=0 process=cat cmdline=cat \/etc\/shadow /);
  });
});
