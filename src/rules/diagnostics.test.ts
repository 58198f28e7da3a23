import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testCatalog } from '../../test/fixtures/rules/catalog.js';
import { formatDiagnostic, formatReport, sortDiagnostics, summarizeDiagnostics } from './diagnostics.js';
import { loadRules } from './loader.js';
import type { Diagnostic } from './types.js';

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  severity: 'error',
  code: 'x',
  message: 'm',
  pos: { file: 'a.yaml', line: 3, col: 5 },
  ...over,
});

describe('formatDiagnostic', () => {
  it.each([
    ['header only without a source line', d({}), 'a.yaml:3:5: error: m'],
    ['caret and underline', d({ sourceLine: '  x: foo bar', length: 3, pos: { file: 'a.yaml', line: 3, col: 6 } }), 'a.yaml:3:6: error: m\n  x: foo bar\n     ^~~'],
    ['underline stops at the end of the line', d({ sourceLine: 'ab', length: 10, pos: { file: 'a.yaml', line: 1, col: 2 } }), 'a.yaml:1:2: error: m\nab\n ^'],
    ['tabs are kept so the caret lines up', d({ sourceLine: '\tx', length: 1, pos: { file: 'a.yaml', line: 1, col: 2 } }), 'a.yaml:1:2: error: m\n\tx\n\t^'],
    ['names the item when the message does not', d({ severity: 'warning', item: { kind: 'macro', name: 'm1' } }), "a.yaml:3:5: warning: m (in macro 'm1')"],
    ['does not repeat a name the message has', d({ message: "rule 'R' bad", item: { kind: 'rule', name: 'R' } }), "a.yaml:3:5: error: rule 'R' bad"],
  ])('%s', (_name, diag, expected) => {
    expect(formatDiagnostic(diag)).toBe(expected);
  });

  it('summarizes counts', () => {
    expect(summarizeDiagnostics([])).toBe('no problems');
    expect(summarizeDiagnostics([d({}), d({}), d({ severity: 'warning' })])).toBe('2 errors, 1 warning');
    expect(summarizeDiagnostics([d({ severity: 'warning' })])).toBe('1 warning');
  });

  it('sorts by file order, line and column', () => {
    const sorted = sortDiagnostics(
      [d({ pos: { file: 'b', line: 1, col: 1 } }), d({ pos: { file: 'a', line: 2, col: 1 } }), d({ pos: { file: 'a', line: 1, col: 9 } })],
      ['a', 'b'],
    );
    expect(sorted.map((x) => `${x.pos.file}:${x.pos.line}:${x.pos.col}`)).toEqual(['a:1:9', 'a:2:1', 'b:1:1']);
  });
});

describe('the report a user sees for a broken local rules file', () => {
  const dir = fileURLToPath(new URL('../../test/fixtures/rules/', import.meta.url));
  const file = (name: string): { name: string; text: string } => ({ name, text: readFileSync(dir + name, 'utf8') });

  it('matches the golden report', () => {
    const r = loadRules([file('base.yaml'), file('broken-local.yaml')], { fields: testCatalog });
    expect(formatReport(r.diagnostics) + '\n').toBe(readFileSync(dir + 'broken-local.report.txt', 'utf8'));
  });
});
