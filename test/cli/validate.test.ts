import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPAT, falconet, tempDir } from './cli.js';

function ruleFile(text: string): string {
  const file = join(tempDir(), 'rules.yaml');
  writeFileSync(file, text);
  return file;
}

describe('falconet validate', () => {
  it("loads Falco's default ruleset without an error", () => {
    const r = falconet(['validate', '-q', '-r', `${COMPAT}/falco_rules.yaml`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${COMPAT}/falco_rules.yaml: ok: 25 rules loaded (25 enabled), 0 not loaded\n`);
    expect(r.code).toBe(0);
  });

  it('loads the default rules without a warning', () => {
    const r = falconet(['validate', '-r', 'rules/default.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('points at an unknown field inside a multi-line condition, compiler style', () => {
    const file = ruleFile(
      [
        '- rule: Bad field',
        '  desc: d',
        '  condition: >',
        '    evt.type = openat',
        '    and proc.nme = cat',
        '  output: x',
        '  priority: WARNING',
        '',
      ].join('\n'),
    );
    const r = falconet(['validate', '-r', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:5:9: error:`);
    expect(r.stderr).toContain("proc.nme");
    expect(r.stderr).toContain('    and proc.nme = cat\n        ^~~~~~~~');
    expect(r.stdout).toContain('failed');
  });

  it('reports a type error the compiler finds at the value', () => {
    const file = ruleFile('- rule: Bad port\n  desc: d\n  condition: evt.type = connect and fd.sport = http\n  output: x\n  priority: NOTICE\n');
    const r = falconet(['validate', '-r', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:3:\\d+: error: .*http`));
  });

  it('warns, once, where evt.res is compared with a number, which never matches', () => {
    const file = ruleFile(
      '- macro: succeeded\n  condition: evt.res = 0\n' +
        ['A', 'B'].map((n) => `- rule: ${n}\n  desc: d\n  condition: evt.type = openat and succeeded\n  output: x\n  priority: INFO\n`).join(''),
    );
    const r = falconet(['validate', '-r', file]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning: evt\.res is SUCCESS or an errno name/g)).toHaveLength(1);
    expect(r.stderr).toContain(`${file}:2:14: warning:`);
  });

  it('reports malformed YAML with its position', () => {
    const file = ruleFile('- rule: x\n  desc: [unclosed\n');
    const r = falconet(['validate', '-r', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file}:\\d+:\\d+: error: `));
  });
});

describe('falconet list-fields and list-rules', () => {
  it('lists fields from the registry, including the ones Falco rules use', () => {
    const r = falconet(['list-fields', '--json']);
    expect(r.code).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((f) => f.name);
    for (const f of ['evt.type', 'proc.name', 'proc.aname', 'fd.name', 'container.id', 'k8s.ns.name', 'user.loginuid']) expect(names).toContain(f);
  });

  it('lists rules with the event types derived from their conditions', () => {
    const r = falconet(['list-rules', '--json', '-r', `${COMPAT}/falco_rules.yaml`]);
    const rules = JSON.parse(r.stdout) as { rule: string; evttypes: string[] | 'all' }[];
    expect(rules.find((x) => x.rule === 'Terminal shell in container')?.evttypes).toEqual(['execve', 'execveat']);
  });
});
