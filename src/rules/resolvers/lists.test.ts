import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { shape } from '../grammar/testing/shape.js';
import { expandLists, ResolveError, resolveLists } from './lists.js';

const LISTS = new Map<string, string[]>([
  ['shell_binaries', ['bash', 'sh']],
  ['nested', ['shell_binaries', 'zsh']],
  ['quoted', ['"(systemd)"', "'a b'", 'plain']],
  ['loop_a', ['loop_b', 'x']],
  ['loop_b', ['loop_a', 'y']],
  ['empty', []],
]);

/** The items of the first comparison's list value, as [value, quoted] pairs. */
function items(e: Expr): [string, boolean][] {
  if (e.kind !== 'compare' || e.value.kind !== 'list') throw new Error(`not a list comparison: ${e.kind}`);
  return e.value.items.map((i) => (i.kind === 'literal' ? [i.value, i.quoted] : [`@${i.name}`, false]));
}

const expand = (text: string) => resolveLists(parseCondition(text), LISTS);

describe('resolveLists', () => {
  const cases: [string, [string, boolean][], string[]][] = [
    ['proc.name in (shell_binaries)', [['bash', false], ['sh', false]], ['shell_binaries']],
    ['proc.name in shell_binaries', [['bash', false], ['sh', false]], ['shell_binaries']],
    ['proc.name in (shell_binaries, ksh)', [['bash', false], ['sh', false], ['ksh', false]], ['shell_binaries']],
    ['proc.name in ("shell_binaries")', [['shell_binaries', true]], []],
    ['proc.name in (nested)', [['bash', false], ['sh', false], ['zsh', false]], ['nested', 'shell_binaries']],
    ['proc.name in (quoted)', [['(systemd)', true], ['a b', true], ['plain', false]], ['quoted']],
    ['proc.name in (loop_a)', [['loop_a', false], ['y', false], ['x', false]], ['loop_a', 'loop_b']],
    ['proc.name in (empty)', [], ['empty']],
    ['proc.name in (unknown_thing)', [['unknown_thing', false]], []],
    ['proc.name pmatch (shell_binaries)', [['bash', false], ['sh', false]], ['shell_binaries']],
  ];
  it.each(cases)('%s', (text, expected, used) => {
    const r = expand(text);
    expect(r.errors).toEqual([]);
    expect(items(r.expr)).toEqual(expected);
    expect([...r.used].sort()).toEqual(used.sort());
  });

  it('expands inside and, or and not, leaving other values alone', () => {
    const r = expand('not (proc.name in (shell_binaries) or proc.name = shell_binaries) and fd.name exists');
    expect(shape(r.expr)).toEqual(shape(parseCondition('not (proc.name in (bash, sh) or proc.name = shell_binaries) and fd.name exists')));
  });

  it('gives expanded items the span of the reference', () => {
    const text = 'proc.name in (ksh, shell_binaries)';
    const r = expand(text);
    if (r.expr.kind !== 'compare' || r.expr.value.kind !== 'list') throw new Error('bad shape');
    expect(r.expr.value.items.map((i) => text.slice(i.span.start, i.span.end))).toEqual(['ksh', 'shell_binaries', 'shell_binaries']);
  });

  it('reports a bare name that is not a list', () => {
    const text = 'a and proc.name in shells';
    const r = resolveLists(parseCondition(text), LISTS);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'undefined-list', message: "'shells' is not a defined list" });
    const span = r.errors[0]?.span;
    expect(text.slice(span?.start, span?.end)).toBe('shells');
  });

  it('does not modify its input', () => {
    const e = parseCondition('proc.name in (shell_binaries)');
    const before = JSON.stringify(e);
    resolveLists(e, LISTS);
    expect(JSON.stringify(e)).toBe(before);
  });
});

describe('expandLists', () => {
  it('returns the expanded tree', () => {
    expect(items(expandLists(parseCondition('proc.name in shell_binaries'), LISTS))).toEqual([['bash', false], ['sh', false]]);
  });

  it('throws a ResolveError carrying the SpanError for an undefined list', () => {
    let caught: unknown;
    try {
      expandLists(parseCondition('proc.name in nope'), LISTS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ResolveError);
    expect((caught as ResolveError).error.code).toBe('undefined-list');
  });
});
