// Falco's rule-loading cases where it refuses a file or loads it with a warning, and falconet must
// do the same: each case is a rules file, what Falco does with it, and the diagnostics falconet
// gives (severity:code@line:col). Written from Falco's loader behaviour (its reader, collector and
// engine unit tests), not copied from them.

import { describe, expect, it } from 'vitest';
import { testCatalog } from '../../test/fixtures/rules/catalog.js';
import { formatReport } from './diagnostics.js';
import { parseEngineVersion } from './engine-version.js';
import { loadRules, type LoadOptions, type LoadResult } from './loader.js';

const load = (text: string, opts: Partial<LoadOptions> = {}): LoadResult =>
  loadRules([{ name: 'r.yaml', text }], { fields: testCatalog, ...opts });

const where = (r: LoadResult): string[] =>
  r.diagnostics.filter((d) => !d.code.startsWith('unused-')).map((d) => `${d.severity}:${d.code}@${d.pos.line}:${d.pos.col}`);

/** A complete rule R, its condition on line 3 (col 14) and output on line 4 (col 11). */
const RULE = (extra = '', condition = 'evt.type = open', output = 'o %proc.name'): string =>
  `- rule: R\n  desc: d\n  condition: ${condition}\n  output: ${output}\n  priority: INFO\n${extra}`;

describe('Falco refuses these files: errors, positioned', () => {
  it.each([
    ['an output naming an unknown field', RULE('', 'evt.type = open', 'o %proc.nosuch'), ['error:unknown-output-field@4:13']],
    [
      "an exception whose fields name an unknown field",
      RULE('  exceptions:\n    - name: e\n      fields: [proc.name, proc.nosuch]\n      values: [[a, b]]\n'),
      ['error:unknown-field@8:27'],
    ],
    ['a required_engine_version newer than ours (semver)', `- required_engine_version: 0.99.0\n${RULE()}`, ['error:engine-version@1:28']],
    ['a required_engine_version newer than ours (old integer form)', `- required_engine_version: 99\n${RULE()}`, ['error:engine-version@1:28']],
    ['a required_engine_version of another major version', `- required_engine_version: 1.0.0\n${RULE()}`, ['error:engine-version@1:28']],
    ['a required_engine_version that is no version', `- required_engine_version: seven\n${RULE()}`, ['error:bad-value@1:28']],
    ['a two-part engine version (Falco wants x.y.z)', `- required_engine_version: 0.26\n${RULE()}`, ['error:bad-value@1:28']],
    [
      'append: true with nothing to append',
      `${RULE()}- rule: R\n  append: true\n`,
      ['warning:deprecated-append@6:9', 'error:missing-key@6:9'],
    ],
    [
      'an override naming a key the item does not set',
      `${RULE()}- rule: R\n  desc: other\n  override:\n    desc: replace\n    condition: append\n`,
      ['error:bad-override@6:9'],
    ],
    [
      'a key the override does not name',
      `${RULE()}- rule: R\n  desc: other\n  condition: and proc.name = cat\n  priority: WARNING\n  override:\n    desc: replace\n    condition: append\n`,
      ['error:bad-override@9:3'],
    ],
    [
      'an override of enabled without enabled',
      `${RULE()}- rule: R\n  condition: and proc.name = cat\n  override:\n    condition: append\n    enabled: replace\n`,
      ['error:bad-override@6:9'],
    ],
    ['priority cannot be appended to', `${RULE()}- rule: R\n  priority: WARNING\n  override:\n    priority: append\n`, ['error:bad-override@9:5']],
    ['append to a rule defined nowhere', '- rule: R\n  condition: and proc.name = cat\n  append: true\n', ['warning:deprecated-append@1:9', 'error:undefined-append@1:9']],
    ['override of a list defined nowhere', '- list: l\n  items: [a]\n  override:\n    items: append\n', ['error:undefined-append@1:9']],
    ['append to a macro defined nowhere', '- macro: m\n  condition: proc.name = a\n  override:\n    condition: append\n', ['error:undefined-append@1:10']],
    [
      'a new exception appended without values',
      `${RULE()}- rule: R\n  exceptions:\n    - name: fresh\n      fields: [proc.name]\n  override:\n    exceptions: append\n`,
      ['warning:exception-no-values@8:13', 'error:bad-exception@8:13'],
    ],
  ])('%s', (_name, text, expected) => {
    const r = load(text);
    expect(where(r)).toEqual(expected);
    expect(r.ok).toBe(false);
  });
});

describe('Falco loads these files', () => {
  it.each([
    ['a required_engine_version we meet (semver)', `- required_engine_version: 0.26.0\n${RULE()}`],
    ['a required_engine_version we meet (old integer form, 0.26.0)', `- required_engine_version: 26\n${RULE()}`],
    ['the version Falco 0.44 rule files declare', `- required_engine_version: 0.57.0\n${RULE()}`],
    ['append: true with a condition', `${RULE()}- rule: R\n  condition: and proc.name = cat\n  append: true\n`],
    ['append: true with only exceptions', `${RULE()}- rule: R\n  exceptions:\n    - name: e\n      fields: proc.name\n      values: [cat]\n  append: true\n`],
    ['an evt.type on any x86-64 syscall', RULE('', 'evt.type in (open, kexec_file_load, io_uring_enter, mseal)')],
    ["Falco's non-syscall events", RULE('', 'evt.type in (open, container, procexit, signaldeliver, switch, page_fault, pluginevent)')],
  ])('%s', (_name, text) => {
    const r = load(text);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.pos.line}:${d.pos.col}`)).toEqual([]);
    expect(r.rules.map((x) => x.name)).toEqual(['R']);
  });

  it('records the highest required version, old integer forms as 0.N.0', () => {
    expect(load(`- required_engine_version: 30\n- required_engine_version: 0.26.1\n${RULE()}`).requiredEngineVersion).toBe('0.30.0');
  });
});

describe('event types', () => {
  const onlyOpen = { capturable: (t: string): boolean => t === 'open' };

  it('warns at each valid event type falconet cannot capture, naming it; the rule loads', () => {
    const r = load(RULE('', 'evt.type in (open, kexec_file_load, container)'), onlyOpen);
    expect(where(r)).toEqual(['warning:event-type-not-captured@3:33', 'warning:event-type-not-captured@3:50']);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "falconet cannot capture event type 'kexec_file_load': the rule never sees these events",
      "falconet cannot capture event type 'container': the rule never sees these events",
    ]);
    expect(r.ok).toBe(true);
    expect([...(r.rules[0]!.evttypes as Set<string>)].sort()).toEqual(['container', 'kexec_file_load', 'open']);
  });

  it('a rule on nothing falconet captures also says it can never match', () => {
    expect(where(load(RULE('', 'evt.type = kexec_file_load'), onlyOpen))).toEqual(['warning:never-matches@1:9', 'warning:event-type-not-captured@3:25']);
  });

  it('a name that is no syscall nor Falco event stays an error', () => {
    const r = load(RULE('', 'evt.type in (open, kexec_fileload)'), onlyOpen);
    expect(where(r)).toEqual(['error:unknown-event-type@3:33']);
    const caret = `${' '.repeat(32)}^${'~'.repeat(13)}`;
    expect(formatReport(r.diagnostics)).toContain(`r.yaml:3:33: error: unknown event type 'kexec_fileload' (in rule 'R')\n  condition: evt.type in (open, kexec_fileload)\n${caret}\n`);
  });
});

describe('engine version', () => {
  it.each([
    ['0.57.0', { major: 0, minor: 57, patch: 0 }],
    ['26', { major: 0, minor: 26, patch: 0 }],
    [' 0.62.1 ', { major: 0, minor: 62, patch: 1 }],
    ['0.57', undefined],
    ['v0.57.0', undefined],
  ])('%s reads as %o', (text, expected) => {
    expect(parseEngineVersion(text)).toEqual(expected);
  });

  it("names both versions in the error, at the version's place", () => {
    const r = load(`- required_engine_version: 0.99.0\n${RULE()}`);
    expect(formatReport(r.diagnostics)).toBe(
      "r.yaml:1:28: error: rules require engine version 0.99.0, but falconet's engine version is 0.62.0\n- required_engine_version: 0.99.0\n                           ^~~~~~\n1 error",
    );
  });
});
