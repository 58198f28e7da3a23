// The fd table never guesses: fds whose origin the monitor did not see have no name (not a path
// built from the cwd), and every way the probe reports close-on-exec empties the table on exec.
import { describe, expect, it } from 'vitest';
import type { ArgValue, Fd, RawRecord } from '../event.js';
import { ReplayTaskSource } from '../../metadata/task-source.js';
import { StateMachine } from './apply.js';
import { ThreadTable } from './threads.js';

const O_CLOEXEC = 0o2000000;
const SOCK_STREAM = 1;
const AF_INET = 2;

function rec(type: string, res: number, args: Record<string, ArgValue>): RawRecord {
  return { ts: 1_000n, type, tid: 100, pid: 100, ppid: 1, uid: 0, gid: 0, loginuid: 4294967295, comm: 'sh', cgroupId: 0n, res, args };
}

function machine(): StateMachine {
  const threads = new ThreadTable();
  threads.seed(
    [
      {
        tid: 100, pid: 100, ppid: 1, comm: 'sh', exe: 'sh', exepath: '/bin/sh', args: [], cwd: '/root', uid: 0, gid: 0,
        euid: 0, egid: 0, loginuid: 1000, tty: 0, sid: 100, pgid: 100, vpid: 100, vpgid: 100, cgroup: '/',
        startTs: 1n, env: [], capEffective: 0n, capPermitted: 0n, capInheritable: 0n,
        fds: [{ num: 3, type: 'directory', name: '/etc', openFlags: 0o200000 }],
      },
    ],
    () => 'host',
  );
  return new StateMachine(threads, new ReplayTaskSource());
}

/** Applies the records in turn; returns the last event's fd and the machine. */
function run(records: RawRecord[]): { fd: Fd | undefined; m: StateMachine } {
  const m = machine();
  let fd: Fd | undefined;
  for (const r of records) fd = m.apply(r)?.fd;
  return { fd, m };
}

const EXEC = rec('execve', 0, { exe: 'true', args: ['true'], filename: '/bin/true' });

describe('fds of unseen origin', () => {
  it.each<[string, RawRecord[], Partial<Fd>]>([
    ['a write to an fd the table never saw (SCM_RIGHTS, a missed snapshot)', [rec('write', 1, { fd: 9, size: 1 })], { num: 9, type: 'unknown', name: undefined }],
    ['an openat relative to an unknown dirfd', [rec('openat', 5, { dirfd: 9, name: 'x.txt', flags: 0o101 })], { num: 5, name: undefined, nameRaw: 'x.txt' }],
    ['an openat of an absolute path through an unknown dirfd', [rec('openat', 5, { dirfd: 9, name: '/etc/passwd', flags: 0 })], { num: 5, name: '/etc/passwd' }],
    ['an openat relative to a known directory fd', [rec('openat', 5, { dirfd: 3, name: 'shadow', flags: 0 })], { num: 5, name: '/etc/shadow' }],
    ['an openat relative to the known cwd', [rec('openat', 5, { dirfd: -100, name: 'notes', flags: 0 })], { num: 5, name: '/root/notes' }],
    [
      'a dup2 of an unknown fd over a known one',
      [rec('openat', 4, { dirfd: -100, name: '/tmp/a', flags: 0 }), rec('dup2', 4, { oldfd: 9, newfd: 4 })],
      { num: 4, type: 'unknown', name: undefined },
    ],
    [
      'fcntl F_DUPFD of an unknown fd',
      [rec('openat', 4, { dirfd: -100, name: '/tmp/a', flags: 0 }), rec('fcntl', 4, { fd: 9, cmd: 0 }), rec('read', 1, { fd: 4, size: 1 })],
      { num: 4, type: 'unknown', name: undefined },
    ],
    [
      'pidfd_getfd replaces a stale entry of the same number',
      [rec('openat', 7, { dirfd: -100, name: '/tmp/a', flags: 0 }), rec('pidfd_getfd', 7, { pidfd: 6, targetfd: 1, flags: 0 })],
      { num: 7, name: undefined },
    ],
    [
      // The listener became a stub (an fcntl on it), which says nothing of its family: the peer does.
      'an accept on a listener known only as an unseen stub',
      [rec('fcntl', 2, { fd: 7, cmd: 3 }), rec('accept4', 8, { listenfd: 7, addr: { family: 'ipv4', ip: '127.0.0.1', port: 40000 }, flags: 0 })],
      { num: 8, type: 'ipv4', l4proto: 'tcp', cip: '127.0.0.1', cport: 40000 },
    ],
    [
      'an openat relative to the cwd after an fchdir to an unknown fd',
      [rec('fchdir', 0, { fd: 9 }), rec('openat', 5, { dirfd: -100, name: 'x', flags: 0 })],
      { num: 5, name: undefined },
    ],
  ])('%s', (_what, records, want) => {
    const { fd } = run(records);
    expect(fd).toMatchObject(want);
    if ('name' in want && want.name === undefined) expect(fd?.name).toBeUndefined();
  });

  it('keeps the unseen fd in the table once a syscall on it succeeded, and forgets it on close', () => {
    const { m } = run([rec('write', 1, { fd: 9, size: 1 })]);
    expect(m.threads.get(100)?.fds.get(9)).toMatchObject({ num: 9, type: 'unknown' });
    m.apply(rec('close', 0, { fd: 9 }));
    m.apply(rec('read', -9, { fd: 9, size: 1 }));
    expect(m.threads.get(100)?.fds.has(9)).toBe(false);
  });

  it('does not add an fd for a syscall that failed on it (EBADF)', () => {
    const { fd, m } = run([rec('write', -9, { fd: 9, size: 1 })]);
    expect(fd).toMatchObject({ num: 9, type: 'unknown' });
    expect(m.threads.get(100)?.fds.has(9)).toBe(false);
  });

  it('leaves a relative evt path argument unresolved when the cwd is unknown', () => {
    const { m } = run([rec('fchdir', 0, { fd: 9 })]);
    expect(m.threads.get(100)?.cwd).toBe('');
  });
});

describe('close-on-exec', () => {
  it.each<[string, RawRecord[], number[], boolean]>([
    ['socket(SOCK_CLOEXEC)', [rec('socket', 5, { domain: AF_INET, type: SOCK_STREAM | O_CLOEXEC, proto: 0 })], [5], false],
    ['socket without SOCK_CLOEXEC', [rec('socket', 5, { domain: AF_INET, type: SOCK_STREAM, proto: 0 })], [5], true],
    ['accept4(SOCK_CLOEXEC)', [rec('accept4', 6, { listenfd: 5, flags: O_CLOEXEC })], [6], false],
    ['accept', [rec('accept', 6, { listenfd: 5 })], [6], true],
    ['memfd_create(MFD_CLOEXEC)', [rec('memfd_create', 5, { name: 'x', flags: 1 })], [5], false],
    ['memfd_create without MFD_CLOEXEC', [rec('memfd_create', 5, { name: 'x', flags: 0 })], [5], true],
    ['pipe2(O_CLOEXEC)', [rec('pipe2', 0, { fd1: 5, fd2: 6, flags: O_CLOEXEC, ino: 42 })], [5, 6], false],
    ['pipe', [rec('pipe', 0, { fd1: 5, fd2: 6, ino: 42 })], [5, 6], true],
    ['dup3(O_CLOEXEC) of a plain fd', [rec('dup3', 8, { oldfd: 3, newfd: 8, flags: O_CLOEXEC })], [8], false],
    ['dup2 of a close-on-exec socket', [rec('socket', 5, { domain: AF_INET, type: SOCK_STREAM | O_CLOEXEC, proto: 0 }), rec('dup2', 8, { oldfd: 5, newfd: 8 })], [8], true],
    ['fcntl(F_DUPFD_CLOEXEC)', [rec('fcntl', 8, { fd: 3, cmd: 1030 })], [8], false],
    ['pidfd_open (always close-on-exec)', [rec('pidfd_open', 5, { pid: 1, flags: 0 })], [5], false],
    ['userfaultfd(O_CLOEXEC)', [rec('userfaultfd', 5, { flags: O_CLOEXEC })], [5], false],
  ])('%s', (_what, records, nums, kept) => {
    const { m } = run([...records, EXEC]);
    for (const n of nums) expect(m.threads.get(100)?.fds.has(n), `fd ${n}`).toBe(kept);
  });
});
