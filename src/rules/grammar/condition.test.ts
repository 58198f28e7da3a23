import { describe, expect, it } from 'vitest';
import type { ConditionSource, Expr } from '../ast.js';
import { parseCondition } from './index.js';
import { shape } from './testing/shape.js';

const f = (name: string, arg?: string, transformers: string[] = []) =>
  arg === undefined ? { kind: 'field', name, transformers } : { kind: 'field', name, arg, transformers };
const lit = (value: string, quoted = false) => ({ kind: 'literal', value, quoted });
const cmp = (field: object, op: string, value: object) => ({ kind: 'compare', field, op, value });
const list = (...items: object[]) => ({ kind: 'list', items });
const macro = (name: string) => ({ kind: 'macro', name });

describe('parseCondition: shapes', () => {
  const cases: [string, unknown][] = [
    ['proc.name = sh', cmp(f('proc.name'), '=', lit('sh'))],
    ['proc.name=sshd', cmp(f('proc.name'), '=', lit('sshd'))],
    ['proc.name!="sshd"', cmp(f('proc.name'), '!=', lit('sshd', true))],
    ['evt.rawres>=0', cmp(f('evt.rawres'), '>=', lit('0'))],
    ['evt.dir=<', cmp(f('evt.dir'), '=', lit('<'))],
    ['evt.dir = >', cmp(f('evt.dir'), '=', lit('>'))],
    ['fd.num=-1', cmp(f('fd.num'), '=', lit('-1'))],
    ['fd.name == /etc/shadow', cmp(f('fd.name'), '==', lit('/etc/shadow'))],
    ['fd.typechar=\'f\'', cmp(f('fd.typechar'), '=', lit('f', true))],
    ['fd.net != "127.0.0.0/8"', cmp(f('fd.net'), '!=', lit('127.0.0.0/8', true))],
    ['fd.sip = ::1', cmp(f('fd.sip'), '=', lit('::1'))],
    ['fd.name glob /usr/bin/*', cmp(f('fd.name'), 'glob', lit('/usr/bin/*'))],
    ['proc.pname = runc:[0:PARENT]', cmp(f('proc.pname'), '=', lit('runc:[0:PARENT]'))],
    ['proc.args = \'\'', cmp(f('proc.args'), '=', lit('', true))],
    ['proc.args endswith \\', cmp(f('proc.args'), 'endswith', lit('\\'))],
    ['proc.args contains "\\ "', cmp(f('proc.args'), 'contains', lit('\\ ', true))],
    ['proc.cmdline contains "say \\"hi\\""', cmp(f('proc.cmdline'), 'contains', lit('say "hi"', true))],
    ['proc.name icontains a.b-c:d', cmp(f('proc.name'), 'icontains', lit('a.b-c:d'))],
    ['evt.buffer bcontains cafebabe', cmp(f('evt.buffer'), 'bcontains', lit('cafebabe'))],
    ['proc.name in (a, "b c", 3, \'x\')', cmp(f('proc.name'), 'in', list(lit('a'), lit('b c', true), lit('3'), lit('x', true)))],
    ['proc.name in ()', cmp(f('proc.name'), 'in', list())],
    ['proc.name in (shell_binaries)', cmp(f('proc.name'), 'in', list(lit('shell_binaries')))],
    ['proc.name in shell_binaries', cmp(f('proc.name'), 'in', { kind: 'listref', name: 'shell_binaries' })],
    ['fd.types intersects (ipv4, ipv6)', cmp(f('fd.types'), 'intersects', list(lit('ipv4'), lit('ipv6')))],
    ['fd.name pmatch (safe_etc_dirs)', cmp(f('fd.name'), 'pmatch', list(lit('safe_etc_dirs')))],
    ['fd.name exists', { kind: 'unary', field: f('fd.name'), op: 'exists' }],
    ['proc.aname[2]=sshd', cmp(f('proc.aname', '2'), '=', lit('sshd'))],
    ['container.mount.dest[/proc*] = x', cmp(f('container.mount.dest', '/proc*'), '=', lit('x'))],
    ['evt.arg.flags contains O_TRUNC', cmp(f('evt.arg', 'flags'), 'contains', lit('O_TRUNC'))],
    ['evt.rawarg.res < 0', cmp(f('evt.rawarg', 'res'), '<', lit('0'))],
    ['evt.arg[0] = x', cmp(f('evt.arg', '0'), '=', lit('x'))],
    ['tolower(proc.name) = bash', cmp(f('proc.name', undefined, ['tolower']), '=', lit('bash'))],
    ['toupper(tolower(proc.name)) = X', cmp(f('proc.name', undefined, ['tolower', 'toupper']), '=', lit('X'))],
    ['len(proc.aname[1]) > 3', cmp(f('proc.aname', '1', ['len']), '>', lit('3'))],
    ['proc.name = val(proc.pname)', cmp(f('proc.name'), '=', { kind: 'fieldval', field: f('proc.pname') })],
    ['spawned_process', macro('spawned_process')],
    ['len', macro('len')],
    ['in_container', macro('in_container')],
    ['not a', { kind: 'not', expr: macro('a') }],
    ['not not a', { kind: 'not', expr: { kind: 'not', expr: macro('a') } }],
    ['a and b or c', { kind: 'or', left: { kind: 'and', left: macro('a'), right: macro('b') }, right: macro('c') }],
    ['a or b and c', { kind: 'or', left: macro('a'), right: { kind: 'and', left: macro('b'), right: macro('c') } }],
    ['a and b and c', { kind: 'and', left: { kind: 'and', left: macro('a'), right: macro('b') }, right: macro('c') }],
    ['a or b or c', { kind: 'or', left: { kind: 'or', left: macro('a'), right: macro('b') }, right: macro('c') }],
    ['not a and b', { kind: 'and', left: { kind: 'not', expr: macro('a') }, right: macro('b') }],
    ['not (a and b)', { kind: 'not', expr: { kind: 'and', left: macro('a'), right: macro('b') } }],
    ['(((a)))', macro('a')],
    ['not proc.name in (a)', { kind: 'not', expr: cmp(f('proc.name'), 'in', list(lit('a'))) }],
    ['a and(b)or(c)', { kind: 'or', left: { kind: 'and', left: macro('a'), right: macro('b') }, right: macro('c') }],
    ['proc.name=a\nand\tproc.pname=b', { kind: 'and', left: cmp(f('proc.name'), '=', lit('a')), right: cmp(f('proc.pname'), '=', lit('b')) }],
    ['proc.name = and', cmp(f('proc.name'), '=', lit('and'))],
    ['fd.sip = 127.0.0.1', cmp(f('fd.sip'), '=', lit('127.0.0.1'))],
    ['fd.snet = 10.0.0.0/8', cmp(f('fd.snet'), '=', lit('10.0.0.0/8'))],
    ['evt.arg.flags contains O_TMPFILE', cmp(f('evt.arg', 'flags'), 'contains', lit('O_TMPFILE'))],
    ['evt.arg.request = PTRACE_ATTACH', cmp(f('evt.arg', 'request'), '=', lit('PTRACE_ATTACH'))],
    ['proc.name = a(b', cmp(f('proc.name'), '=', lit('a(b'))],
    ['proc.name = "(systemd)"', cmp(f('proc.name'), '=', lit('(systemd)', true))],
    ['proc.name in (a,b)and b', { kind: 'and', left: cmp(f('proc.name'), 'in', list(lit('a'), lit('b'))), right: macro('b') }],
    ['k8s.pod.label[app.kubernetes.io/name] = x', cmp(f('k8s.pod.label', 'app.kubernetes.io/name'), '=', lit('x'))],
    ['fd.types[] = x', cmp(f('fd.types', ''), '=', lit('x'))],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(shape(parseCondition(text))).toEqual(expected);
  });
});

describe('parseCondition: spans', () => {
  const src: ConditionSource = { file: 'r.yaml', text: '', locate: () => ({ line: 1, col: 1 }) };

  it('covers each node, parentheses included, and stamps the source', () => {
    const text = 'not (proc.name in (a, "b")) and fd.name exists';
    const e = parseCondition(text, { ...src, text });
    if (e.kind !== 'and' || e.left.kind !== 'not' || e.left.expr.kind !== 'compare') throw new Error('bad shape');
    const at = (s: { start: number; end: number }) => text.slice(s.start, s.end);
    expect(at(e.span)).toBe(text);
    expect(at(e.left.span)).toBe('not (proc.name in (a, "b"))');
    expect(at(e.left.expr.span)).toBe('(proc.name in (a, "b"))');
    expect(at(e.left.expr.field.span)).toBe('proc.name');
    const value = e.left.expr.value;
    if (value.kind !== 'list') throw new Error('bad shape');
    expect(at(value.span)).toBe('(a, "b")');
    expect(value.items.map((i) => at(i.span))).toEqual(['a', '"b"']);
    expect(at(e.right.span)).toBe('fd.name exists');
    expect(e.span.src?.file).toBe('r.yaml');
    expect(value.items[1]?.span.src?.file).toBe('r.yaml');
    if (e.right.kind !== 'unary') throw new Error('bad shape');
    expect(e.right.field.span.src?.file).toBe('r.yaml');
  });

  it('spans transformers, field arguments and val()', () => {
    const text = 'tolower(proc.aname[2]) = val(proc.pname)';
    const e = parseCondition(text) as Extract<Expr, { kind: 'compare' }>;
    expect(text.slice(e.field.span.start, e.field.span.end)).toBe('tolower(proc.aname[2])');
    expect(text.slice(e.value.span.start, e.value.span.end)).toBe('val(proc.pname)');
    expect(e.span.src).toBeUndefined();
  });
});
