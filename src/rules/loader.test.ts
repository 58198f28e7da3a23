import { describe, expect, it } from 'vitest';
import { show, testCatalog } from '../../test/fixtures/rules/catalog.js';
import { loadRules, type LoadResult } from './loader.js';

const load = (...texts: string[]): LoadResult =>
  loadRules(texts.map((text, i) => ({ name: `f${i + 1}.yaml`, text })), { fields: testCatalog });

/** `severity:code@file:line:col` of every diagnostic, warnings about unused items left out unless asked. */
function where(r: LoadResult, withUnused = false): string[] {
  return r.diagnostics
    .filter((d) => withUnused || !d.code.startsWith('unused-'))
    .map((d) => `${d.severity}:${d.code}@${d.pos.file}:${d.pos.line}:${d.pos.col}`);
}

const rule = (name: string, condition: string, extra = ''): string =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "o %proc.name"\n  priority: INFO\n${extra}`;

const cond = (r: LoadResult, name: string): string => show(r.rules.find((x) => x.name === name)!.condition);

describe('loader: positions inside conditions', () => {
  it('points an undefined macro at its line:col inside a folded multi-line condition', () => {
    const r = load(
      [
        '- rule: R', //                       1
        '  desc: d', //                       2
        '  condition: >', //                  3
        '    evt.type = open', //             4
        '    and proc.name = x', //           5
        '    and not nosuch_macro', //        6: the name starts at column 13
        '  output: o',
        '  priority: INFO',
      ].join('\n'),
    );
    expect(where(r)).toEqual(['error:undefined-macro@f1.yaml:6:13']);
    expect(r.diagnostics[0]).toMatchObject({ length: 12, sourceLine: '    and not nosuch_macro', item: { kind: 'rule', name: 'R' } });
    expect(r.ok).toBe(false);
    expect(r.notLoaded.map((n) => n.name)).toEqual(['R']);
  });

  it.each([
    ['syntax error at the token', rule('R', 'evt.type = open and and x'), ['error:condition-syntax@f1.yaml:3:34']],
    ['unknown field in a rule', rule('R', 'evt.type = open and proc.nam = x'), ['error:unknown-field@f1.yaml:3:34']],
    ['unknown field in a macro is reported in the macro, once', `- macro: m\n  condition: proc.nme = x\n${rule('A', 'evt.type=open and m')}${rule('B', 'evt.type=open and m')}`, ['error:unknown-field@f1.yaml:2:14']],
    ['field argument where none is taken', rule('R', 'evt.type = open and proc.name[1] = x'), ['error:field-arg@f1.yaml:3:34']],
    ['index that is not a number', rule('R', 'evt.type = open and proc.aname[x] = y'), ['error:field-arg@f1.yaml:3:34']],
    ['evt.arg.NAME and proc.aname[N] are fine', rule('R', 'evt.type = open and evt.arg.flags contains X and proc.aname[2] = y'), []],
    ['undefined list after in', rule('R', 'evt.type = open and proc.name in nolist'), ['error:undefined-list@f1.yaml:3:47']],
    ['unknown output field', rule('R', 'evt.type = open').replace('"o %proc.name"', '"o %proc.name %fd.nam"'), ['error:unknown-output-field@f1.yaml:4:25']],
    ['%container.info is deprecated, not an error', rule('R', 'evt.type = open').replace('"o %proc.name"', '"o %container.info"'), ['warning:deprecated-field@f1.yaml:4:14']],
    ['no evt.type restriction warns', rule('R', 'proc.name = x'), ['warning:no-evttype@f1.yaml:1:9']],
    ['warn_evttypes: false silences it', rule('R', 'proc.name = x', '  warn_evttypes: false\n'), []],
    ['skip-if-unknown-filter turns unknown fields into a warning', rule('R', 'evt.type = open and fd.newfield = 1', '  skip-if-unknown-filter: true\n'), ['warning:unknown-field@f1.yaml:3:34']],
    ['macros see only earlier macros', `- macro: a\n  condition: b\n- macro: b\n  condition: evt.type = open\n${rule('R', 'a')}`, ['error:undefined-macro@f1.yaml:2:14', 'error:broken-macro@f1.yaml:5:9']],
    ['rules see every macro, even later ones', `${rule('R', 'm')}- macro: m\n  condition: evt.type = open\n`, []],
    ['unknown source is skipped with a warning', rule('R', 'ka.verb = get', '  source: k8s_audit\n'), ['warning:unknown-source@f1.yaml:1:9']],
    ['container plugin requirement is met', '- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n', []],
    ['other plugin requirement warns', '- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n', ['warning:unknown-plugin@f1.yaml:2:11']],
  ])('%s', (_name, text, expected) => {
    expect(where(load(text))).toEqual(expected);
  });

  it('skips a rule with skip-if-unknown-filter without failing the load', () => {
    const r = load(rule('R', 'evt.type = open and fd.newfield = 1', '  skip-if-unknown-filter: true\n'));
    expect(r.ok).toBe(true);
    expect(r.rules).toEqual([]);
    expect(r.notLoaded[0]?.reasons.map((d) => d.code)).toEqual(['unknown-field']);
  });
});

describe('loader: append and override across files', () => {
  const base = `- list: procs\n  items: [a, b]\n- macro: opened\n  condition: evt.type = open\n${rule('R', 'opened and proc.name in (procs)', '  tags: [t1]\n')}`;

  it.each([
    ['list legacy append', '- list: procs\n  items: [c]\n  append: true\n', '(evt.type = open and proc.name in (a, b, c))'],
    ['list override append', '- list: procs\n  items: [c]\n  override:\n    items: append\n', '(evt.type = open and proc.name in (a, b, c))'],
    ['list override replace', '- list: procs\n  items: [z]\n  override:\n    items: replace\n', '(evt.type = open and proc.name in (z))'],
    ['list redefinition replaces', '- list: procs\n  items: [y]\n', '(evt.type = open and proc.name in (y))'],
    ['macro append joins with a space', '- macro: opened\n  condition: or evt.type = openat\n  override:\n    condition: append\n', '((evt.type = open or evt.type = openat) and proc.name in (a, b))'],
    ['macro replace', '- macro: opened\n  condition: evt.type = close\n  override:\n    condition: replace\n', '(evt.type = close and proc.name in (a, b))'],
    ['rule legacy append', '- rule: R\n  condition: and not user.name = root\n  append: true\n', '((evt.type = open and proc.name in (a, b)) and not user.name = root)'],
    ['rule override condition append', '- rule: R\n  condition: and fd.name = x\n  override:\n    condition: append\n', '((evt.type = open and proc.name in (a, b)) and fd.name = x)'],
    ['rule override condition replace', '- rule: R\n  condition: evt.type = close\n  override:\n    condition: replace\n', 'evt.type = close'],
  ])('%s', (_name, local, expected) => {
    const r = load(base, local);
    expect(where(r).filter((w) => !w.startsWith('warning:deprecated'))).toEqual([]);
    expect(cond(r, 'R')).toBe(expected);
  });

  it('overrides output, priority, tags, desc and enabled per key', () => {
    const local = `- rule: R\n  output: new %user.name\n  priority: debug\n  tags: [t2, t1]\n  desc: more\n  enabled: false\n  override:\n    output: replace\n    priority: replace\n    tags: append\n    desc: append\n    enabled: replace\n`;
    const r = load(base, local);
    expect(where(r)).toEqual([]);
    expect(r.rules[0]).toMatchObject({ output: 'new %user.name', priority: 'DEBUG', tags: ['t1', 't2'], desc: 'd more', enabled: false });
  });

  it('a later file enables or disables a rule with only enabled:', () => {
    const off = load(base, '- rule: R\n  enabled: false\n');
    expect(off.rules[0]?.enabled).toBe(false);
    expect(where(off)).toEqual(['warning:deprecated-enabled@f2.yaml:1:9']);
    const on = load(base.replace('tags: [t1]', 'tags: [t1]\n  enabled: false'), '- rule: R\n  enabled: true\n  override:\n    enabled: replace\n');
    expect(on.rules[0]?.enabled).toBe(true);
  });

  it('a redefinition replaces the rule but keeps its place in the order', () => {
    const r = load(`${base}${rule('S', 'evt.type = close')}`, rule('R', 'evt.type = openat'));
    expect(r.rules.map((x) => [x.name, show(x.condition)])).toEqual([['R', 'evt.type = openat'], ['S', 'evt.type = close']]);
  });

  it.each([
    ['append to an undefined list', '- list: nope\n  items: [x]\n  append: true\n', 'error:undefined-append@f2.yaml:1:9'],
    ['append to an undefined macro', '- macro: nope\n  condition: x\n  override:\n    condition: append\n', 'error:undefined-append@f2.yaml:1:10'],
    ['append to an undefined rule', '- rule: Nope\n  condition: and x\n  append: true\n', 'error:undefined-append@f2.yaml:1:9'],
    ['override an undefined rule', '- rule: Nope\n  priority: info\n  override:\n    priority: replace\n', 'error:undefined-append@f2.yaml:1:9'],
    ['enable an undefined rule', '- rule: Nope\n  enabled: false\n', 'error:undefined-append@f2.yaml:1:9'],
  ])('%s is an error (as in Falco)', (_name, local, expected) => {
    const r = load(base, local);
    expect(where(r).filter((w) => !w.startsWith('warning:deprecated'))).toEqual([expected]);
  });

  it('positions an error in an appended condition in the file that appended it', () => {
    const r = load(base, '# local\n- rule: R\n  condition: >\n    and not\n      nosuch\n  append: true\n');
    expect(where(r)).toEqual(['warning:deprecated-append@f2.yaml:2:9', 'error:undefined-macro@f2.yaml:5:7']);
    expect(r.diagnostics[1]?.sourceLine).toBe('      nosuch');
  });

  it('flattens lists named inside lists, only when defined earlier', () => {
    const r = load('- list: a\n  items: [x, y]\n- list: b\n  items: [a, z, c]\n- list: c\n  items: [w]\n');
    expect(r.lists.get('b')).toEqual(['x', 'y', 'z', 'c']);
  });
});

describe('loader: exceptions', () => {
  const withEx = (ex: string, head = ''): string => `${head}${rule('R', 'evt.type = open', `  exceptions:\n${ex}`)}`;

  it.each([
    ['tuples, default comps =', '    - name: e\n      fields: [proc.name, fd.name]\n      values:\n        - [a, /x]\n        - [b, /y]\n',
      '(evt.type = open and not ((proc.name = a and fd.name = /x) or (proc.name = b and fd.name = /y)))'],
    ['comps with in and an inline list', '    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n        - [dpkg, [/usr/bin, /bin]]\n',
      '(evt.type = open and not (proc.name = dpkg and fd.name in (/usr/bin, /bin)))'],
    ['a list name as a tuple value under in', '    - name: e\n      fields: [proc.name, fd.name]\n      comps: [in, startswith]\n      values:\n        - [procs, /tmp]\n',
      '(evt.type = open and not (proc.name in (a, b) and fd.name startswith /tmp))'],
    ['single field, default comps in, list name values', '    - name: e\n      fields: proc.name\n      values: [procs, c]\n',
      '(evt.type = open and not proc.name in (a, b, c))'],
    ['single field with pmatch', '    - name: e\n      fields: fd.name\n      comps: pmatch\n      values: [/a, /b]\n',
      '(evt.type = open and not fd.name pmatch (/a, /b))'],
    ['a list name inside a tuple list', '    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n        - [apt, [procs, /bin/cp]]\n',
      '(evt.type = open and not (proc.name = apt and fd.name in (a, b, /bin/cp)))'],
    ['values with spaces are quoted strings', '    - name: e\n      fields: [proc.cmdline]\n      values:\n        - ["sh -c x"]\n',
      '(evt.type = open and not proc.cmdline = sh -c x)'],
    ['each exception adds its own and not', '    - name: e1\n      fields: [proc.name]\n      values: [[a]]\n    - name: e2\n      fields: fd.name\n      values: [/x]\n',
      '((evt.type = open and not proc.name = a) and not fd.name in (/x))'],
    ['an exception without values changes nothing', '    - name: e\n      fields: [proc.name]\n', 'evt.type = open'],
  ])('%s', (_name, ex, expected) => {
    const r = load(withEx(ex, '- list: procs\n  items: [a, b]\n'));
    expect(where(r)).toEqual([]);
    expect(cond(r, 'R')).toBe(expected);
  });

  it.each([
    ['tuple shorter than fields', '    - name: e\n      fields: [proc.name, fd.name]\n      values:\n        - [a]\n', 'error:exception-arity@f1.yaml:10:11'],
    ['comps longer than fields', '    - name: e\n      fields: [proc.name]\n      comps: [=, =]\n      values:\n        - [a]\n', 'error:exception-arity@f1.yaml:9:14'],
    ['not an operator', '    - name: e\n      fields: [proc.name]\n      comps: [like]\n      values:\n        - [a]\n', 'error:bad-exception@f1.yaml:9:15'],
    ['single field with =', '    - name: e\n      fields: proc.name\n      comps: "="\n      values: [a]\n', 'error:bad-exception@f1.yaml:9:14'],
    ['single field given tuples', '    - name: e\n      fields: proc.name\n      values: [[a, b]]\n', 'error:exception-arity@f1.yaml:9:16'],
    ['unknown field, at the field', '    - name: e\n      fields: [proc.name, fd.nme]\n      values:\n        - [a, b]\n', 'error:unknown-field@f1.yaml:8:27'],
  ])('%s', (_name, ex, expected) => {
    expect(where(load(withEx(ex)))).toEqual([expected]);
  });

  it('appends values to an existing exception from a later file (legacy and override)', () => {
    const base = withEx('    - name: e\n      fields: [proc.name, fd.name]\n      values:\n        - [a, /x]\n');
    const legacy = '- rule: R\n  exceptions:\n    - name: e\n      values:\n        - [b, /y]\n  append: true\n';
    const override = '- rule: R\n  exceptions:\n    - name: e\n      values:\n        - [b, /y]\n    - name: n\n      fields: proc.pname\n      values: [sshd]\n  override:\n    exceptions: append\n';
    expect(cond(load(base, legacy), 'R')).toBe('(evt.type = open and not ((proc.name = a and fd.name = /x) or (proc.name = b and fd.name = /y)))');
    expect(cond(load(base, override), 'R')).toBe(
      '((evt.type = open and not ((proc.name = a and fd.name = /x) or (proc.name = b and fd.name = /y))) and not proc.pname in (sshd))',
    );
    const bad = load(base, '- rule: R\n  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: [[c]]\n  append: true\n');
    expect(where(bad)).toContain('error:bad-exception@f2.yaml:3:13');
  });
});

describe('loader: unused lists and macros', () => {
  it('warns about lists and macros nothing uses, counting use by other lists and macros', () => {
    const r = load(
      `- list: inner\n  items: [a]\n- list: outer\n  items: [inner]\n- list: lonely\n  items: [z]\n- macro: used_by_unused\n  condition: proc.name in (outer)\n- macro: unused\n  condition: used_by_unused\n${rule('R', 'evt.type = open')}`,
    );
    expect(where(r, true)).toEqual(['warning:unused-list@f1.yaml:5:9', 'warning:unused-macro@f1.yaml:9:10']);
  });
});

describe('loader: event types', () => {
  it.each([
    ['an unknown event name is an error at the name', rule('R', 'evt.type in (open, opne)'), ['error:unknown-event-type@f1.yaml:3:33']],
    [
      'a rule only on events falconet does not capture loads with warnings, at the rule and at the name',
      rule('R', 'evt.type = page_fault'),
      ['warning:never-matches@f1.yaml:1:9', 'warning:event-type-not-captured@f1.yaml:3:25'],
    ],
    ['a contradiction never matches', rule('R', 'evt.type = open and evt.type = close'), ['warning:never-matches@f1.yaml:1:9']],
  ])('%s', (_name, text, expected) => {
    expect(where(load(text))).toEqual(expected);
  });
});
