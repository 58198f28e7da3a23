import { describe, expect, it } from 'vitest';
import type { RuleItem } from './items.js';
import { readRuleFile } from './reader.js';

/** `code@line:col` of every diagnostic, for compact exact assertions. */
function where(text: string): string[] {
  return readRuleFile('r.yaml', text).diagnostics.map((d) => `${d.severity}:${d.code}@${d.pos.line}:${d.pos.col}`);
}

const RULE = (extra = ''): string =>
  `- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o %proc.name\n  priority: INFO\n${extra}`;

describe('reader: shape errors are positioned at the offending node', () => {
  it.each([
    ['unterminated flow sequence', '- list: a\n  items: [x, y\n- list: b\n  items: []\n', ['error:yaml-syntax@3:1']],
    ['key indented under a value', '- rule: x\n   desc: y\n  output: z\n', ['error:yaml-syntax@1:9', 'error:yaml-syntax@1:9']],
    ['top level is a mapping', 'rule: x\ndesc: y\n', ['error:not-a-sequence@1:1']],
    ['item is a string', '- just a string\n', ['error:not-a-mapping@1:3']],
    ['unknown item kind', '- rulez: x\n', ['warning:unknown-item@1:3']],
    ['unknown rule key', RULE('  condtion: x\n'), ['warning:unknown-key@6:3']],
    ['unknown list key', '- list: a\n  items: [x]\n  itemz: [y]\n', ['warning:unknown-key@3:3']],
    ['bad priority', RULE().replace('INFO', 'LOUD'), ['error:bad-priority@5:13']],
    ['items not a list', '- list: a\n  items: x\n', ['error:bad-value@2:10']],
    ['enabled not a bool', RULE('  enabled: maybe\n'), ['error:bad-value@6:12']],
    ['tags not a list', RULE('  tags: a\n'), ['error:bad-value@6:9']],
    ['condition not a string', '- macro: m\n  condition: [a]\n', ['error:bad-value@2:14']],
    ['missing output and priority', '- rule: R\n  desc: d\n  condition: evt.type=open\n', ['error:missing-key@1:9']],
    ['macro without condition', '- macro: m\n', ['error:missing-key@1:10']],
    ['list without items', '- list: l\n', ['error:missing-key@1:9']],
    ['bad macro name', '- macro: my-macro\n  condition: a\n', ['error:bad-name@1:10']],
    ['append and override together', '- list: a\n  items: [x]\n  append: true\n  override:\n    items: append\n', ['error:append-and-override@1:9']],
    ['override of a non-overridable key', '- rule: R\n  priority: INFO\n  override:\n    priority: append\n', ['error:bad-override@4:5']],
    ['override mode not append/replace', '- macro: m\n  condition: a\n  override:\n    condition: merge\n', ['error:bad-override@4:16']],
    ['key without override entry', '- rule: R\n  condition: a\n  output: b\n  override:\n    condition: append\n', ['error:bad-override@3:3']],
    ['unknown plugin is not a read error', '- required_plugin_versions:\n    - name: k8saudit\n      version: 0.1.0\n', []],
    ['bad engine version', '- required_engine_version: latest\n', ['error:bad-value@1:28']],
    ['exception without name', RULE('  exceptions:\n    - fields: [proc.name]\n'), ['error:bad-value@7:7', 'error:missing-key@7:7']],
    ['unknown exception key', RULE('  exceptions:\n    - name: e\n      field: proc.name\n'), ['error:unknown-key@8:7', 'error:missing-key@7:13']],
    ['INFO and lower case are priorities', RULE().replace('INFO', 'notice'), []],
  ])('%s', (_name, text, expected) => {
    expect(where(text)).toEqual(expected);
  });
});

describe('reader: items', () => {
  it('reads a full rule with its keys and types', () => {
    const { items, diagnostics } = readRuleFile('r.yaml', RULE('  enabled: false\n  tags: [a, b]\n  warn_evttypes: False\n  skip-if-unknown-filter: yes\n  source: syscall\n'));
    expect(diagnostics).toEqual([]);
    const r = items[0] as RuleItem;
    expect(r).toMatchObject({ kind: 'rule', name: 'R', mode: 'define' });
    expect(r.fields).toMatchObject({ priority: 'INFORMATIONAL', enabled: false, tags: ['a', 'b'], warnEvttypes: false, skipIfUnknownFilter: true, source: 'syscall' });
    expect(r.fields.condition?.value).toBe('evt.type=open');
  });

  it('tells define, enable, append and override apart', () => {
    const text = `${RULE()}- rule: R\n  enabled: false\n- rule: R\n  condition: and x\n  append: true\n- rule: R\n  condition: and y\n  priority: debug\n  override:\n    condition: append\n    priority: replace\n`;
    const { items, diagnostics } = readRuleFile('r.yaml', text);
    expect(items.map((i) => (i as RuleItem).mode)).toEqual(['define', 'enable', 'append', 'override']);
    expect(diagnostics.map((d) => d.code)).toEqual(['deprecated-enabled', 'deprecated-append']);
    expect([...(items[3] as RuleItem).overrides]).toEqual([['condition', 'append'], ['priority', 'replace']]);
  });

  it('keeps scalars as written (failsafe schema): versions, numbers, quoted items', () => {
    const { items } = readRuleFile('r.yaml', `- required_engine_version: 0.57.0\n- list: l\n  items: [1.10, '"(systemd)"', "a b", 007]\n`);
    expect(items[0]).toMatchObject({ kind: 'required_engine_version', version: '0.57.0' });
    expect(items[1]).toMatchObject({ kind: 'list', items: [{ value: '1.10' }, { value: '"(systemd)"' }, { value: 'a b' }, { value: '007' }] });
  });

  it('reads plugin requirements with alternatives', () => {
    const { items } = readRuleFile('r.yaml', '- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n    alternatives:\n      - name: other\n        version: 1.0.0\n');
    expect(items[0]).toMatchObject({ kind: 'required_plugin_versions', requirements: [{ names: ['container', 'other'], version: '0.4.0' }] });
  });

  it('skips empty documents and null entries', () => {
    expect(readRuleFile('r.yaml', '# only a comment\n').items).toEqual([]);
    expect(readRuleFile('r.yaml', '-\n- list: a\n  items: []\n').items).toHaveLength(1);
  });
});

describe('reader: offsets inside strings map to the file', () => {
  const at = (text: string, needle: string, key = 'condition'): string => {
    const item = readRuleFile('r.yaml', text).items[0] as { condition?: { src: { text: string; locate(o: number): { line: number; col: number } } } };
    const src = key === 'condition' ? item.condition!.src : item.condition!.src;
    const { line, col } = src.locate(src.text.indexOf(needle));
    return `${line}:${col}`;
  };
  it.each([
    ['plain one line', '- macro: m\n  condition: a and bb\n', 'bb', '2:20'],
    ['plain folded over lines', '- macro: m\n  condition: a and\n    bb or\n      cc\n', 'cc', '4:7'],
    ['folded block', '- macro: m\n  condition: >\n    a and\n    bb and\n      cc\n', 'cc', '5:7'],
    ['folded block, keep chomping', '- macro: m\n  condition: >+\n    a and\n\n    bb\n', 'bb', '5:5'],
    ['literal block', '- macro: m\n  condition: |\n    a and\n    bb\n', 'bb', '4:5'],
    ['block with indentation indicator', '- macro: m\n  condition: |2\n     a and\n     bb\n', 'bb', '4:6'],
    ['single quoted with doubled quote', "- macro: m\n  condition: 'a = ''x'' and bb'\n", 'bb', '2:29'],
    ['double quoted without escapes', '- macro: m\n  condition: "a and\n    bb"\n', 'bb', '3:5'],
    ['double quoted with escapes falls back to the scalar start', '- macro: m\n  condition: "a = \\"x\\" and bb"\n', 'bb', '2:14'],
  ])('%s', (_name, text, needle, expected) => {
    expect(at(text, needle)).toBe(expected);
  });
});
