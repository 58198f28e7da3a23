// The fd table without guesses, proven live with `falconet run`: fds received over SCM_RIGHTS (whose
// origin the monitor never saw) have no name, not one built from the cwd, and a path relative to
// such a dirfd stays unresolved; fds made close-on-exec by socket(SOCK_CLOEXEC), accept4(SOCK_CLOEXEC)
// and memfd_create(MFD_CLOEXEC) are gone after an exec, so the new image's write to their numbers
// meets no stale socket or memfd. The actors are python3 run through symlinks with this worker's
// tag as their name (the kernel names a task after the file it execs), so proc.name tells them apart.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible();

const TAG = `fds${process.pid % 100000}`;
const RECEIVER = `${TAG}r`;
const EXECER = `${TAG}e`;
const AFTER = `${TAG}x`;

// A child opens a file and a directory and passes both fds over a socketpair; the parent (the
// process the rules watch) writes to the file fd, then creates a file relative to the directory fd.
const RECEIVE = `
import os, socket, sys
d = sys.argv[1]
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    f = os.open(d + '/passed.txt', os.O_WRONLY | os.O_CREAT, 0o644)
    dfd = os.open(d + '/sub', os.O_RDONLY | os.O_DIRECTORY)
    socket.send_fds(a, [b'x'], [f, dfd])
    os._exit(0)
os.waitpid(pid, 0)
_, (f, dfd), _, _ = socket.recv_fds(b, 1, 2)
os.write(f, b'hello')
g = os.open('made-relative.txt', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd)
os.write(g, b'x')
print(f, dfd, g, flush=True)
`;

// Sockets and a memfd made close-on-exec at numbers the next image's startup does not reach (40 fds
// of /dev/null below them, all O_CLOEXEC too), then an exec of a program that writes to each number.
const EXEC = `
import os, socket, sys
for _ in range(40):
    os.open('/dev/null', os.O_RDONLY | os.O_CLOEXEC)
lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
lst.bind(('127.0.0.1', 0))
lst.listen(1)
cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
cli.connect(lst.getsockname())
acc, _ = lst.accept()  # accept4(SOCK_CLOEXEC): Python makes every new fd non-inheritable
mem = os.memfd_create('falconet-cloexec', os.MFD_CLOEXEC)
nums = [lst.fileno(), cli.fileno(), acc.fileno(), mem]
print(*nums, flush=True)
code = 'import os, sys\\nfor n in sys.argv[1:]:\\n    try: os.write(int(n), b"x")\\n    except OSError as e: print(n, e.errno, flush=True)'
os.execv(sys.argv[1], [sys.argv[1], '-c', code, *map(str, nums)])
`;

describe('fd state without guesses (falconet run, live kernel)', () => {
  const dir = tempDir();
  const work = join(dir, 'cwd');
  let alerts: JsonAlert[] = [];
  let received: number[] = [];
  let cloexec: number[] = [];
  let afterOut = '';

  beforeAll(async () => {
    if (why) return;
    mkdirSync(work);
    mkdirSync(join(dir, 'sub'));
    for (const name of [RECEIVER, EXECER, AFTER]) symlinkSync('/usr/bin/python3', join(dir, name));
    const rules = join(dir, 'fd-state.yaml');
    writeFileSync(rules, `
- rule: Write by receiver
  desc: writes by the process that received fds over SCM_RIGHTS
  condition: evt.type = write and proc.name = ${RECEIVER}
  output: "recv-write num=%fd.num name=%fd.name dir=%fd.directory file=%fd.filename type=%fd.type"
  priority: NOTICE
- rule: Open by receiver
  desc: the receiver's open relative to a received directory fd
  condition: evt.type in (open, openat) and proc.name = ${RECEIVER} and fd.nameraw = made-relative.txt
  output: "recv-open num=%fd.num name=%fd.name dir=%fd.directory file=%fd.filename name_arg=%evt.arg.name"
  priority: NOTICE
- rule: Write after exec
  desc: writes by the image that replaced the close-on-exec fds' owner
  condition: evt.type = write and proc.name = ${AFTER}
  output: "after-write num=%fd.num name=%fd.name type=%fd.type res=%evt.res"
  priority: NOTICE
`);
    ({ alerts } = await watchJson(['-r', rules], () => {
      const r = spawnSync(join(dir, RECEIVER), ['-c', RECEIVE, dir], { cwd: work, encoding: 'utf8', timeout: 20_000 });
      if (r.status !== 0) throw new Error(`receiver failed: ${r.stderr}`);
      received = r.stdout.trim().split(/\s+/).map(Number);
      const e = spawnSync(join(dir, EXECER), ['-c', EXEC, join(dir, AFTER)], { cwd: work, encoding: 'utf8', timeout: 20_000 });
      if (e.status !== 0) throw new Error(`exec test failed: ${e.stderr}`);
      const [first, ...rest] = e.stdout.trim().split('\n');
      cloexec = first!.split(/\s+/).map(Number);
      afterOut = rest.join('\n');
    }, 2500));
  }, 120_000);

  const one = (rule: string, num: number): JsonAlert['output_fields'] => {
    const hits = alerts.filter((a) => a.rule === rule && a.output_fields['fd.num'] === num);
    expect(hits.map((h) => h.output), `${rule} on fd ${num}: ${alerts.map((a) => a.output).join('\n')}`).toHaveLength(1);
    return hits[0]!.output_fields;
  };

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('the actors ran as planned', () => {
    expect(received).toHaveLength(3);
    expect(readFileSync(join(dir, 'passed.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(dir, 'sub', 'made-relative.txt'), 'utf8')).toBe('x');
    // Every close-on-exec fd was really closed by the exec: the new image's writes failed with EBADF.
    expect(cloexec).toHaveLength(4);
    expect(afterOut.split('\n').sort()).toEqual(cloexec.map((n) => `${n} 9`).sort());
  });

  it('gives a write to an fd received over SCM_RIGHTS no name rather than a guessed one', () => {
    const f = one('Write by receiver', received[0]!);
    expect(f['fd.name']).toBeNull();
    expect(f['fd.directory']).toBeNull();
    expect(f['fd.filename']).toBeNull();
    expect(f['fd.type']).toBe('unknown');
  });

  it('leaves an open relative to a received directory fd unnamed, never joined to the cwd', () => {
    const open = one('Open by receiver', received[2]!);
    expect(open['fd.name']).toBeNull();
    expect(open['fd.directory']).toBeNull();
    expect(open['fd.filename']).toBeNull();
    expect(open['evt.arg.name']).toBe('made-relative.txt');
    const write = one('Write by receiver', received[2]!);
    expect(write['fd.name']).toBeNull();
    for (const a of alerts) expect(JSON.stringify(a.output_fields)).not.toContain(work);
  });

  it.each([
    ['a listening socket(SOCK_CLOEXEC)', 0],
    ['a connected socket(SOCK_CLOEXEC)', 1],
    ['an accept4(SOCK_CLOEXEC) socket', 2],
    ['a memfd_create(MFD_CLOEXEC) memfd', 3],
  ])('forgets %s on exec: the new image writes to no stale fd', (_what, i) => {
    const f = one('Write after exec', cloexec[i]!);
    expect(f['evt.res']).toBe('EBADF');
    expect(f['fd.type']).toBe('unknown');
    expect(f['fd.name']).toBeNull();
  });
});
