// program_output through `falconet run` on the live host: alerts from real opens of files with
// hostile names reach the program's stdin, one line each, escaped, in order; one process per alert
// or one kept alive (started again when it exits); a program that hangs is killed at timeout_ms, its
// alerts counted failed, while stdout goes on printing at once; and an alert value never reaches
// the shell: a file named `$(touch ...)` makes no file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { HOSTILE, linesOf, Run } from './alerting.js';
import { kernelTestsPossible, until } from './env.js';

const why = kernelTestsPossible();

/** A Run with program_output on; `program` is given the run's dir, for its files (the watched one is dir/w). */
async function startProgram(program: (dir: string) => string, options: string[] = []): Promise<Run> {
  const dir = tempDir();
  return Run.start(['program_output.enabled=true', `program_output.program=${program(dir)}`, ...options], dir);
}

const pwned = (what: string) => `/tmp/falconet-pwned-${process.pid}-${what}`;
/** Names that would run a command if an alert reached a shell's command line. */
const INJECTIONS = [`$(touch ${pwned('dollar')})`, `\`touch ${pwned('backtick')}\``, `x; touch ${pwned('semicolon')}`];

/** Alerts about all of HOSTILE and INJECTIONS reach `out` through `program`, the same lines as stdout. */
async function expectDelivered(run: Run, out: string): Promise<string[]> {
  const lines = await run.trigger([...HOSTILE.map((h) => h.name), ...INJECTIONS]);
  HOSTILE.forEach((h, i) => expect(lines[i]).toContain(`: Warning opened ${run.watched}/${h.escaped} by `));
  await until(() => linesOf(out).length >= lines.length, 5_000);
  expect(linesOf(out)).toEqual(lines);
  expect(readFileSync(out, 'utf8')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e\ufffd]/);
  expect(lines.at(-3)).toContain(`opened ${run.watched}/$(touch ${pwned('dollar')}) by touch`);
  for (const what of ['dollar', 'backtick', 'semicolon']) expect(existsSync(pwned(what)), pwned(what)).toBe(false);
  return lines;
}

describe('program_output (falconet run, live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  describe('one process per alert: cat >> FILE', () => {
    let run: Run | undefined;
    const out = () => join(run!.dir, 'alerts.txt');

    beforeAll(async () => {
      if (why) return;
      run = await startProgram((dir) => `echo $$ >> ${dir}/pids; exec cat >> ${dir}/alerts.txt`);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('appends every alert line, escaped, in order; the alert never reaches the shell', async () => {
      const lines = await expectDelivered(run!, out());
      // one process each
      expect(new Set(linesOf(join(run!.dir, 'pids'))).size).toBe(lines.length);
      const stats = await run!.stop();
      expect(stats.program).toMatchObject({ sent: lines.length, failed: 0, dropped: 0, unsent: 0 });
    });
  });

  describe('keep_alive: one cat >> FILE for every alert', () => {
    let run: Run | undefined;
    const out = () => join(run!.dir, 'alerts.txt');

    beforeAll(async () => {
      if (why) return;
      run = await startProgram((dir) => `echo $$ >> ${dir}/pids; exec cat >> ${dir}/alerts.txt`, ['program_output.keep_alive=true']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('appends every alert line, escaped, in order, through one process; the alert never reaches the shell', async () => {
      const lines = await expectDelivered(run!, out());
      const pids = linesOf(join(run!.dir, 'pids'));
      expect(pids).toHaveLength(1);
      const stats = await run!.stop();
      expect(stats.program).toMatchObject({ sent: lines.length, failed: 0, dropped: 0, unsent: 0 });
      // its stdin closed at exit, cat ended
      expect(existsSync(`/proc/${pids[0]}`)).toBe(false);
    });
  });

  describe('keep_alive with a program that exits after one line: head -n 1 >> FILE', () => {
    let run: Run | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await startProgram((dir) => `head -n 1 >> ${dir}/alerts.txt`, ['program_output.keep_alive=true']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('starts it again for each next alert, and logs each restart', async () => {
      const out = join(run!.dir, 'alerts.txt');
      const sent: string[] = [];
      for (let i = 0; i < 4; i++) {
        sent.push(...(await run!.trigger([`one-at-a-time-${i}`])));
        await until(() => linesOf(out).length > i, 5_000);
        expect(linesOf(out), run!.live.out.stderr).toEqual(sent);
      }
      const restarts = () => run!.live.out.stderr.split('\n').filter((l) => l.includes('"msg":"program_output program exited; it is started again for the next alert"'));
      await until(() => restarts().length >= 4, 2_000);
      expect(restarts()).toHaveLength(4);
      expect(restarts()[0]).toContain('"status":0');
      const stats = await run!.stop();
      expect(stats.program).toMatchObject({ sent: 4, failed: 0, dropped: 0, unsent: 0 });
    });
  });

  describe('a program that hangs: sleep 1000, per alert, timeout_ms=500', () => {
    let run: Run | undefined;
    const pidFile = () => join(run!.dir, 'pids');

    beforeAll(async () => {
      if (why) return;
      run = await startProgram((dir) => `echo $$ >> ${dir}/pids; exec sleep 1000`, ['program_output.timeout_ms=500']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('is killed at the deadline, its alerts counted failed, while stdout prints every alert at once', async () => {
      const n = 4;
      const started = Date.now();
      const lines = await run!.trigger(Array.from({ length: n }, (_, i) => `hang-${i}`));
      // stdout did not wait for the program channel: at most its first program has started
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(linesOf(pidFile()).length).toBeLessThan(n);
      expect(lines).toHaveLength(n);
      const refused = () => run!.live.out.stderr.split('\n').filter((l) => l.includes('"msg":"alert not delivered, and not retried: the receiver refused it or the program failed on it"'));
      await until(() => refused().length >= n, n * 500 + 3_000);
      expect(refused()).toHaveLength(n);
      expect(refused()[0]).toContain('program did not exit within 500 ms: killed');
      const pids = linesOf(pidFile()).map(Number);
      expect(pids).toHaveLength(n);
      const stats = await run!.stop();
      expect(stats.program).toMatchObject({ sent: 0, failed: n, dropped: 0, unsent: 0 });
      // stdout also told of the loss, as internal alerts counting every failed one
      const told = [...run!.live.out.stdout.matchAll(/alerts dropped on channel program: \d+ \(queue full: 0, refused by the receiver: (\d+)\)/g)];
      expect(told.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(n);
      expect(stats.stdout).toMatchObject({ sent: n + told.length, failed: 0, dropped: 0 });
      // no sleep left behind: every process the program started was killed
      for (const pid of pids) expect(existsSync(`/proc/${pid}`), `sleep ${pid} still runs`).toBe(false);
    });
  });
});
