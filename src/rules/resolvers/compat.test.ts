import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { loadCompatItems } from '../grammar/testing/load.js';
import { resolveEvttypes } from './evttypes.js';
import { foldConstants } from './fold.js';
import { resolveLists } from './lists.js';
import { resolveMacros } from './macros.js';

// The three files loaded together, later definitions replacing earlier ones, as Falco does when
// given them in this order.
const items = loadCompatItems();
const lists = new Map(items.filter((i) => i.kind === 'list').map((i) => [i.name, i.items ?? []]));
const macros = new Map<string, Expr>(
  items.filter((i) => i.kind === 'macro').map((i) => [i.name, parseCondition(i.condition ?? '')]),
);
const rules = items.filter((i) => i.kind === 'rule');

function resolveRule(condition: string) {
  const m = resolveMacros(parseCondition(condition), macros);
  const l = resolveLists(m.expr, lists);
  const expr = foldConstants(l.expr);
  return { expr, errors: [...m.errors, ...l.errors], evttypes: resolveEvttypes(expr), macros: m.used, lists: l.used };
}

describe("resolvers on Falco's public rules", () => {
  it.each(rules.map((r) => [`${r.file} ${r.name}`, r.condition ?? ''] as const))('%s resolves', (_, condition) => {
    const r = resolveRule(condition);
    expect(r.errors).toEqual([]);
    // Every Falco rule restricts evt.type; otherwise Falco would warn about it.
    expect(r.evttypes).not.toBe('all');
  });

  it('derives the event types of well-known rules', () => {
    const of = (name: string) => {
      const rule = rules.find((r) => r.name === name);
      const types = resolveRule(rule?.condition ?? '').evttypes;
      return types === 'all' ? 'all' : [...types].sort();
    };
    expect(of('Terminal shell in container')).toEqual(['execve', 'execveat']);
    expect(of('Read sensitive file untrusted')).toEqual(['open', 'openat', 'openat2']);
    expect(of('PTRACE attached to process')).toEqual(['ptrace']);
  });

  it('reports the macros and lists a rule uses', () => {
    const rule = rules.find((r) => r.name === 'Terminal shell in container');
    const r = resolveRule(rule?.condition ?? '');
    expect(r.macros.has('spawned_process')).toBe(true);
    expect(r.lists.has('shell_binaries')).toBe(true);
  });
});
