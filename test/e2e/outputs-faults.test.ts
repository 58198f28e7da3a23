// What happens to alerts when the webhook misbehaves, through `falconet run` on the live host: down
// for 30 s then back (alerts within the queue's capacity arrive in order, the overflow is counted
// exactly and reported on the other channels), the same with a spool (nothing lost, also across a
// restart of the monitor), 500 then 200, 429 with Retry-After, 400 (final), and a receiver that
// hangs. Through all of it the stdout channel gets every alert at once: the engine never waits.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { alertDir, alertsIn, createFiles, stoppedCounts } from './alerting.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';
import { startWebhook, type Webhook, type WebhookOptions } from './webhook.js';

const why = kernelTestsPossible();

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

/** The file names of the alerts a receiver accepted (2xx), in the order it got them. */
function delivered(hook: Webhook, dir: string): string[] {
  return hook.requests
    .filter((r) => r.status !== undefined && r.status < 300)
    .map((r) => ((r.json() as { output_fields: Record<string, string> }).output_fields['fd.name'] ?? '').slice(dir.length + 1));
}

/** The alerts stdout printed for files in dir, and the internal loss alerts. */
function stdoutAlerts(live: LiveCommand, dir: string): { files: string[]; losses: { dropped: number; failed: number; output: string }[] } {
  const all = live.out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { rule: string; output: string; output_fields: Record<string, unknown> });
  return {
    files: alertsIn(live.out.stdout, dir).map((a) => a.name),
    losses: all
      .filter((a) => a.rule === 'Falconet internal: alerts dropped')
      .map((a) => ({ dropped: a.output_fields['falconet.dropped'] as number, failed: a.output_fields['falconet.failed'] as number, output: a.output })),
  };
}

async function runTo(hook: Webhook, rules: string, ...extra: string[]): Promise<LiveCommand> {
  return startLive(['run', '-r', rules, '--json', '-o', 'http_output.enabled=true', '-o', `http_output.url=${hook.url}`, ...extra]);
}

async function withHook(opts: WebhookOptions, f: (hook: Webhook) => Promise<void>): Promise<void> {
  const hook = await startWebhook(opts);
  try {
    await f(hook);
  } finally {
    await hook.close();
  }
}

describe('alert delivery under faults, live', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('a webhook down for 30 s: the alert in delivery and the queue’s capacity arrive in order, the overflow is counted exactly', { timeout: 90_000 }, async () => {
    await withHook({}, async (hook) => {
      const { dir, rules } = alertDir();
      await hook.down();
      const downAt = Date.now();
      const live = await runTo(hook, rules, '-o', 'outputs_queue.capacity=4', '-o', 'outputs_queue.drain_timeout_ms=3000');
      const files = names('a', 10);
      try {
        // Apart, so that stdout (whose queue is as small) never has two waiting.
        createFiles(dir, files, 0.1);
        // stdout is not held up by the dead webhook.
        await until(() => stdoutAlerts(live, dir).files.length === files.length, 5000);
        expect(stdoutAlerts(live, dir).files).toEqual(files);
        await until(() => stdoutAlerts(live, dir).losses.length > 0, 5000);
        await new Promise((r) => setTimeout(r, Math.max(0, downAt + 30_000 - Date.now())));
        expect(delivered(hook, dir)).toEqual([]);
        await hook.up();
        await hook.waitFor(5, 20_000);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await live.stop();
      }
      // a00 was in delivery when a01..a09 came; a queue of 4 kept the last four.
      expect(delivered(hook, dir)).toEqual(['a00', 'a06', 'a07', 'a08', 'a09']);
      const { losses } = stdoutAlerts(live, dir);
      expect(losses.reduce((n, l) => n + l.dropped, 0)).toBe(5);
      expect(losses[0]!.output).toMatch(/falconet internal: alerts dropped on channel http: \d+ \(queue full: \d+, refused by the receiver: 0\)/);
      const counts = stoppedCounts(live.out.stderr);
      expect(counts.http).toMatchObject({ sent: 5, dropped: 5, failed: 0, unsent: 0 });
      expect(counts.http!.retries).toBeGreaterThanOrEqual(3);
      expect(counts.stdout).toMatchObject({ sent: 10 + losses.length, dropped: 0 });
    });
  });

  it('with a spool, nothing is lost: not while the webhook is down, not across a restart of the monitor', { timeout: 90_000 }, async () => {
    await withHook({}, async (hook) => {
      const { dir, rules } = alertDir();
      const spool = tempDir();
      const args = ['-o', `http_output.spool_dir=${spool}`, '-o', 'outputs_queue.capacity=4', '-o', 'outputs_queue.drain_timeout_ms=500'];
      await hook.down();
      const first = await runTo(hook, rules, ...args);
      try {
        createFiles(dir, names('a', 10), 0.1);
        await new Promise((r) => setTimeout(r, 3000));
        await hook.up();
        await hook.waitFor(10, 20_000);
        expect(delivered(hook, dir)).toEqual(names('a', 10));
        // Down again, and the monitor stops while 5 alerts wait.
        await hook.down();
        createFiles(dir, names('b', 5), 0.1);
        await until(() => stdoutAlerts(first, dir).files.length === 15, 5000);
      } finally {
        await first.stop();
      }
      expect(first.out.stderr).toContain('alerts not delivered before shutdown stay in the spool');
      expect(stoppedCounts(first.out.stderr).http).toMatchObject({ sent: 10, dropped: 0, unsent: 5 });
      expect(readdirSync(spool).sort()).toEqual(['http.ack', 'http.spool']);

      await hook.up();
      const second = await runTo(hook, rules, ...args);
      try {
        await hook.waitFor(15, 20_000);
        createFiles(dir, names('c', 2));
        await hook.waitFor(17, 10_000);
      } finally {
        await second.stop();
      }
      expect(second.out.stderr).toContain('alerts spooled by an earlier run are sent first');
      expect(delivered(hook, dir)).toEqual([...names('a', 10), ...names('b', 5), ...names('c', 2)]);
      expect(stoppedCounts(second.out.stderr).http).toMatchObject({ sent: 7, dropped: 0, unsent: 0 });
    });
  });

  it('500 then 200, and 429 with Retry-After: retried in order until delivered; 400 is final, counted and reported', { timeout: 60_000 }, async () => {
    const answers = new Map<string, number>();
    await withHook(
      {
        respond: (req) => {
          const name = ((req.json() as { output_fields: Record<string, string> }).output_fields['fd.name'] ?? '').replace(/^.*\//, '');
          const seen = (answers.get(name) ?? 0) + 1;
          answers.set(name, seen);
          if (name === 'e0' && seen <= 3) return { status: 500 };
          if (name === 'e1' && seen === 1) return { status: 429, headers: { 'retry-after': '2' } };
          if (name === 'e2') return { status: 400, body: 'bad alert' };
          return { status: 200 };
        },
      },
      async (hook) => {
        const { dir, rules } = alertDir();
        const live = await runTo(hook, rules, '-o', 'outputs_queue.drain_timeout_ms=1000');
        try {
          createFiles(dir, ['e0', 'e1', 'e2', 'e3']);
          await until(() => stdoutAlerts(live, dir).files.length === 4, 5000);
          expect(stdoutAlerts(live, dir).files).toEqual(['e0', 'e1', 'e2', 'e3']);
          await hook.waitFor(3, 20_000);
          await until(() => stdoutAlerts(live, dir).losses.length > 0, 5000);
        } finally {
          await live.stop();
        }
        expect(delivered(hook, dir)).toEqual(['e0', 'e1', 'e3']);
        const seq = hook.requests.map((r) => [((r.json() as { output_fields: Record<string, string> }).output_fields['fd.name'] ?? '').replace(/^.*\//, ''), r.status]);
        expect(seq).toEqual([['e0', 500], ['e0', 500], ['e0', 500], ['e0', 200], ['e1', 429], ['e1', 200], ['e2', 400], ['e3', 200]]);
        const e1 = hook.requests.filter((r) => r.body.includes('/e1"'));
        expect(e1[1]!.at - e1[0]!.at).toBeGreaterThanOrEqual(1900);
        expect(live.out.stderr).toMatch(/"err":"http [^"]*: HTTP 400: bad alert".*"msg":"alert not delivered, and not retried: the receiver refused it or the program failed on it"/);
        expect(stdoutAlerts(live, dir).losses).toEqual([{ dropped: 0, failed: 1, output: expect.stringContaining('refused by the receiver: 1') as string }]);
        expect(stoppedCounts(live.out.stderr).http).toMatchObject({ sent: 3, failed: 1, dropped: 0, retries: 4 });
      },
    );
  });

  it('a receiver that never answers: the request times out and is tried again, stdout goes on', { timeout: 60_000 }, async () => {
    await withHook({ respond: (_req, n) => (n === 1 ? new Promise(() => {}) : { status: 200 }) }, async (hook) => {
      const { dir, rules } = alertDir();
      const live = await runTo(hook, rules, '-o', 'http_output.timeout_ms=1000', '-o', 'outputs_queue.drain_timeout_ms=1000');
      try {
        createFiles(dir, ['h0', 'h1']);
        await until(() => stdoutAlerts(live, dir).files.length === 2, 3000);
        expect(stdoutAlerts(live, dir).files).toEqual(['h0', 'h1']);
        await hook.waitFor(2, 15_000);
      } finally {
        await live.stop();
      }
      expect(delivered(hook, dir)).toEqual(['h0', 'h1']);
      expect(live.out.stderr).toMatch(/"err":"http [^"]*(timeout|aborted|Timeout)[^"]*".*"msg":"alert delivery failed; retrying"/i);
      expect(stoppedCounts(live.out.stderr).http).toMatchObject({ sent: 2, failed: 0, retries: 1 });
    });
  });
});
