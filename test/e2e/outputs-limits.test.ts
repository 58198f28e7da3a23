// The per-channel limits and the JSON and write settings through `falconet run` on the live host:
// deduplication and the rate limit hold back alerts on one channel only, and the count of what they
// held back rides on the next alert that passes; SIGTERM drains the queues.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { alertDir, alertsIn, createFiles, stoppedCounts } from './alerting.js';
import { kernelTestsPossible, startLive, until } from './env.js';

const why = kernelTestsPossible();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fileAlerts(path: string, dir: string) {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return alertsIn(text, dir);
}

describe('alert limits and settings, live', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('dedup_window suppresses identical alerts on its channel and counts them on the next similar one', { timeout: 60_000 }, async () => {
    const { dir, rules } = alertDir();
    const out = join(tempDir(), 'alerts.json');
    const live = await startLive(['run', '-r', rules, '--json', '-o', 'file_output.enabled=true', '-o', `file_output.filename=${out}`, '-o', 'file_output.dedup_window=2']);
    try {
      createFiles(dir, ['same', 'same', 'same', 'other', 'same', 'same']);
      await until(() => alertsIn(live.out.stdout, dir).length === 6, 5000);
      await sleep(2500);
      createFiles(dir, ['same']);
      await until(() => fileAlerts(out, dir).length === 3, 5000);
    } finally {
      await live.stop();
    }
    // stdout has no limit: all seven.
    expect(alertsIn(live.out.stdout, dir).map((a) => a.name)).toEqual(['same', 'same', 'same', 'other', 'same', 'same', 'same']);
    const inFile = fileAlerts(out, dir);
    expect(inFile.map((a) => a.name)).toEqual(['same', 'other', 'same']);
    expect(inFile[2]!.output).toMatch(/ \(\+4 similar alerts suppressed in the last [23] s\)$/);
    expect(inFile[2]!.fields['falconet.suppressed']).toBe(4);
    expect(stoppedCounts(live.out.stderr).file).toMatchObject({ sent: 3, deduplicated: 4, dropped: 0 });
  });

  it('outputs.rate and max_burst limit every channel, a channel may lift it, and the next alert through carries the count', { timeout: 60_000 }, async () => {
    const { dir, rules } = alertDir();
    const out = join(tempDir(), 'alerts.json');
    const live = await startLive([
      'run', '-r', rules, '--json',
      '-o', 'outputs.rate=0.5', '-o', 'outputs.max_burst=2',
      '-o', 'file_output.enabled=true', '-o', `file_output.filename=${out}`, '-o', 'file_output.rate=0',
    ]);
    try {
      createFiles(dir, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
      await until(() => fileAlerts(out, dir).length === 6, 5000);
      await sleep(2200);
      createFiles(dir, ['r6']);
      await until(() => alertsIn(live.out.stdout, dir).length === 3, 5000);
    } finally {
      await live.stop();
    }
    const stdout = alertsIn(live.out.stdout, dir);
    expect(stdout.map((a) => a.name)).toEqual(['r0', 'r1', 'r6']);
    expect(stdout[2]!.output).toMatch(/ \(\+4 alerts over the rate limit suppressed in the last [23] s\)$/);
    expect(fileAlerts(out, dir).map((a) => a.name)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    const counts = stoppedCounts(live.out.stderr);
    expect(counts.stdout).toMatchObject({ sent: 3, rateLimited: 4 });
    expect(counts.file).toMatchObject({ sent: 7, rateLimited: 0 });
  });

  it('buffered_outputs and json_include_output_property=false, and SIGTERM delivers what waits', { timeout: 60_000 }, async () => {
    const { dir, rules } = alertDir();
    const live = await startLive(['run', '-r', rules, '--json', '-o', 'buffered_outputs=true', '-o', 'json_include_output_property=false']);
    const files = Array.from({ length: 50 }, (_, i) => `b${i}`);
    createFiles(dir, files);
    await until(() => alertsIn(live.out.stdout, dir).length === 50, 5000);
    live.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (live.child.exitCode !== null ? r(live.child.exitCode) : live.child.once('exit', r)));
    expect(code).toBe(0);
    const lines = live.out.stdout.split('\n').filter((l) => l.includes(dir));
    expect(lines.map((l) => (JSON.parse(l) as { output_fields: Record<string, string> }).output_fields['fd.name'])).toEqual(files.map((f) => `${dir}/${f}`));
    for (const l of lines) expect(Object.keys(JSON.parse(l) as object)).not.toContain('output');
    expect(stoppedCounts(live.out.stderr).stdout).toMatchObject({ sent: 50, dropped: 0, unsent: 0 });
  });
});
