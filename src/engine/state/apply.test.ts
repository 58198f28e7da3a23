import { describe, expect, it } from 'vitest';
import type { ArgValue, RawRecord } from '../event.js';
import { ReplayTaskSource } from '../../metadata/task-source.js';
import { StateMachine } from './apply.js';
import { ThreadTable } from './threads.js';

const CID = 'a'.repeat(64);

function rec(type: string, res: number, args: Record<string, ArgValue>, over: Partial<RawRecord> = {}): RawRecord {
  return { ts: 1_000n, type, tid: 100, pid: 100, ppid: 1, uid: 0, gid: 0, loginuid: 4294967295, comm: 'sh', cgroupId: 0n, res, args, ...over };
}

function machine(): StateMachine {
  const threads = new ThreadTable();
  threads.seed(
    [
      {
        tid: 100, pid: 100, ppid: 1, comm: 'sh', exe: 'sh', exepath: '/bin/sh', args: [], cwd: '/root', uid: 0, gid: 0,
        euid: 0, egid: 0, loginuid: 1000, tty: 34816, sid: 100, pgid: 100, vpid: 1, vpgid: 1, cgroup: `/docker/${CID}`,
        startTs: 1n, env: ['HOME=/root'], capEffective: 0n, capPermitted: 0n, capInheritable: 0n,
        fds: [{ num: 3, type: 'directory', name: '/etc', openFlags: 0o200000 }],
      },
    ],
    (c) => new ReplayTaskSource().containerOf(c),
  );
  return new StateMachine(threads, new ReplayTaskSource());
}

describe('StateMachine', () => {
  it('resolves relative open paths against the cwd and dirfd, and tracks the new fd', () => {
    const m = machine();
    const e1 = m.apply(rec('openat', 4, { dirfd: -100, name: 'notes.txt', flags: 0o101, mode: 0o644 }));
    expect(e1.fd).toMatchObject({ num: 4, name: '/root/notes.txt', type: 'file' });
    const e2 = m.apply(rec('openat', 5, { dirfd: 3, name: 'shadow', flags: 0 }));
    expect(e2.fd?.name).toBe('/etc/shadow');
    const e4 = m.apply(rec('openat', 6, { dirfd: -100, name: '../etc/../etc/passwd', flags: 0 }));
    expect(e4.fd).toMatchObject({ name: '/etc/passwd', nameRaw: '../etc/../etc/passwd' });
    expect(e2.thread.containerId).toBe(CID.slice(0, 12));
    const e3 = m.apply(rec('read', 10, { fd: 5, size: 10 }));
    expect(e3.fd?.name).toBe('/etc/shadow');
  });

  it('gives a failed open a transient fd numbered -1', () => {
    const e = machine().apply(rec('openat', -2, { dirfd: -100, name: '/nope', flags: 0 }));
    expect(e.fd).toMatchObject({ num: -1, name: '/nope' });
  });

  it('closes after the close event itself has been seen', () => {
    const m = machine();
    const e = m.apply(rec('close', 0, { fd: 3 }));
    expect(e.fd?.name).toBe('/etc');
    m.apply(rec('read', -9, { fd: 3 }));
    expect(m.threads.get(100)?.fds.has(3)).toBe(false);
  });

  it('forks a child with a copy of the fds, then execs a new image in it', () => {
    const m = machine();
    m.apply(rec('clone', 200, { flags: 0, childtid: 200 }));
    const child = m.threads.get(200);
    expect(child).toMatchObject({ pid: 200, ppid: 100, exepath: '/bin/sh' });
    expect(child?.fds).not.toBe(m.threads.get(100)?.fds);
    const e = m.apply(rec('execve', 0, { exe: 'cat', args: ['cat', '/etc/shadow'], filename: '/bin/cat' }, { tid: 200, pid: 200, ppid: 100, comm: 'cat' }));
    expect(e.thread).toMatchObject({ comm: 'cat', exe: 'cat', args: ['/etc/shadow'], exepath: '/bin/cat', cwd: '/root' });
  });

  it('takes proc.exepath from the file the image runs, and tells a memfd apart', () => {
    const m = machine();
    const e = m.apply(rec('execve', 0, { exe: 'sh', args: ['sh'], filename: '/bin/sh', trusted_exepath: '/usr/bin/dash' }, { comm: 'sh' }));
    expect(e.thread).toMatchObject({ exepath: '/usr/bin/dash', exeFromMemfd: false });
    const f = m.apply(rec('execve', 0, { exe: 'x', args: ['x'], filename: '/proc/self/fd/3', trusted_exepath: '/memfd:payload (deleted)' }, { comm: '3' }));
    expect(f.thread).toMatchObject({ exepath: '/memfd:payload', exeFromMemfd: true });
    // A capture without the parameter falls back to the path the caller passed, resolved against the cwd.
    const g = m.apply(rec('execve', 0, { exe: 'tool', args: ['tool'], filename: 'bin/tool' }, { comm: 'tool' }));
    expect(g.thread).toMatchObject({ exepath: '/root/bin/tool', exeFromMemfd: false });
  });

  it('takes the effective ids from an exec (a setuid binary) and keeps the real ones', () => {
    const m = machine();
    m.apply(rec('setuid', 0, { uid: 1000 }));
    const e = m.apply(rec('execve', 0, { exe: 'sudo', args: ['sudo'], filename: '/usr/bin/sudo' }, { comm: 'sudo', uid: 0, gid: 0 }));
    expect(e.thread).toMatchObject({ uid: 1000, euid: 0 });
  });

  it('adopts threads it has never seen from the record header', () => {
    const e = machine().apply(rec('openat', 3, { dirfd: -100, name: 'x', flags: 0 }, { tid: 300, pid: 300, ppid: 100, comm: 'ls', cgroup: '/' }));
    expect(e.thread).toMatchObject({ tid: 300, comm: 'ls', cwd: '/root', containerId: 'host' });
  });

  it('records socket tuples on connect and accept', () => {
    const m = machine();
    m.apply(rec('socket', 6, { domain: 2, type: 1, proto: 0 }));
    const c = m.apply(rec('connect', 0, { fd: 6, addr: { family: 'ipv4', ip: '127.0.0.1', port: 8080 } }));
    expect(c.fd).toMatchObject({ type: 'ipv4', l4proto: 'tcp', sip: '127.0.0.1', sport: 8080, isServer: false });
    m.apply(rec('socket', 7, { domain: 2, type: 1, proto: 0 }));
    m.apply(rec('bind', 0, { fd: 7, addr: { family: 'ipv4', ip: '0.0.0.0', port: 80 } }));
    const a = m.apply(rec('accept4', 8, { listenfd: 7, addr: { family: 'ipv4', ip: '10.1.2.3', port: 5555 }, flags: 0 }));
    expect(a.fd).toMatchObject({ num: 8, cip: '10.1.2.3', cport: 5555, sport: 80, isServer: true, name: '10.1.2.3:5555->0.0.0.0:80' });
  });

  it('names a connected fd from both ends when the probe sends the local one', () => {
    const m = machine();
    m.apply(rec('socket', 6, { domain: 2, type: 1, proto: 0 }));
    const c = m.apply(rec('connect', 0, { fd: 6, addr: { family: 'ipv4', ip: '127.0.0.1', port: 8080 }, laddr: { family: 'ipv4', ip: '127.0.0.1', port: 40000 } }));
    expect(c.fd).toMatchObject({ cip: '127.0.0.1', cport: 40000, sip: '127.0.0.1', sport: 8080, name: '127.0.0.1:40000->127.0.0.1:8080' });
    m.apply(rec('socket', 7, { domain: 2, type: 1, proto: 0 }));
    m.apply(rec('bind', 0, { fd: 7, addr: { family: 'ipv4', ip: '0.0.0.0', port: 80 } }));
    const a = m.apply(rec('accept', 8, { listenfd: 7, addr: { family: 'ipv4', ip: '127.0.0.1', port: 5555 }, laddr: { family: 'ipv4', ip: '127.0.0.1', port: 80 } }));
    expect(a.fd).toMatchObject({ sip: '127.0.0.1', sport: 80, isServer: true, name: '127.0.0.1:5555->127.0.0.1:80' });
  });

  it('gives an unconnected UDP socket the tuple of its last send (client) or receive (server)', () => {
    const m = machine();
    m.apply(rec('socket', 5, { domain: 2, type: 2, proto: 0 }));
    const sent = m.apply(rec('sendto', 4, { fd: 5, size: 4, tuple: { family: 'ipv4', ip: '127.0.0.53', port: 53 }, laddr: { family: 'ipv4', ip: '0.0.0.0', port: 41000 } }));
    expect(sent.fd).toMatchObject({ l4proto: 'udp', isServer: false, sip: '127.0.0.53', sport: 53, cport: 41000, name: '0.0.0.0:41000->127.0.0.53:53' });
    const got = m.apply(rec('recvfrom', 4, { fd: 5, size: 4, tuple: { family: 'ipv4', ip: '127.0.0.9', port: 9999 }, laddr: { family: 'ipv4', ip: '0.0.0.0', port: 41000 } }));
    expect(got.fd).toMatchObject({ isServer: true, cip: '127.0.0.9', cport: 9999, sport: 41000, name: '127.0.0.9:9999->0.0.0.0:41000' });
    // a failed send, or one without an address, leaves the fd as it was
    m.apply(rec('sendto', -111, { fd: 5, size: 4, tuple: { family: 'ipv4', ip: '127.0.0.1', port: 1 }, laddr: undefined }));
    expect(m.apply(rec('sendto', 4, { fd: 5, size: 4, tuple: undefined, laddr: undefined })).fd?.name).toBe('127.0.0.9:9999->0.0.0.0:41000');
  });

  it('keeps a connected socket named after its connect whatever it sends to', () => {
    const m = machine();
    m.apply(rec('socket', 5, { domain: 2, type: 2, proto: 0 }));
    m.apply(rec('connect', 0, { fd: 5, addr: { family: 'ipv4', ip: '127.0.0.53', port: 53 }, laddr: { family: 'ipv4', ip: '127.0.0.1', port: 41000 } }));
    const e = m.apply(rec('sendto', 4, { fd: 5, size: 4, tuple: { family: 'ipv4', ip: '127.0.0.2', port: 7 }, laddr: { family: 'ipv4', ip: '127.0.0.1', port: 41000 } }));
    expect(e.fd?.name).toBe('127.0.0.1:41000->127.0.0.53:53');
  });

  it('copies an fd on fcntl F_DUPFD_CLOEXEC, and leaves the table alone on other commands', () => {
    const m = machine();
    m.apply(rec('openat', 3, { dirfd: -100, name: '/etc/hosts', flags: 0 }));
    m.apply(rec('fcntl', 10, { fd: 3, cmd: 1030 }));
    expect(m.threads.get(100)?.fds.get(10)).toMatchObject({ num: 10, name: '/etc/hosts', openFlags: 0o2000000 });
    m.apply(rec('fcntl', 0, { fd: 3, cmd: 4 })); // F_SETFL: res 0 is not a new fd
    expect(m.threads.get(100)?.fds.get(0)?.name).not.toBe('/etc/hosts');
  });

  it('names both ends of a new pipe pipe:[ino], as /proc does', () => {
    const m = machine();
    const e = m.apply(rec('pipe2', 0, { fd1: 5, fd2: 6, flags: 0o2000000, ino: 4242 }));
    expect(e.fd).toMatchObject({ num: 5, type: 'pipe', name: 'pipe:[4242]', ino: 4242 });
    expect(m.threads.get(100)?.fds.get(6)).toMatchObject({ type: 'pipe', name: 'pipe:[4242]' });
  });

  it('changes ids on a successful setuid only', () => {
    const m = machine();
    m.apply(rec('setuid', -1, { uid: 1000 }));
    expect(m.threads.get(100)?.uid).toBe(0);
    m.apply(rec('setuid', 0, { uid: 1000 }));
    expect(m.threads.get(100)).toMatchObject({ uid: 1000, euid: 1000 });
  });

  it('forgets a thread a second (of event time) after its exit: records still naming it find it until then', () => {
    const m = machine();
    m.apply(rec('procexit', 0, { status: 0 }));
    expect(m.threads.get(100)).toBeDefined();
    // a child's record sent just after the parent's exit still finds its parent
    m.apply(rec('clone', 300, { flags: 0, childtid: 300 }, { tid: 1, pid: 1, ppid: 0, ts: 2_000n }));
    const e = m.apply(rec('openat', 3, { dirfd: -100, name: '/x', flags: 0 }, { tid: 300, pid: 300, ppid: 100, ts: 3_000n }));
    expect(m.threads.get(100)).toMatchObject({ exited: true, comm: 'sh' });
    expect(m.threads.get(e!.thread.ppid)?.comm).toBe('sh');
    m.apply(rec('read', 0, { fd: 3 }, { tid: 1, pid: 1, ppid: 0, ts: 1_000_001_001n }));
    expect(m.threads.get(100)).toBeUndefined();
  });

  it('takes a record of an exited tid for a new task, not the dead one', () => {
    const m = machine();
    m.apply(rec('procexit', 0, { status: 0 }));
    const e = m.apply(rec('openat', 3, { dirfd: -100, name: '/y', flags: 0 }, { comm: 'reused', ppid: 7 }));
    expect(e!.thread).toMatchObject({ comm: 'reused', exited: false });
  });
});

describe('StateMachine: processes as the kernel reports them', () => {
  it('keeps an exited leader while its process has other threads, for the pid its children name', () => {
    const m = machine();
    m.apply(rec('clone', 101, { flags: 0x10000 | 0x400, childtid: 101 }));
    m.apply(rec('procexit', 0, { status: 0 }));
    m.apply(rec('read', 0, { fd: 3 }, { tid: 101, ts: 5_000_000_000n }));
    expect(m.threads.get(100)).toMatchObject({ leaderExited: true, exited: false });
    m.apply(rec('procexit', 0, { status: 0 }, { tid: 101, ts: 5_000_000_001n }));
    m.apply(rec('read', 0, { fd: 3 }, { tid: 1, pid: 1, ppid: 0, ts: 9_000_000_000n }));
    expect(m.threads.get(100)).toBeUndefined();
    expect(m.threads.get(101)).toBeUndefined();
  });

  it('lets an exec from another thread than the leader take the process over under its pid', () => {
    const m = machine();
    m.apply(rec('clone', 101, { flags: 0x10000 | 0x400, childtid: 101 }));
    // the kernel ends the leader without an exit record; the exec comes with the leader's tid
    const e = m.apply(rec('execve', 0, { exe: 'cat', args: ['cat', '/etc/hostname'], filename: '/bin/cat', trusted_exepath: '/usr/bin/cat', old_tid: 101 }, { comm: 'cat' }));
    expect(e!.thread).toMatchObject({ tid: 100, pid: 100, comm: 'cat', exepath: '/usr/bin/cat', cwd: '/root', vpid: 1 });
    expect(e!.thread.fds.get(3)?.name).toBe('/etc');
    expect(m.threads.get(101)).toBeUndefined();
  });

  it('takes the new image facts an exec reports: capabilities, inode, overlay upper layer, terminal, environment', () => {
    const e = machine().apply(
      rec('execve', 0, {
        exe: 'x', args: ['x'], filename: '/tmp/x', trusted_exepath: '/tmp/x', cap_inheritable: 0, cap_permitted: 0x3fffffffff,
        cap_effective: 0x20, exe_ino: 42, exe_ino_ctime: 1_700_000_000_000_000_001n, exe_ino_mtime: 1_700_000_000_000_000_000n,
        exe_upper_layer: 1, old_tid: 100, tty: 34817, env: ['PATH=/bin', 'FOO=bar'],
      }, { comm: 'x' }),
    );
    expect(e!.thread).toMatchObject({
      capEffective: 0x20n, capPermitted: 0x3fffffffffn, capInheritable: 0n, exeIno: 42, exeInoCtime: 1_700_000_000_000_000_001n,
      exeInoMtime: 1_700_000_000_000_000_000n, exeUpperLayer: true, tty: 34817, env: ['PATH=/bin', 'FOO=bar'],
    });
  });

  it('gives a forked child its pid as its own namespace sees it', () => {
    const m = machine();
    m.apply(rec('clone', 200, { flags: 0x20000000, childtid: 200, vtid: 1, vpid: 1 }));
    expect(m.threads.get(200)).toMatchObject({ pid: 200, vpid: 1 });
    m.apply(rec('clone', 201, { flags: 0x10000, childtid: 201, vtid: 7, vpid: 1 }, { tid: 200, pid: 200, ppid: 100 }));
    expect(m.threads.get(201)).toMatchObject({ pid: 200, vpid: 1 });
  });

  it('follows setsid, and setpgid on itself and on a child', () => {
    const m = machine();
    m.apply(rec('clone', 200, { flags: 0, childtid: 200, vtid: 200, vpid: 200 }));
    m.apply(rec('setsid', 200, {}, { tid: 200, pid: 200 }));
    expect(m.threads.get(200)).toMatchObject({ sid: 200, pgid: 200 });
    m.apply(rec('clone', 300, { flags: 0, childtid: 300, vtid: 300, vpid: 300 }, { tid: 200, pid: 200 }));
    m.apply(rec('setpgid', 0, { pid: 300, pgid: 300 }, { tid: 200, pid: 200 }));
    expect(m.threads.get(300)).toMatchObject({ sid: 200, pgid: 300, vpgid: 300 });
    m.apply(rec('setpgid', 0, { pid: 0, pgid: 200 }, { tid: 300, pid: 300, ppid: 200 }));
    expect(m.threads.get(300)).toMatchObject({ pgid: 200 });
  });

  it('takes the capability sets capset and a uid change report', () => {
    const m = machine();
    m.apply(rec('capset', 0, { cap_inheritable: 0x2000, cap_permitted: 0x3000, cap_effective: 0x1000 }));
    expect(m.threads.get(100)).toMatchObject({ capInheritable: 0x2000n, capPermitted: 0x3000n, capEffective: 0x1000n });
    m.apply(rec('setuid', 0, { uid: 65534, cap_inheritable: 0, cap_permitted: 0, cap_effective: 0 }));
    expect(m.threads.get(100)).toMatchObject({ uid: 65534, capEffective: 0n });
  });

  it('says when an event changed its fd name (fd.name_changed): a UDP socket moving to another peer', () => {
    const m = machine();
    m.apply(rec('socket', 5, { domain: 2, type: 2, proto: 0 }));
    const peer = (port: number) => ({ family: 'ipv4' as const, ip: '127.0.0.1', port });
    const local = { family: 'ipv4' as const, ip: '0.0.0.0', port: 4000 };
    const send = (port: number) => m.apply(rec('sendto', 4, { fd: 5, size: 4, tuple: peer(port), laddr: local }))!;
    expect(send(53).fdNameChanged).toBe(true);
    expect(send(53).fdNameChanged).toBe(false);
    expect(send(54).fdNameChanged).toBe(true);
    expect(m.apply(rec('read', 0, { fd: 5, size: 0 }))!.fdNameChanged).toBe(false);
  });

  it('learns cgroup paths from the probe, and shows no event for them', () => {
    const m = machine();
    expect(m.apply(rec('cgroup', 0, { path: `/docker/${CID}` }, { cgroupId: 77n, tid: 0, pid: 0 }))).toBeUndefined();
    const e = m.apply(rec('openat', 3, { dirfd: -100, name: '/z', flags: 0 }, { tid: 500, pid: 500, cgroupId: 77n }));
    expect(e!.thread).toMatchObject({ cgroup: `/docker/${CID}`, containerId: CID.slice(0, 12) });
  });
});

describe('ThreadTable.purge', () => {
  it('forgets the threads that are gone, keeps the live ones, and says how many went', () => {
    const m = machine();
    m.apply(rec('clone', 200, { childtid: 200, flags: 0 }));
    m.apply(rec('clone', 201, { childtid: 201, flags: 0 }));
    expect(m.threads.size).toBe(3);
    expect(m.threads.purge((tid) => tid !== 200)).toBe(1);
    expect(m.threads.get(200)).toBeUndefined();
    expect(m.threads.get(201)).toBeDefined();
    expect(m.threads.get(100)).toBeDefined();
  });
});
