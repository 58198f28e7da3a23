import { describe, expect, it } from 'vitest';
import type { Expr, Span } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { EVENT_UNIVERSE, resolveEvttypes } from './evttypes.js';

/** The expected answer: a sorted list of names, or 'all'; `but` is the universe minus names. */
type Expected = string[] | 'all' | { but: string[] };

function sorted(r: ReadonlySet<string> | 'all'): string[] | 'all' {
  return r === 'all' ? 'all' : [...r].sort();
}
function expected(e: Expected): string[] | 'all' {
  if (e === 'all' || Array.isArray(e)) return e === 'all' ? e : [...e].sort();
  return [...EVENT_UNIVERSE].filter((n) => !e.but.includes(n)).sort();
}

describe('resolveEvttypes', () => {
  const cases: [string, Expected][] = [
    ['evt.type = openat', ['openat']],
    ['evt.type == openat', ['openat']],
    ['evt.type in (openat, close)', ['openat', 'close']],
    ['evt.type != openat', { but: ['openat'] }],
    ['not evt.type = openat', { but: ['openat'] }],
    ['not evt.type in (openat, close)', { but: ['openat', 'close'] }],
    ['not evt.type != openat', ['openat']],
    ['not (not evt.type = openat)', ['openat']],
    ['evt.type = openat or evt.type = close', ['openat', 'close']],
    ['evt.type != openat or evt.type != close', 'all'],
    ['evt.type = close or evt.type != openat', { but: ['openat'] }],
    ['evt.type != openat and evt.type != close', { but: ['openat', 'close'] }],
    ['evt.type = close and evt.type = openat', []],
    ['evt.type = mmap and not evt.type = mmap', []],
    ['evt.type = openat and proc.name = nginx', ['openat']],
    ['evt.type = openat and not proc.name = nginx', ['openat']],
    ['evt.type = openat and (evt.type = close and proc.name = nginx)', []],
    ['proc.name = nginx', 'all'],
    ['evt.type = openat or proc.name = nginx', 'all'],
    ['evt.type = openat or (evt.type = close and proc.name = nginx)', ['openat', 'close']],
    // A close event from another process makes the negation true: close must stay.
    ['evt.type = openat or not (evt.type = close and proc.name = nginx)', 'all'],
    ['evt.type = openat and not (evt.type = close and proc.name = nginx)', ['openat']],
    ['evt.type in (connect, execve, mmap) and not (proc.name = cat and evt.type = mmap)', ['connect', 'execve', 'mmap']],
    // Operators other than =, ==, != and in restrict nothing, as in Falco.
    ['evt.type intersects (openat, close)', 'all'],
    ['evt.type startswith open', 'all'],
    ['evt.type pmatch (open)', 'all'],
    ['evt.type exists', 'all'],
    ['tolower(evt.type) = open', 'all'],
    ['evt.type = val(evt.type)', 'all'],
    ['evt.type in (shell_list)', ['shell_list']],
    ['evt.type in some_list', 'all'],
    ['some_macro', 'all'],
    ['evt.type = not_a_syscall', ['not_a_syscall']],
    ['evt.type != not_a_syscall', 'all'],
    // Falco's spawned_process and open_write macros.
    ['evt.type in (execve, execveat) and evt.dir=<', ['execve', 'execveat']],
    ["evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0", ['open', 'openat', 'openat2']],
  ];
  it.each(cases)('%s', (text, want) => {
    expect(sorted(resolveEvttypes(parseCondition(text)))).toEqual(expected(want));
  });

  it('treats constants as always or never true', () => {
    const span: Span = { start: 0, end: 0 };
    const t: Expr = { kind: 'const', value: true, span };
    const f: Expr = { kind: 'const', value: false, span };
    const open = parseCondition('evt.type = open');
    expect(resolveEvttypes(t)).toBe('all');
    expect(sorted(resolveEvttypes(f))).toEqual([]);
    expect(sorted(resolveEvttypes({ kind: 'and', left: open, right: t, span }))).toEqual(['open']);
    expect(sorted(resolveEvttypes({ kind: 'or', left: open, right: f, span }))).toEqual(['open']);
    expect(resolveEvttypes({ kind: 'not', expr: f, span })).toBe('all');
  });

  it('knows the engine and Falco-only event names, not meta events', () => {
    expect(EVENT_UNIVERSE.has('execve')).toBe(true);
    expect(EVENT_UNIVERSE.has('container')).toBe(true);
    expect(EVENT_UNIVERSE.has('drop')).toBe(false);
  });
});
