// `falconet capture` records real activity that `falconet replay` later turns into the same alert,
// in both formats: raw (the probe's batches, the default) and json (one event line a record).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../../src/engine/probe/index.js';
import { falconet, tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive } from './env.js';

const why = kernelTestsPossible();

interface Line {
  kind: string;
  comm?: string;
  type?: string;
  bootToEpochNs?: string;
  layout?: Record<string, unknown>;
  data?: string;
  path?: string;
}

const SHADOW_ALERT = /Warning Credential file opened for reading by untrusted program \(file=\/etc\/shadow user=root uid=0 process=cat command=cat \/etc\/shadow /;

/** Captures `cat /etc/shadow` with the default rules; returns the file and its lines. */
async function captureShadow(format: string[]): Promise<{ file: string; lines: Line[] }> {
  const file = join(tempDir(), 'cap.jsonl');
  const live = await startLive(['capture', '-w', file, '-r', 'rules/default.yaml', ...format]);
  spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  expect(await live.stop()).toBe(0);
  expect(live.out.stderr).toContain('"msg":"capture written"');
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  expect(lines[0]?.kind).toBe('header');
  expect(lines.filter((l) => l.kind === 'proc').length).toBeGreaterThan(5);
  return { file, lines };
}

describe('falconet capture then replay (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('replays a raw capture (the default) of `cat /etc/shadow` into the alert the live run would give', async () => {
    const { file, lines } = await captureShadow([]);
    const header = lines[0]!;
    expect(header.bootToEpochNs).toMatch(/^\d+$/);
    expect(header.layout).toMatchObject({ hdrSize: 80, eventTypes: expect.arrayContaining([expect.stringMatching(/^openat\(/)]) });
    expect(lines.some((l) => l.kind === 'event')).toBe(false);
    expect(lines.filter((l) => l.kind === 'batch').length).toBeGreaterThan(0);
    // Records carry cgroup ids; the probe's own cgroup records, in the batches, name their paths.
    const cgroups = lines
      .filter((l) => l.kind === 'batch')
      .flatMap((l) => decodeBatch(Buffer.from(l.data!, 'base64'), 0n))
      .filter((r) => r.type === 'cgroup');
    expect(cgroups.length).toBeGreaterThan(0);
    for (const c of cgroups) expect(c.args.path).toMatch(/^\//);

    const r = falconet(['replay', file, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SHADOW_ALERT);

    // The same file under another record layout is refused at its header, not decoded into garbage.
    const other = join(tempDir(), 'other-layout.jsonl');
    const all = readFileSync(file, 'utf8').split('\n');
    all[0] = JSON.stringify({ ...header, layout: { ...header.layout, offPid: 24 } });
    writeFileSync(other, all.join('\n'));
    const refused = falconet(['replay', other, '-q']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`${other}:1: error: recorded with another probe record layout than this build's (offPid is 24 in the file, 20 in this build)`);
  });

  it('replays a --format json capture of the same into the same alert', async () => {
    const { file, lines } = await captureShadow(['--format', 'json']);
    expect(lines[0]?.bootToEpochNs).toBeUndefined();
    expect(lines.some((l) => l.kind === 'batch')).toBe(false);
    expect(lines.some((l) => l.kind === 'event' && l.type === 'openat' && l.comm === 'cat')).toBe(true);

    const r = falconet(['replay', file, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(SHADOW_ALERT);
  });

  it('names --format when its value is not raw or json', () => {
    const r = falconet(['capture', '-w', join(tempDir(), 'x.jsonl'), '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--format <format>' argument 'xml' is invalid. Allowed choices are raw, json.");
  });
});
