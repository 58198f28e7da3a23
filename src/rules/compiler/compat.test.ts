import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SyscallEvent } from '../../engine/event.js';
import { context, event, fileFd, thread } from '../../engine/fields/fixtures.js';
import { fieldRegistry } from '../../engine/fields/index.js';
import { loadRules } from '../loader.js';
import { compileRuleset } from './index.js';

// Falco's own rule files must load and compile, and fire on the behaviour they describe.
const COMPAT = '/work/shared/compat';
const file = (name: string) => ({ name, text: readFileSync(`${COMPAT}/${name}`, 'utf8') });

function compile(names: string[]) {
  const loaded = loadRules(names.map(file), { fields: fieldRegistry });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { loaded, ...compileRuleset(loaded.rules, fieldRegistry, { matching: 'all' }) };
}

describe("Falco's rule files", () => {
  it.each([
    [['falco_rules.yaml']],
    [['falco_rules.yaml', 'falco-incubating_rules.yaml']],
    [['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml']],
  ])('%j compile without errors', (names) => {
    const { loaded, ruleset, errors } = compile(names);
    expect(errors).toEqual([]);
    expect(ruleset.rules().length).toBe(loaded.rules.length);
  });

  const { ruleset } = compile(['falco_rules.yaml']);
  ruleset.setEnabled({ all: true }, true);
  const ctx = context();
  const fired = (evt: SyscallEvent): string[] => {
    const out: string[] = [];
    ruleset.evaluate(evt, ctx, (r) => out.push(r.name));
    return out;
  };

  it('fires Terminal shell in container for an interactive shell started by the runtime', () => {
    const shell = thread({ comm: 'bash', exe: 'bash', exepath: '/bin/bash', args: [], ppid: 999, tty: 34816 });
    expect(fired(event({ thread: shell, args: { exe: 'bash', args: [], filename: '/bin/bash' } }))).toContain('Terminal shell in container');
    expect(fired(event({ thread: { ...shell, tty: 0 } }))).not.toContain('Terminal shell in container');
    expect(fired(event({ thread: { ...shell, containerId: 'host' } }))).not.toContain('Terminal shell in container');
  });

  it('fires Read sensitive file untrusted for cat reading /etc/shadow', () => {
    const cat = thread({ comm: 'cat', exe: 'cat', exepath: '/usr/bin/cat', args: ['/etc/shadow'] });
    const open = (flags: number): SyscallEvent =>
      event({ type: 'openat', res: 3, thread: cat, args: { fd: 3, dirfd: -100, name: '/etc/shadow', flags, mode: 0 }, fd: fileFd('/etc/shadow') });
    expect(fired(open(0))).toContain('Read sensitive file untrusted');
    expect(fired(open(1))).not.toContain('Read sensitive file untrusted');
  });

  it('fires PTRACE attached to process on PTRACE_ATTACH', () => {
    const evt = event({ type: 'ptrace', res: 0, args: { request: 16, pid: 1 } });
    expect(fired(evt)).toContain('PTRACE attached to process');
    expect(fired({ ...evt, args: { request: 1, pid: 1 } })).not.toContain('PTRACE attached to process');
  });
});
