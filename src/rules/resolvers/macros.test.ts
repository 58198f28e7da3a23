import { describe, expect, it } from 'vitest';
import type { Expr } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { shape } from '../grammar/testing/shape.js';
import { resolveMacros } from './macros.js';

function macros(defs: Record<string, string>): Map<string, Expr> {
  return new Map(Object.entries(defs).map(([name, text]) => [name, parseCondition(text)]));
}

const DEFS = macros({
  spawned_process: 'evt.type in (execve, execveat)',
  container: 'container.id != host',
  shell_procs: 'proc.name in (shell_binaries)',
  shell_in_container: 'spawned_process and container and shell_procs',
  never_true: 'evt.num=0',
});

describe('resolveMacros', () => {
  it('inlines a macro', () => {
    const r = resolveMacros(parseCondition('spawned_process and proc.name = sh'), DEFS);
    expect(r.errors).toEqual([]);
    expect(shape(r.expr)).toEqual(shape(parseCondition('(evt.type in (execve, execveat)) and proc.name = sh')));
    expect([...r.used]).toEqual(['spawned_process']);
  });

  it('inlines macros that use macros, and reports every macro used', () => {
    const r = resolveMacros(parseCondition('shell_in_container and not never_true'), DEFS);
    expect(r.errors).toEqual([]);
    expect(shape(r.expr)).toEqual(
      shape(parseCondition('(evt.type in (execve, execveat) and container.id != host and proc.name in (shell_binaries)) and not evt.num=0')),
    );
    expect([...r.used].sort()).toEqual(['container', 'never_true', 'shell_in_container', 'shell_procs', 'spawned_process']);
  });

  it('keeps the spans of the macro body', () => {
    const r = resolveMacros(parseCondition('a and container'), macros({ a: 'proc.name = x', container: 'container.id != host' }));
    if (r.expr.kind !== 'and') throw new Error('bad shape');
    expect(r.expr.right.span).toMatchObject({ start: 0, end: 'container.id != host'.length });
  });

  it('reports an undefined macro at its reference', () => {
    const text = 'spawned_process and not known_good';
    const r = resolveMacros(parseCondition(text), DEFS);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'undefined-macro', message: "'known_good' is not a defined macro" });
    expect(text.slice(r.errors[0]?.span.start, r.errors[0]?.span.end)).toBe('known_good');
  });

  it('reports undefined macros inside other macros', () => {
    const r = resolveMacros(parseCondition('outer'), macros({ outer: 'proc.name = a or inner', inner: 'missing' }));
    expect(r.errors.map((e) => e.message)).toEqual(["'missing' is not a defined macro"]);
  });

  it('names the cycle when macros refer to each other', () => {
    const defs = macros({ a: 'b and proc.name = x', b: 'c', c: 'a or fd.name exists' });
    const r = resolveMacros(parseCondition('a'), defs);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'macro-cycle', message: "macro 'a' refers to itself: a -> b -> c -> a" });
  });

  it('catches a macro that refers to itself', () => {
    const r = resolveMacros(parseCondition('me and x'), macros({ me: 'not me', x: 'fd.name exists' }));
    expect(r.errors.map((e) => e.code)).toEqual(['macro-cycle']);
  });

  it('resolves a macro used many times once, to the same tree', () => {
    const r = resolveMacros(parseCondition('container and (container or container)'), DEFS);
    if (r.expr.kind !== 'and' || r.expr.right.kind !== 'or') throw new Error('bad shape');
    expect(r.expr.left).toBe(r.expr.right.left);
  });

  it('does not modify its input', () => {
    const e = parseCondition('shell_in_container');
    const before = JSON.stringify(e);
    resolveMacros(e, DEFS);
    expect(JSON.stringify(e)).toBe(before);
  });
});
