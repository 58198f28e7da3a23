// Falco's own rule files (test data under ../shared/compat, kept unchanged) must load as Falco loads
// them: stable first, then incubating and sandbox. Uses the engine's real field registry, so a field
// the registry lacks shows up here as an unknown-field error at its position.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fieldRegistry } from '../engine/fields/index.js';
import { formatDiagnostic } from './diagnostics.js';
import { loadRules, type LoadResult } from './loader.js';

const COMPAT = fileURLToPath(new URL('../../../shared/compat/', import.meta.url));
const FILES = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'];

function loadCompat(count: number): LoadResult {
  const files = FILES.slice(0, count).map((name) => ({ name, text: readFileSync(COMPAT + name, 'utf8') }));
  return loadRules(files, { fields: fieldRegistry });
}

const errors = (r: LoadResult): string[] => r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

/**
 * Rules of the three files that falconet cannot load yet, with the first reason. This list may only
 * shrink: a rule that starts failing is a regression, a rule that starts loading must be removed here.
 */
const KNOWN_NOT_LOADED: Record<string, string> = {};

describe('Falco compat rule files', () => {
  const stable = loadCompat(1);
  const all = loadCompat(3);

  it('loads falco_rules.yaml with zero errors', () => {
    expect(errors(stable)).toEqual([]);
    expect(stable.ok).toBe(true);
    expect(stable.rules).toHaveLength(25);
    expect(stable.requiredEngineVersion).toBe('0.57.0');
  });

  it('loads stable + incubating + sandbox in Falco order; only the pinned rules fail', () => {
    const failing = Object.fromEntries(all.notLoaded.map((n) => [n.name, n.reasons[0] ? formatDiagnostic(n.reasons[0]).split('\n')[0]! : '']));
    expect(failing).toEqual(KNOWN_NOT_LOADED);
    expect(all.rules.length + all.notLoaded.length).toBe(93);
    if (Object.keys(KNOWN_NOT_LOADED).length === 0) expect(errors(all)).toEqual([]);
  });

  it('reports no unused list or macro and no rule without an event type', () => {
    expect(all.diagnostics.filter((d) => d.code !== 'field-not-available').map((d) => `${d.code} ${d.pos.file}:${d.pos.line}`)).toEqual([]);
  });

  it('warns, once per place, where a condition uses a field falconet run does not fill live', () => {
    const na = all.diagnostics.filter((d) => d.code === 'field-not-available');
    expect(na.every((d) => d.severity === 'warning')).toBe(true);
    expect(new Set(na.map((d) => `${d.pos.file}:${d.pos.line}:${d.pos.col}`)).size).toBe(na.length);
    // What is left: I/O buffers (DNS names of socket ends are resolved live: src/metadata/dns).
    expect([...new Set(na.map((d) => /field '([^']+)'/.exec(d.message)?.[1]))].sort()).toEqual(['evt.buffer']);
    const first = na.find((d) => d.message.includes("'evt.buffer'"))!;
    expect(formatDiagnostic(first)).toMatch(/^falco-\w+_rules\.yaml:\d+:\d+: warning: field 'evt\.buffer' is not filled live: falconet never has this data/);
  });

  it.each([
    ['Terminal shell in container', ['execve', 'execveat']],
    ['Read sensitive file untrusted', ['open', 'openat', 'openat2']],
    ['Create Symlink Over Sensitive Files', ['symlink', 'symlinkat']],
    ['Linux Kernel Module Injection Detected', ['finit_module', 'init_module']],
    ['Redirect STDOUT/STDIN to Network Connection in Container', ['dup', 'dup2', 'dup3']],
    ['PTRACE attached to process', ['ptrace']],
    ['Contact K8S API Server From Container', ['connect']],
  ])('derives the event types of %s', (name, types) => {
    const rule = stable.rules.find((r) => r.name === name);
    expect(rule).toBeDefined();
    expect(rule!.evttypes === 'all' ? 'all' : [...rule!.evttypes].sort()).toEqual(types);
  });

  it('keeps Falco enabled flags (rules shipped disabled stay disabled)', () => {
    const disabled = all.rules.filter((r) => !r.enabled).map((r) => r.name);
    expect(disabled).toContain('Read Shell Configuration File');
    expect(stable.rules.every((r) => r.enabled)).toBe(true);
  });

  it('maps a condition position inside a folded block back to the file', () => {
    const rule = stable.rules.find((r) => r.name === 'Terminal shell in container')!;
    const text = rule.conditionText;
    const src = rule.condition.span.src!;
    expect(src.locate(text.indexOf('container_entrypoint'))).toEqual({ line: 725, col: 9 });
  });
});
