import { describe, expect, it } from 'vitest';
import { parseCondition } from '../rules/grammar/index.js';
import type { LoadedRule, Priority } from '../rules/types.js';
import { compileRuleset } from '../rules/compiler/index.js';
import { buildAlert, DEFAULT_RENDER, Rendered } from '../outputs/index.js';
import { context, event, fileFd } from './fields/fixtures.js';
import { fieldRegistry } from './fields/index.js';
import type { RulesetRule } from './ruleset.js';

const ctx = context();

function rule(name: string, condition: string, evttypes: string[] | 'all', over: Partial<LoadedRule> = {}): LoadedRule {
  return {
    name, desc: name, condition: parseCondition(condition), conditionText: condition, output: `${name} | proc=%proc.name`,
    priority: 'NOTICE', enabled: true, tags: [], source: 'syscall', evttypes: evttypes === 'all' ? 'all' : new Set(evttypes),
    skipIfUnknownFilter: false, warnEvttypes: true, pos: { file: 'r.yaml', line: 1, col: 1 }, ...over,
  };
}

const RULES = [
  rule('shell', 'evt.type = execve and proc.name = curl', ['execve'], { tags: ['process'], priority: 'WARNING' }),
  rule('any curl', 'proc.name = curl', 'all', { priority: 'DEBUG' }),
  rule('shadow', 'evt.type = openat and fd.name = /etc/shadow', ['openat'], { tags: ['filesystem'], priority: 'ERROR' }),
  rule('off', 'proc.name = curl', ['execve'], { enabled: false }),
];

function matches(rs: ReturnType<typeof compileRuleset>['ruleset'], evt = event()): string[] {
  const out: string[] = [];
  rs.evaluate(evt, ctx, (r) => out.push(r.name));
  return out;
}

describe('Ruleset', () => {
  it('indexes rules by event type; rules without a type meet every event', () => {
    const { ruleset, errors } = compileRuleset(RULES, fieldRegistry);
    expect(errors).toEqual([]);
    expect(ruleset.candidates('execve').map((r) => r.name)).toEqual(['shell', 'any curl']);
    expect(ruleset.candidates('openat').map((r) => r.name)).toEqual(['any curl', 'shadow']);
    expect(ruleset.candidates('connect').map((r) => r.name)).toEqual(['any curl']);
  });

  it("emits the first match by default (Falco's rule_matching: first), every match with 'all'", () => {
    expect(matches(compileRuleset(RULES, fieldRegistry).ruleset)).toEqual(['shell']);
    expect(matches(compileRuleset(RULES, fieldRegistry, { matching: 'all' }).ruleset)).toEqual(['shell', 'any curl']);
  });

  it('enables and disables by name and tag', () => {
    const { ruleset } = compileRuleset(RULES, fieldRegistry, { matching: 'all' });
    expect(ruleset.setEnabled({ tag: 'process' }, false)).toBe(1);
    expect(matches(ruleset)).toEqual(['any curl']);
    ruleset.setEnabled({ name: 'off' }, true);
    expect(matches(ruleset)).toEqual(['any curl', 'off']);
    expect(ruleset.isEnabled('off')).toBe(true);
    expect(ruleset.setEnabled({ name: 's*' }, false)).toBe(2);
    expect(ruleset.isEnabled('shadow')).toBe(false);
  });

  it('applies a minimum priority', () => {
    const { ruleset } = compileRuleset(RULES, fieldRegistry, { matching: 'all', minPriority: 'WARNING' as Priority });
    expect(matches(ruleset)).toEqual(['shell']);
    ruleset.setMinimumPriority('DEBUG');
    expect(matches(ruleset)).toEqual(['shell', 'any curl']);
    const open = event({ type: 'openat', res: 3, args: { name: '/etc/shadow', flags: 0 }, fd: fileFd('/etc/shadow') });
    ruleset.setMinimumPriority('ERROR');
    expect(matches(ruleset, open)).toEqual(['shadow']);
  });

  it('reports rules that do not compile, and skips unknown fields when the rule asks to', () => {
    const bad = [
      rule('bad', 'proc.tty = abc', 'all'),
      rule('skip', 'proc.newfield = 1', 'all', { skipIfUnknownFilter: true }),
      rule('bad output', 'proc.name = x', 'all', { output: 'x=%proc.nope' }),
    ];
    const { ruleset, errors } = compileRuleset(bad, fieldRegistry);
    expect(errors.map((e) => [e.rule, e.code])).toEqual([['bad', 'bad-value'], ['bad output', 'unknown-field']]);
    expect(ruleset.rules()).toEqual([]);
  });
});

describe('alerts', () => {
  const { ruleset } = compileRuleset(RULES, fieldRegistry);
  const shell = ruleset.rules()[0] as RulesetRule;
  const alert = buildAlert(shell, event(), ctx);

  it("has Falco's json_output shape", () => {
    expect(alert).toEqual({
      ts: 1_700_000_005_123_456_789n,
      time: '2023-11-14T22:13:25.123456789Z',
      rule: 'shell',
      priority: 'Warning',
      message: 'shell | proc=curl',
      output_fields: { 'evt.time': 1_700_000_005_123_456_789n, 'proc.name': 'curl' },
      tags: ['process'],
      source: 'syscall',
      hostname: 'node-1',
    });
  });

  it('prints the plain-text line and exact JSON', () => {
    expect(new Rendered(alert, DEFAULT_RENDER).text).toBe('22:13:25.123456789: Warning shell | proc=curl');
    const json = new Rendered(alert, DEFAULT_RENDER).json;
    expect(json).toContain('"evt.time":1700000005123456789');
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  });

  it('writes null for fields that are not available', () => {
    const r = compileRuleset([rule('f', 'proc.name = curl', 'all', { output: 'f=%fd.name' })], fieldRegistry).ruleset.rules()[0]!;
    expect(buildAlert(r, event(), ctx).output_fields['fd.name']).toBeNull();
    expect(new Rendered(buildAlert(r, event(), ctx), DEFAULT_RENDER).text).toMatch(/Notice f=<NA>$/);
  });
});
