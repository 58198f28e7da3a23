// The detection suite's harness: one live `falconet run -r rules/default.yaml --json` per test file,
// a list of behaviour scripts run one after another while it watches, and the alerts each script
// must raise (rule + the output fields that tell its alert apart from everything else the host does,
// which other test files and helpers run beside it). Each expectation is then checked for an exact
// count: a rule that fires twice for one action is as wrong as one that does not fire.
//
// Actions run as child processes without blocking the event loop (spawn.ts says why).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../cli/cli.js';
import { startLive, until, type JsonAlert } from './env.js';

export const DEFAULT_RULES = join(ROOT, 'rules/default.yaml');

export type Matcher = string | RegExp;

export interface Expectation {
  rule: string;
  /** Output fields the alert must carry (compared as text; a RegExp must match). */
  fields: Record<string, Matcher>;
  /** How many alerts match; 1 unless said otherwise (0 for "must not fire"). */
  count?: number;
}

export interface Step {
  what: string;
  run: () => Promise<unknown>;
  expect: Expectation[];
}

export { exec, must, type Ran } from './spawn.js';

export function matches(alert: JsonAlert, e: Expectation): boolean {
  if (alert.rule !== e.rule) return false;
  return Object.entries(e.fields).every(([k, m]) => {
    const v = String(alert.output_fields[k]);
    return typeof m === 'string' ? v === m : m.test(v);
  });
}

export function hits(alerts: JsonAlert[], e: Expectation): JsonAlert[] {
  return alerts.filter((a) => matches(a, e));
}

export interface Session {
  alerts: JsonAlert[];
  stderr: string;
  /** Why a step failed, if one did (the alerts up to there are still checked). */
  failure?: string;
}

/**
 * Starts the monitor with the default rules (and `extraArgs`), runs `setup` and every step in
 * order, waits until every expected alert arrived (or `waitMs` passed) plus a settle time in which a
 * duplicate would show, stops it and returns what it printed.
 */
export async function runSession(steps: Step[], opts: { extraArgs?: string[]; setup?: () => Promise<void>; waitMs?: number } = {}): Promise<Session> {
  const live = await startLive(['run', '-r', DEFAULT_RULES, ...(opts.extraArgs ?? []), '--json']);
  const alerts = (): JsonAlert[] =>
    live.out.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as JsonAlert);
  let failure: string | undefined;
  try {
    await opts.setup?.();
    for (const s of steps) await s.run();
  } catch (err) {
    failure = (err as Error).message;
  }
  try {
    const wanted = steps.flatMap((s) => s.expect).filter((e) => (e.count ?? 1) > 0);
    await until(() => {
      const all = alerts();
      return wanted.every((e) => hits(all, e).length >= (e.count ?? 1));
    }, opts.waitMs ?? 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate, or an alert that must not come, would arrive now
  } finally {
    const code = await live.stop();
    if (code !== 0 && failure === undefined) failure = `falconet run exited ${code}`;
  }
  return { alerts: alerts(), stderr: live.out.stderr, failure };
}

/** The test table: one row per expectation, named after its step. */
export function rows(steps: Step[]): [string, string, number, Expectation][] {
  return steps.flatMap((s) => s.expect.map((e) => [e.rule, s.what, e.count ?? 1, e] as [string, string, number, Expectation]));
}

/** For a failed count: the alerts of that rule, so the message shows what came instead. */
export function explain(alerts: JsonAlert[], e: Expectation): string {
  const ofRule = alerts.filter((a) => a.rule === e.rule).map((a) => a.output_fields);
  return `wanted ${JSON.stringify(e.fields)}; alerts of "${e.rule}": ${JSON.stringify(ofRule.slice(0, 8), null, 1)}`;
}

/**
 * The checks every detection file makes: that it could run here (never a skip), that the session ran
 * and stopped cleanly, then one test per expectation, each an exact count.
 */
export function sessionTests(why: string | undefined, steps: Step[], get: () => { session?: Session; failure?: string }): void {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('the session ran and stopped cleanly', () => {
    expect(get().failure).toBeUndefined();
    expect(get().session?.stderr).toContain('"msg":"stopped"');
  });

  it.each(rows(steps))('%s: %s (x%d)', (_rule, _what, count, e) => {
    const all = get().session?.alerts ?? [];
    expect(hits(all, e).length, explain(all, e)).toBe(count);
  });
}

/** Every alert `ours` picks out (the run's own containers or pods) is one that a step expects. */
export function nothingElseTest(what: string, steps: Step[], session: () => Session | undefined, ours: (a: JsonAlert) => boolean): void {
  it(`raises nothing else in ${what}: every alert of theirs is one a step expects`, () => {
    const wanted = steps.flatMap((st) => st.expect).filter((e) => (e.count ?? 1) > 0);
    const unexpected = (session()?.alerts ?? []).filter(ours).filter((a) => !wanted.some((e) => matches(a, e)));
    expect(unexpected.map((a) => a.output)).toEqual([]);
  });
}
