import { describe, expect, it } from 'vitest';
import { parseCondition } from './index.js';
import { loadCompatItems } from './testing/load.js';

describe("Falco's public rule files", () => {
  const conditions = loadCompatItems().filter((c) => c.condition !== undefined);

  it('has the conditions we expect to test against', () => {
    expect(conditions.filter((c) => c.kind === 'rule').length).toBeGreaterThan(80);
    expect(conditions.filter((c) => c.kind === 'macro').length).toBeGreaterThan(200);
  });

  it.each(conditions.map((c) => [`${c.file} ${c.kind} ${c.name}`, c.condition ?? ''] as const))('%s parses', (_, text) => {
    expect(() => parseCondition(text)).not.toThrow();
  });

  it('reads the spawned_process macro as Falco does', () => {
    const macro = conditions.find((c) => c.kind === 'macro' && c.name === 'spawned_process');
    expect(macro?.condition).toBeDefined();
    const e = parseCondition(macro?.condition ?? '');
    expect(e).toMatchObject({ kind: 'compare', field: { name: 'evt.type' }, op: 'in', value: { kind: 'list' } });
  });
});
