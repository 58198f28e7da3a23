import { describe, expect, it } from 'vitest';
import type { SyscallEvent } from '../../engine/event.js';
import { context, event, fileFd, tcpFd, thread } from '../../engine/fields/fixtures.js';
import { fieldRegistry, type BoundField } from '../../engine/fields/index.js';
import type { Expr, Span } from '../ast.js';
import { parseCondition } from '../grammar/index.js';
import { compileCondition, createCompileCache, predicateSource, type FieldBinder } from './index.js';

const ctx = context();

function run(cond: string, evt: SyscallEvent): boolean {
  const r = compileCondition(parseCondition(cond), fieldRegistry, createCompileCache());
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.predicate(evt, ctx);
}

const open = (name: string, flags = 0, over: Partial<SyscallEvent> = {}): SyscallEvent =>
  event({ type: 'openat', res: 3, args: { fd: 3, dirfd: -100, name, flags, mode: 0 }, fd: fileFd(name), ...over });
const connect = event({ type: 'connect', fd: tcpFd() });
const execve = event();

const cases: [cond: string, evt: SyscallEvent, expected: boolean][] = [
  ['evt.type = execve', execve, true],
  ['evt.type in (open, openat)', open('/etc/passwd'), true],
  ['evt.type in (open, openat) and evt.dir = <', execve, false],
  ['proc.name in (curl, wget)', execve, true],
  ['proc.name in (wget)', execve, false],
  ['proc.name = curl and not proc.pname = bash', execve, false],
  ['proc.name = nope or proc.pname = bash', execve, true],
  ['proc.tty != 0', execve, true],
  ['proc.tty > 100 and proc.tty <= 34816', execve, true],
  ['user.loginuid = -1', event({ thread: thread({ loginuid: -1 }) }), true],
  ['evt.rawres in (0, 1, 2)', event({ type: 'dup2', res: 1 }), true],
  ['evt.rawres >= 0 or evt.res = EINPROGRESS', event({ type: 'connect', res: -115 }), true],
  ['evt.res startswith E', event({ res: -2 }), true],
  ['proc.duration <= 5000000000', execve, false],
  ['proc.duration > 5000000000', execve, true],
  ['container.privileged = true', execve, true],
  ['container.privileged = false', execve, false],
  ['proc.is_exe_upper_layer = false', execve, true],
  // strings and patterns
  ['proc.cmdline contains "example.com"', execve, true],
  ['proc.cmdline icontains "EXAMPLE.COM"', execve, true],
  ['proc.cmdline startswith "curl -s"', execve, true],
  ['proc.exepath endswith /curl', execve, true],
  ["fd.name glob '/home/*/.ssh/*'", open('/home/al/.ssh/id_rsa'), true],
  ["fd.name glob '/home/*/.ssh/*'", open('/root/.ssh/id_rsa'), false],
  ["fd.name glob '/etc/[ps]hadow'", open('/etc/shadow'), true],
  ["fd.name iglob '/ETC/SHADOW'", open('/etc/shadow'), true],
  ["fd.name regex '/etc/(passwd|shadow)'", open('/etc/shadow'), true],
  ["fd.name regex 'shadow'", open('/etc/shadow'), false],
  ['fd.name pmatch (/usr/lib, /etc)', open('/etc/shadow'), true],
  ['fd.name pmatch (/usr/lib, /etc)', open('/etc'), true],
  ['fd.name pmatch (/usr/lib, /et)', open('/etc/shadow'), false],
  ['fd.directory in (/etc, /usr)', open('/etc/shadow'), true],
  ['evt.arg.flags contains O_CREAT', open('/x', 0o101), true],
  ['evt.arg.flags contains O_TRUNC', open('/x', 0o101), false],
  ['evt.arg.request contains PTRACE_ATTACH', event({ type: 'ptrace', args: { request: 16, pid: 1 } }), true],
  ['thread.cap_effective contains CAP_SYS_ADMIN', execve, true],
  ['thread.cap_effective icontains sys_module', execve, false],
  // ancestor fields without an index mean any ancestor (curl 300 ← bash 200 ← containerd-shim 100 ← systemd 1)
  ['proc.apid = 100', execve, true],
  ['proc.apid in (7, 1)', execve, true],
  ['proc.apid = 300', execve, false],
  ['proc.apid > 150', execve, true],
  ['proc.apid[2] = 100', execve, true],
  ['proc.aname = containerd-shim', execve, true],
  ['proc.aname = curl', execve, false],
  ['proc.aexepath endswith systemd', execve, true],
  ['proc.aexe = bash', execve, true],
  ['proc.acmdline contains namespace', execve, true],
  ['tolower(proc.name) = curl', event({ thread: thread({ comm: 'CURL' }) }), true],
  ['len(proc.args) = 21', execve, true],
  ['basename(proc.exepath) = curl', execve, true],
  // not available (<NA>): every comparison false, `!=` included; `not` and `exists` see it
  ['fd.name = /x', execve, false],
  ['fd.name != /x', execve, false],
  ['not fd.name = /x', execve, true],
  ['fd.name exists', execve, false],
  ['not fd.name exists', execve, true],
  ['not proc.pname exists or proc.pname in (runc)', event({ thread: thread({ ppid: 999 }) }), true],
  ['fd.sip.name = "kubernetes.default.svc.cluster.local"', connect, false],
  // multi-valued fields
  ['proc.aname = systemd', execve, true],
  ['proc.aname in (containerd-shim, runc)', execve, true],
  ['proc.aname = curl', execve, false],
  ['proc.aname[2] = containerd-shim', execve, true],
  ['fd.types intersects (ipv4, ipv6)', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })], [1, fileFd('/x', { num: 1 })]]) }) }), true],
  ['fd.types in (ipv4, ipv6)', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })], [1, fileFd('/x', { num: 1 })]]) }) }), false],
  ['fd.types in (ipv4, file)', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })], [1, fileFd('/x', { num: 1 })]]) }) }), true],
  ['fd.types[0] in (ipv4, ipv6)', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })]]) }) }), true],
  // IP addresses and networks
  ['fd.sip = 93.184.216.34', connect, true],
  ['fd.ip = "10.0.0.5"', connect, true],
  ['fd.ip != "10.0.0.5"', connect, false],
  ['fd.ip != "0.0.0.0"', connect, true],
  ['fd.net = "10.0.0.0/8"', connect, true],
  ['fd.snet = "10.0.0.0/8"', connect, false],
  ['fd.snet in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")', connect, false],
  ['fd.cnet in ("10.0.0.0/8", "172.16.0.0/12")', connect, true],
  ['fd.port = 443', connect, true],
  ['fd.sport in (80, 443)', connect, true],
  ['fd.sip = "::1"', event({ type: 'connect', fd: tcpFd({ type: 'ipv6', sip: '::1', cip: '::1' }) }), true],
  ['fd.snet = "fd00::/8"', event({ type: 'connect', fd: tcpFd({ type: 'ipv6', sip: 'fd12::1' }) }), true],
  // val() and k8s/container
  ['proc.name = val(proc.exe)', execve, true],
  ['proc.name != val(proc.pname)', execve, true],
  ['container.mount.dest[/proc*] exists', execve, true],
  ['k8s.ns.name = prod and container.image.repository = nginx', execve, true],
];

describe('compileCondition', () => {
  it.each(cases)('%s', (cond, evt, expected) => {
    expect(run(cond, evt)).toBe(expected);
  });
});

function errorsOf(cond: string): { code: string; text: string }[] {
  const r = compileCondition(parseCondition(cond), fieldRegistry, createCompileCache());
  if (r.ok) return [];
  return r.errors.map((e) => ({ code: e.code, text: cond.slice(e.span.start, e.span.end) }));
}

describe('compile errors', () => {
  it.each([
    ['proc.tty = abc', 'bad-value', 'abc'],
    ['evt.rawres in (0, one, 2)', 'bad-value', 'one'],
    ['container.privileged = yes', 'bad-value', 'yes'],
    ['fd.net = "10.0.0.0/99"', 'bad-value', '"10.0.0.0/99"'],
    ['fd.num contains 3', 'bad-operator', 'fd.num contains 3'],
    ['proc.name > 3', 'bad-operator', 'proc.name > 3'],
    ['proc.aname[x] = bash', 'bad-field-arg', 'proc.aname[x]'],
    ['proc.nope = 1', 'unknown-field', 'proc.nope'],
    ['fd.name regex "("', 'bad-regex', '"("'],
    // RE2 has no backreferences or lookaround: rejected at the pattern, as libsinsp does.
    ['fd.name regex "(a)\\\\1"', 'bad-regex', '"(a)\\\\1"'],
    ["fd.name regex '/etc/(?=passwd)'", 'bad-regex', "'/etc/(?=passwd)'"],
    ['tolower(proc.pid) = 1', 'bad-transformer', 'tolower(proc.pid)'],
  ])('%s → %s at %s', (cond, code, text) => {
    expect(errorsOf(cond)).toContainEqual({ code, text });
  });

  it('collects every error of a condition', () => {
    expect(errorsOf('proc.tty = a and fd.num = b').map((e) => e.text)).toEqual(['a', 'b']);
  });
});

describe('regex runs in linear time (RE2)', () => {
  // With a backtracking engine each of these takes about 2^40 steps; RE2 reads the input once.
  const hostile = 'a'.repeat(40) + '!';
  it.each([
    ['(a+)+$', false],
    ['(a|aa)+', false],
    ['(a*)*b', false],
    ['(a+)+!', true],
  ])('proc.name regex %s on a 41-character name: %s', (pattern, expected) => {
    expect(run(`proc.name regex '${pattern}'`, event({ thread: thread({ comm: hostile }) }))).toBe(expected);
  });

  it('matches the whole value, as RE2::FullMatch', () => {
    const evt = open('/etc/shadow');
    expect(run("fd.name regex '/etc/[a-z]+'", evt)).toBe(true);
    expect(run("fd.name regex 'etc/[a-z]+'", evt)).toBe(false);
    expect(run("fd.name regex '.*sha'", evt)).toBe(false);
  });
});

describe('generated code', () => {
  it('never pastes user values into code', () => {
    const hostile = '"); globalThis.pwned = 1; ("';
    const r = compileCondition(parseCondition(`proc.name = '${hostile}' or proc.cmdline contains '\`\${1}\`'`), fieldRegistry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const src = predicateSource(r.predicate) ?? '';
    expect(src).not.toContain('pwned');
    expect(src).not.toContain('${1}');
    expect(r.predicate(event({ thread: thread({ comm: hostile }) }), ctx)).toBe(true);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('extracts a field used several times once per evaluation', () => {
    let calls = 0;
    const binder: FieldBinder = {
      bind(name, arg) {
        const b = fieldRegistry.bind(name, arg) as BoundField;
        return name === 'proc.name' ? { ...b, extract: (e, c) => (calls++, b.extract(e, c)) } : b;
      },
    };
    const r = compileCondition(parseCondition('proc.name = a or proc.name = b or proc.name startswith c'), binder);
    expect(r.ok && r.predicate(execve, ctx)).toBe(true);
    expect(calls).toBe(1);
  });

  it('folds constants and skips fields that are never available', () => {
    const span: Span = { start: 0, end: 1 };
    const expr: Expr = { kind: 'and', left: { kind: 'const', value: false, span }, right: parseCondition('proc.name = curl'), span };
    const r = compileCondition(expr, fieldRegistry, createCompileCache());
    expect(r.ok && predicateSource(r.predicate)).toMatch(/return false;/);
    const buffer = compileCondition(parseCondition('evt.buffer contains x'), fieldRegistry, createCompileCache());
    expect(buffer.ok && predicateSource(buffer.predicate)).toMatch(/return false;/);
  });

  it('memoises identical conditions and shares prepared lists', () => {
    const cache = createCompileCache();
    const a = compileCondition(parseCondition('proc.name in (a, b, c)'), fieldRegistry, cache);
    const b = compileCondition(parseCondition('proc.name  in (a,b,c)'), fieldRegistry, cache);
    expect(a.ok && b.ok && a.predicate === b.predicate).toBe(true);
    compileCondition(parseCondition('proc.pname in (a, b, c)'), fieldRegistry, cache);
    expect([...cache.prepared.keys()].filter((k) => k.startsWith('set')).length).toBe(1);
  });

  it('reports unresolved macros at their span', () => {
    expect(errorsOf('spawned_process and proc.name = x')).toEqual([{ code: 'unresolved-macro', text: 'spawned_process' }]);
  });
});
