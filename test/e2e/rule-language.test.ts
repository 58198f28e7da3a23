// Rule-language behaviour proven through `falconet run` on the live host: ancestor fields without an
// index (proc.aname, proc.apid...) match any ancestor, as in libsinsp, and a rule on an event type
// falconet cannot capture loads with a warning naming the type and its place.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive, until, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible();

describe('rule language on the live host (falconet run)', () => {
  const dir = join(tempDir(), 'ancestors');
  // The kernel names a script's process after the script (at most 15 characters): a tag no other
  // process on the host has, so only this test's processes descend from it.
  const tag = `fnl${process.pid.toString(36)}anc`.slice(0, 15);
  const mark = join(dir, 'mark');
  let alerts: JsonAlert[] = [];
  let stderr = '';
  let scriptPid = 0;

  beforeAll(async () => {
    if (why) return;
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    writeFileSync(mark, 'mark\n', { mode: 0o644 });
    // tag (the script) → sh -c → cat: cat's grandparent is the tagged script; `; true` keeps sh
    // from exec'ing cat in its place, so the chain really has three levels.
    const script = join(dir, tag);
    writeFileSync(script, `#!/bin/sh\nsh -c 'cat ${mark} >/dev/null; true'\n`, { mode: 0o755 });
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, `
- rule: Grandchild of the tagged script
  desc: proc.aname without index matches an ancestor further up than the parent
  condition: evt.type in (open, openat) and fd.name = ${mark} and proc.aname = ${tag} and not proc.pname = ${tag}
  output: "grandchild pid=%proc.pid apid2=%proc.apid[2] aname2=%proc.aname[2] anames=%proc.aname"
  priority: NOTICE
- rule: Descends from init
  desc: proc.apid without index matches any ancestor's pid
  condition: evt.type in (open, openat) and fd.name = ${mark} and proc.apid = 1 and proc.apid != 0
  output: "from init pid=%proc.pid"
  priority: NOTICE
- rule: Descends from no such process
  desc: negative control, an ancestor name nothing has
  condition: evt.type in (open, openat) and fd.name = ${mark} and proc.aname in (no-such-proc-x, ${tag}x)
  output: "never"
  priority: NOTICE
- rule: On page faults
  desc: a Falco event falconet cannot capture, loaded with a warning
  condition: evt.type = page_fault and proc.name = ${tag}
  output: "page fault"
  priority: NOTICE
`);
    // --rule-matching all: one open matches the first two rules, and each must alert.
    ({ alerts, stderr } = await watchJson(['-r', rules, '--no-docker', '--no-append-output', '--rule-matching', 'all'], () => {
      scriptPid = spawnSync(script, [], { stdio: 'ignore' }).pid ?? 0;
    }));
  }, 120_000);

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('proc.aname without index matches the grandparent, and the indexed forms name it', () => {
    const hits = alerts.filter((a) => a.rule === 'Grandchild of the tagged script');
    expect(hits, stderr).toHaveLength(1);
    const f = hits[0]!.output_fields;
    expect(f['proc.aname[2]']).toBe(tag);
    expect(f['proc.apid[2]']).toBe(scriptPid);
    // every ancestor from the parent up: sh, the script, then whatever started the test
    const anames = f['proc.aname'] as string[];
    expect(anames.slice(0, 2)).toEqual(['sh', tag]);
    expect(anames.length).toBeGreaterThan(2);
  });

  it('proc.apid without index matches an ancestor pid (init), on the same event', () => {
    const pid = alerts.find((a) => a.rule === 'Grandchild of the tagged script')?.output_fields['proc.pid'];
    const init = alerts.filter((a) => a.rule === 'Descends from init' && a.output_fields['proc.pid'] === pid);
    expect(init).toHaveLength(1);
  });

  it('does not match an ancestor name nothing has', () => {
    expect(alerts.filter((a) => a.rule === 'Descends from no such process')).toEqual([]);
  });

  it('warns at start about the rule on an event type it cannot capture, naming type and place', () => {
    const warning = stderr.split('\n').find((l) => l.includes("cannot capture event type 'page_fault'"));
    expect(warning, stderr).toBeDefined();
    expect(warning).toMatch(/rules\.yaml:\d+:\d+/);
    expect(warning).toContain('On page faults');
  });

  it('warns again when a reload brings a rule on an event type it cannot capture', { timeout: 60_000 }, async () => {
    const rules = join(tempDir(), 'reloaded.yaml');
    const rule = (name: string, type: string) =>
      `- rule: ${name}\n  desc: d\n  condition: evt.type = ${type} and proc.name = ${tag}\n  output: "x"\n  priority: NOTICE\n`;
    writeFileSync(rules, rule('Opens of the tag', 'openat'));
    const live = await startLive(['run', '-r', rules, '--no-docker']);
    try {
      expect(live.out.stderr).not.toContain('cannot capture event type');
      writeFileSync(rules, rule('Opens of the tag', 'openat') + rule('Page faults of the tag', 'page_fault'));
      live.child.kill('SIGHUP');
      await until(() => live.out.stderr.includes('"msg":"rules reloaded"'), 10_000);
      const warning = live.out.stderr.split('\n').find((l) => l.includes("cannot capture event type 'page_fault'"));
      expect(warning, live.out.stderr).toMatch(/reloaded\.yaml:8:\d+/);
      expect(warning).toContain('Page faults of the tag');
    } finally {
      expect(await live.stop()).toBe(0);
    }
  });
});
