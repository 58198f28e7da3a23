// Property: whatever text it is given, loadRules returns; it never throws, and every problem is a
// Diagnostic positioned inside the file it names (so a caret can always be drawn).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { testCatalog } from '../../test/fixtures/rules/catalog.js';
import { formatDiagnostic } from './diagnostics.js';
import { loadRules, type RuleFile } from './loader.js';

const COMPAT = fileURLToPath(new URL('../../../shared/compat/falco_rules.yaml', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/rules/', import.meta.url));
/** A slice of Falco's stable rules (lists, macros, rules with folded conditions) plus our fixtures. */
const SEEDS = [
  readFileSync(COMPAT, 'utf8').split('\n').slice(40, 330).join('\n'),
  readFileSync(FIXTURES + 'base.yaml', 'utf8'),
  readFileSync(FIXTURES + 'broken-local.yaml', 'utf8'),
];

const SNIPPETS = [
  ':', '-', '- ', '[', ']', '{', '}', '"', "'", '>', '|', '\n', '  ', '\t', '#', '%', '%proc.', '(', ')', ',', '\\',
  'and', ' or ', 'not ', 'in (', 'evt.type', '=', ' exists', 'proc.aname[', '&a ', '*a', '!!str ', '---\n', '...\n',
  'override:\n    condition: append\n', 'append: true\n', 'enabled: false\n', 'exceptions:\n  - name: e\n    values: [[a]]\n',
  'é', '\u2028', '\r\n', '\u0000',
];

type Mutation = { at: number; kind: 'delete' | 'insert' | 'dupline' | 'swap'; len: number; snippet: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete' as const, 'insert' as const, 'dupline' as const, 'swap' as const),
  len: fc.integer({ min: 1, max: 40 }),
  snippet: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })),
});

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'insert':
      return text.slice(0, at) + m.snippet + text.slice(at);
    case 'dupline':
    case 'swap': {
      const lines = text.split('\n');
      const i = at % Math.max(1, lines.length);
      const j = (i + m.len) % Math.max(1, lines.length);
      if (m.kind === 'dupline') lines.splice(i, 0, lines[i] ?? '');
      else [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
  }
}

const mutatedFile = fc
  .tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([seed, ms]) => ms.reduce(mutate, SEEDS[seed]!));

/** Random items with known and unknown keys and values of every YAML shape. */
const scalar = fc.constantFrom('x', 'evt.type = open', 'proc.name in (a, b)', 'm and not n', 'INFO', 'true', '%proc.name', '', 'a: b', '[x]', 'evt.type in (', 'proc.aname[2] = x');
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('name', 'fields', 'comps', 'values', 'items', 'condition'), tie('v'), { maxKeys: 3 })),
})).v;
const KEYS = ['rule', 'macro', 'list', 'desc', 'condition', 'output', 'priority', 'items', 'enabled', 'tags', 'append', 'override', 'exceptions', 'source', 'warn_evttypes', 'skip-if-unknown-filter', 'required_engine_version', 'required_plugin_versions', 'bogus'];
const randomFile = fc
  .tuple(fc.array(fc.dictionary(fc.constantFrom(...KEYS), value, { minKeys: 1, maxKeys: 6 }), { maxLength: 8 }), fc.boolean())
  .map(([items, block]) => (block ? stringify(items) : JSON.stringify(items, null, 1)));

function checkPositions(files: RuleFile[]): void {
  const r = loadRules(files, { fields: testCatalog });
  const lines = new Map(files.map((f) => [f.name, f.text.split(/\r?\n/)]));
  expect(r.ok).toBe(!r.diagnostics.some((d) => d.severity === 'error'));
  for (const d of r.diagnostics) {
    expect(d.code).not.toBe('internal-error');
    const fileLines = lines.get(d.pos.file);
    expect(fileLines, `diagnostic names an unknown file: ${formatDiagnostic(d)}`).toBeDefined();
    expect(d.pos.line).toBeGreaterThanOrEqual(1);
    expect(d.pos.col).toBeGreaterThanOrEqual(1);
    const shown = `${d.pos.file}:${d.pos.line}:${d.pos.col} ${d.code} ${d.message}`;
    expect(d.pos.line, shown).toBeLessThanOrEqual(fileLines!.length);
    expect(d.pos.col, shown).toBeLessThanOrEqual((fileLines![d.pos.line - 1] ?? '').length + 1);
    expect(typeof formatDiagnostic(d)).toBe('string');
  }
}

describe('loadRules never crashes', () => {
  it('on mutated rule files, loaded after an intact one', () => {
    fc.assert(
      fc.property(mutatedFile, (text) => {
        checkPositions([{ name: 'base.yaml', text: SEEDS[1]! }, { name: 'local.yaml', text }]);
      }),
      { numRuns: 300 },
    );

  });

  it('on random items of any shape', () => {
    fc.assert(
      fc.property(randomFile, (text) => {
        checkPositions([{ name: 'r.yaml', text }]);
      }),
      { numRuns: 300 },
    );
  });
});
