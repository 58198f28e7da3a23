import { describe, expect, it } from 'vitest';
import type { SyscallEvent } from '../event.js';
import { context, event, fileFd, tcpFd, thread } from './fixtures.js';
import { fieldRegistry, type FieldValue } from './index.js';

const ctx = context();

function read(field: string, evt: SyscallEvent, arg?: string): FieldValue {
  const b = fieldRegistry.bind(field, arg);
  if (typeof b === 'string') throw new Error(b);
  return b.extract(evt, ctx);
}

const openat = (flags: number, over: Partial<SyscallEvent> = {}): SyscallEvent =>
  event({ type: 'openat', res: 3, args: { fd: 3, dirfd: -100, name: '/etc/shadow', flags, mode: 0 }, fd: fileFd('/etc/shadow'), ...over });

type Case = [field: string, evt: SyscallEvent, expected: FieldValue, arg?: string];

const cases: Case[] = [
  // evt
  ['evt.type', event(), 'execve'],
  ['evt.dir', event(), '<'],
  ['evt.num', event(), 42],
  ['evt.time', event(), '22:13:25.123456789'],
  ['evt.time.iso8601', event(), '2023-11-14T22:13:25.123456789Z'],
  ['evt.rawtime', event(), 1_700_000_005_123_456_789n],
  ['evt.res', event({ res: -2 }), 'ENOENT'],
  ['evt.res', event({ res: 3 }), 'SUCCESS'],
  ['evt.res', event({ res: -115 }), 'EINPROGRESS'],
  ['evt.rawres', event({ res: -13 }), -13],
  ['evt.failed', event({ res: -13 }), true],
  ['evt.hostname', event(), 'node-1'],
  ['evt.arg', openat(0o2000000), 'O_RDONLY|O_CLOEXEC', 'flags'],
  ['evt.arg', openat(0o1101), 'O_TRUNC|O_CREAT|O_WRONLY', 'flags'],
  ['evt.arg', openat(0), '/etc/shadow', 'name'],
  ['evt.arg', openat(0), '/etc/shadow', '2'],
  ['evt.arg', event({ type: 'ptrace', args: { request: 16, pid: 9 } }), 'PTRACE_ATTACH', 'request'],
  // Relative paths render absolute: against the dirfd's directory, or the cwd; rawarg keeps them raw.
  ['evt.arg', event({ type: 'unlinkat', thread: thread({ cwd: '/srv/app', fds: new Map([[7, fileFd('/var/log', { num: 7, type: 'directory' })]]) }), args: { dirfd: 7, name: 'old.log', flags: 0 } }), '/var/log/old.log', 'name'],
  ['evt.arg', event({ type: 'unlinkat', thread: thread({ cwd: '/srv/app' }), args: { dirfd: -100, name: '../x', flags: 0 } }), '/srv/x', 'name'],
  // a chdir is seen after it moved the cwd: its relative path is where the cwd is now, not joined twice
  ['evt.arg', event({ type: 'chdir', res: 0, thread: thread({ cwd: '/srv/app/sub' }), args: { path: 'sub' } }), '/srv/app/sub', 'path'],
  ['evt.arg', event({ type: 'chdir', res: -2, thread: thread({ cwd: '/srv/app' }), args: { path: 'nope' } }), '/srv/app/nope', 'path'],
  ['evt.rawarg', event({ type: 'chdir', res: 0, thread: thread({ cwd: '/srv/app/sub' }), args: { path: 'sub' } }), 'sub', 'path'],
  ['evt.arg', event({ type: 'rename', thread: thread({ cwd: '/tmp' }), args: { oldpath: 'a', newpath: '/b' } }), '/tmp/a', 'oldpath'],
  ['evt.arg', event({ type: 'symlinkat', thread: thread({ cwd: '/tmp' }), args: { target: 'rel', linkdirfd: -100, linkpath: 'l' } }), 'rel', 'target'],
  ['evt.rawarg', event({ type: 'rename', thread: thread({ cwd: '/tmp' }), args: { oldpath: 'a', newpath: '/b' } }), 'a', 'oldpath'],
  // fs.path: one name for the path whatever the syscall calls it, resolved; *raw as passed.
  ['fs.path.name', event({ type: 'unlinkat', thread: thread({ cwd: '/var/log' }), args: { dirfd: -100, name: 'old.log', flags: 0 } }), '/var/log/old.log'],
  ['fs.path.nameraw', event({ type: 'unlinkat', thread: thread({ cwd: '/var/log' }), args: { dirfd: -100, name: 'old.log', flags: 0 } }), 'old.log'],
  ['fs.path.name', event({ type: 'unlink', args: { path: '/root/.bash_history' } }), '/root/.bash_history'],
  ['fs.path.name', openat(0), '/etc/shadow'],
  ['fs.path.name', event({ type: 'mkdirat', thread: thread({ cwd: '/' }), args: { dirfd: -100, path: 'tmp/x', mode: 0o755 } }), '/tmp/x'],
  ['fs.path.source', event({ type: 'renameat2', thread: thread({ cwd: '/srv' }), args: { olddirfd: -100, oldpath: 'a', newdirfd: -100, newpath: 'b', flags: 0 } }), '/srv/a'],
  ['fs.path.target', event({ type: 'renameat2', thread: thread({ cwd: '/srv' }), args: { olddirfd: -100, oldpath: 'a', newdirfd: -100, newpath: 'b', flags: 0 } }), '/srv/b'],
  ['fs.path.source', event({ type: 'symlinkat', thread: thread({ cwd: '/tmp' }), args: { target: '../etc/shadow', linkdirfd: -100, linkpath: 'l' } }), '../etc/shadow'],
  ['fs.path.target', event({ type: 'symlinkat', thread: thread({ cwd: '/tmp' }), args: { target: '../etc/shadow', linkdirfd: -100, linkpath: 'l' } }), '/tmp/l'],
  ['fs.path.name', event({ type: 'connect', args: { fd: 3 } }), undefined],
  ['fs.path.source', openat(0), undefined],
  ['evt.arg', event({ type: 'socket', args: { fd: 3, domain: 17, type: 3, proto: 0 } }), 'AF_PACKET', 'domain'],
  ['evt.arg', event({ type: 'setuid', args: { uid: 1000 } }), 'alice', 'uid'],
  ['evt.arg', event({ type: 'setuid', args: { uid: 4242 } }), '4242', 'uid'],
  ['evt.arg', event({ type: 'chmod', args: { filename: '/x', mode: 0o4755 } }), 'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID', 'mode'],
  ['evt.arg', event(), undefined, 'flags'],
  ['evt.rawarg', openat(0o100), 0o100, 'flags'],
  ['evt.args', event({ type: 'setuid', args: { uid: 0 } }), 'uid=root'],
  ['evt.is_open_read', openat(0), true],
  ['evt.is_open_write', openat(0), false],
  ['evt.is_open_write', openat(2), true],
  ['evt.is_open_read', event(), undefined],
  ['evt.is_open_exec', openat(0o100, { args: { flags: 0o101, mode: 0o755 } }), true],
  // proc / thread
  ['proc.name', event(), 'curl'],
  ['proc.exe', event(), 'curl'],
  ['proc.exepath', event(), '/usr/bin/curl'],
  ['proc.args', event(), '-s http://example.com'],
  ['proc.cmdline', event(), 'curl -s http://example.com'],
  ['proc.cmdline', event({ thread: thread({ args: [] }) }), 'curl'],
  ['proc.cwd', event(), '/root/'],
  ['proc.env', event(), 'HOME=/root PATH=/bin'],
  ['proc.env', event(), '/root', 'HOME'],
  ['proc.env', event(), undefined, 'NOPE'],
  ['proc.tty', event(), 34816],
  ['proc.pname', event(), 'bash'],
  ['proc.pexepath', event(), '/bin/bash'],
  ['proc.pcmdline', event(), 'bash -i'],
  ['proc.aname', event(), 'curl', '0'],
  ['proc.aname', event(), 'containerd-shim', '2'],
  ['proc.aname', event(), 'systemd', '3'],
  ['proc.aname', event(), undefined, '4'],
  ['proc.aname', event(), ['bash', 'containerd-shim', 'systemd']],
  ['proc.aexepath', event(), '/usr/bin/containerd-shim', '2'],
  ['proc.pname', event({ thread: thread({ ppid: 999 }) }), undefined],
  ['proc.sname', event(), 'bash'],
  ['proc.vpgid.name', event(), 'curl'],
  ['proc.is_vpgid_leader', event(), true],
  ['proc.duration', event(), 5_123_456_789n],
  ['proc.ppid.duration', event(), 15_123_456_789n],
  ['proc.is_exe_upper_layer', event(), false],
  ['proc.exe_ino.ctime', event(), undefined],
  ['proc.exe_ino.ctime_duration_proc_start', event({ thread: thread({ exeInoCtime: 1_699_999_999_000_000_000n }) }), 1_000_000_000n],
  ['thread.cap_effective', event(), 'CAP_CHOWN CAP_SYS_ADMIN'],
  ['thread.cap_inheritable', event(), ''],
  ['thread.tid', event(), 300],
  // user / group
  ['user.uid', event(), 0],
  ['user.name', event(), 'root'],
  ['user.loginuid', event(), 1000],
  ['user.loginuid', event({ thread: thread({ loginuid: 4294967295 }) }), -1],
  ['user.loginname', event(), 'alice'],
  ['user.homedir', event(), '/root'],
  ['user.shell', event(), '/bin/bash'],
  ['user.name', event({ thread: thread({ euid: 4242 }) }), undefined],
  ['group.gid', event(), 0],
  ['group.name', event(), 'root'],
  // fd
  ['fd.name', openat(0), '/etc/shadow'],
  ['fd.directory', openat(0), '/etc'],
  ['fd.filename', openat(0), 'shadow'],
  ['fd.typechar', openat(0), 'f'],
  ['fd.type', openat(0), 'file'],
  ['fd.num', openat(0), 3],
  ['fd.num', openat(0, { fd: fileFd('/nope', { num: -1 }) }), -1],
  ['fd.nameraw', openat(0, { fd: fileFd('/etc/shadow', { nameRaw: '../../etc/shadow' }) }), '../../etc/shadow'],
  ['fd.name', event(), undefined],
  ['fd.sport', openat(0), undefined],
  ['fd.typechar', event({ type: 'connect', fd: tcpFd() }), '4'],
  ['fd.sip', event({ type: 'connect', fd: tcpFd() }), '93.184.216.34'],
  ['fd.cip', event({ type: 'connect', fd: tcpFd() }), '10.0.0.5'],
  ['fd.lport', event({ type: 'connect', fd: tcpFd() }), 40000],
  ['fd.rport', event({ type: 'connect', fd: tcpFd() }), 443],
  ['fd.lport', event({ type: 'accept', fd: tcpFd({ isServer: true }) }), 443],
  ['fd.rip', event({ type: 'accept', fd: tcpFd({ isServer: true }) }), '10.0.0.5'],
  ['fd.l4proto', event({ type: 'connect', fd: tcpFd() }), 'tcp'],
  ['fd.sockfamily', event({ type: 'connect', fd: tcpFd() }), 'ip'],
  ['fd.connected', event({ type: 'connect', fd: tcpFd() }), true],
  ['fd.sip.name', event({ type: 'connect', fd: tcpFd() }), undefined],
  ['fd.types', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })], [1, fileFd('/x', { num: 1 })]]) }) }), 'ipv4', '0'],
  ['fd.types', event({ thread: thread({ fds: new Map([[0, tcpFd({ num: 0 })], [1, fileFd('/x', { num: 1 })]]) }) }), ['ipv4', 'file']],
  // container / k8s
  ['container.id', event(), 'abcdef123456'],
  ['container.name', event(), 'web'],
  ['container.name', event({ thread: thread({ containerId: 'host' }) }), 'host'],
  ['container.image.repository', event(), 'nginx'],
  ['container.image.repository', event({ thread: thread({ containerId: 'host' }) }), undefined],
  ['container.image.tag', event(), '1.25'],
  ['container.privileged', event(), true],
  ['container.start_ts', event(), 1_699_999_000_000_000_000n],
  ['container.mount.dest', event(), '/var/run/docker.sock', '/var/run/docker.sock'],
  ['container.mount.dest', event(), '/host/proc', '/proc*'],
  ['container.mount.dest', event(), undefined, '/etc'],
  ['container.label', event(), 'web', 'team'],
  ['k8s.ns.name', event(), 'prod'],
  ['k8s.pod.name', event(), 'web-1'],
  ['k8s.pod.label', event(), 'web', 'app'],
  ['k8s.pod.labels', event(), ['app:web']],
];

describe('field extractors', () => {
  it.each(cases)('%s on %#', (field, evt, expected, arg) => {
    expect(read(field, evt, arg)).toEqual(expected);
  });
});

describe('field registry', () => {
  it('resolves dotted arguments whole or split', () => {
    expect(fieldRegistry.lookup('evt.arg.flags')?.name).toBe('evt.arg');
    expect(fieldRegistry.lookup('k8s.pod.label.app')?.name).toBe('k8s.pod.label');
    expect(fieldRegistry.resolve('evt.arg', 'flags')?.arg).toBe('flags');
    expect(fieldRegistry.lookup('proc.nope')).toBeUndefined();
  });

  it('reports bad arguments as messages', () => {
    expect(fieldRegistry.bind('proc.aname', 'x')).toBe('proc.aname[x]: index must be a number');
    expect(fieldRegistry.bind('proc.name', '1')).toBe('proc.name takes no argument');
    expect(fieldRegistry.bind('evt.arg', undefined)).toMatch(/needs a parameter/);
    expect(fieldRegistry.bind('proc.nope', undefined)).toBe("unknown field 'proc.nope'");
  });

  it('lists every field once, with availability', () => {
    const list = fieldRegistry.list();
    expect(new Set(list.map((f) => f.name)).size).toBe(list.length);
    expect(list.find((f) => f.name === 'evt.buffer')?.available).toBe(false);
    expect(list.find((f) => f.name === 'fd.sip.name')?.available).not.toBe(false);
    expect(list.find((f) => f.name === 'proc.aname')?.usage).toBe('proc.aname, proc.aname[N]');
    expect(list.find((f) => f.name === 'evt.arg')?.usage).toBe('evt.arg.KEY, evt.arg[KEY]');
  });

  it('gives evt.time its raw ns form for JSON', () => {
    const b = fieldRegistry.bind('evt.time', undefined, true);
    expect(typeof b === 'string' ? b : b.extract(event(), ctx)).toBe(1_700_000_005_123_456_789n);
  });
});
