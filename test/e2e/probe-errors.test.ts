// What a user sees when the probe cannot start, on the real kernel: without the capabilities to load
// BPF (root with an empty capability bounding set, as in an unprivileged container) and without
// kernel BTF (hidden by a tmpfs in a mount namespace of the test's own). A start that fails part-way
// (an attach, or the ring buffer's setup, refused for want of file descriptors under a low
// RLIMIT_NOFILE) leaves nothing attached or loaded. A ring buffer that can no longer be polled (its
// epoll fd closed under the poller, from inside the process) stops the probe with an error, and
// `falconet run` with exit code 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/cli.js';
import { kernelTestsPossible } from './env.js';

const why = kernelTestsPossible();
const CLI = join(ROOT, 'dist/cli/main.js');
const DROP_ALL_CAPS = ['--bounding-set', '-all', '--inh-caps', '-all', '--ambient-caps', '-all'];

describe('kernel probe start-up errors (e2e)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('without the capabilities to load BPF: names the cause and what to grant, and saves the libbpf log', () => {
    const dir = tempDir();
    const r = spawnSync('setpriv', [...DROP_ALL_CAPS, process.execPath, CLI, 'run', '--duration', '1'], { encoding: 'utf8', env: { ...process.env, TMPDIR: dir } });
    expect(r.status, r.stderr).toBe(2);
    const m = r.stderr.match(/falconet: cannot start the kernel probe \(EPERM\): loading the BPF programs was refused \(Operation not permitted\): run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE; libbpf log: (\S+)/);
    expect(m, r.stderr).not.toBeNull();
    const log = m![1]!;
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/Operation not permitted|permission/i);
    rmSync(log, { force: true });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a deployment mistake
  });

  it('without kernel BTF: names the file and the kernel option', () => {
    const r = spawnSync('unshare', ['--mount', 'sh', '-c', `mount -t tmpfs none /sys/kernel/btf && exec "${process.execPath}" ${CLI} run --duration 1`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('falconet: cannot start the kernel probe (ENOBTF): /sys/kernel/btf/vmlinux is missing: the kernel must be built with CONFIG_DEBUG_INFO_BTF=y');
  });

  it('a start that fails part-way (an attach, then the ring buffer) leaves no program, link or map behind', () => {
    // Under RLIMIT_NOFILE n the load, the k-th attach or the ring buffer's epoll runs out of fds,
    // depending on n: each n from too few for node up to enough is one real start that fails somewhere.
    const child = join(tempDir(), 'start.mjs');
    writeFileSync(child, START_CHILD);
    const outcomes = new Map<number, StartOutcome>();
    for (let n = 20; n <= 200; n++) {
      const r = spawnSync('prlimit', [`--nofile=${n}:${n}`, process.execPath, child], { encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) continue; // node itself could not start with so few fds
      const o = JSON.parse(line) as StartOutcome;
      outcomes.set(n, o);
      if (o.code === 'ok') break;
    }
    const all = [...outcomes.values()];
    expect(all.at(-1)?.code, JSON.stringify(all)).toBe('ok');
    expect(all.at(-1)?.fdsWhileOpen, 'a started probe holds its programs, links and maps').toBeGreaterThan(10);
    const attach = all.filter((o) => o.code === 'EATTACH');
    // part-way: the programs attach in name order, so a failure naming a later one came after others had attached
    expect(attach.map((o) => o.message.match(/cannot attach (\w+)/)?.[1])).toEqual(expect.arrayContaining(['x_close', 'x_unlinkat']));
    for (const o of attach) expect(o.message).toMatch(/: Too many open files/);
    const ring = all.filter((o) => o.code === 'ERINGBUF');
    expect(ring.length).toBeGreaterThan(0);
    expect(ring[0]!.message).toBe('cannot open the ring buffer: Too many open files');
    for (const o of [...attach, ...ring]) {
      expect(o.bpfFds, o.message).toEqual([]); // no fd of a program, link or map left in the process
      expect(o.leftover, o.message).toEqual({ maps: [], progs: [] }); // and none in the kernel (bpftool)
      expect(o.sawRingBefore).toBe(false);
    }
  }, 120_000);

  it('a ring buffer poll error stops the probe and reaches onError', () => {
    const child = join(tempDir(), 'poll.mjs');
    writeFileSync(child, POLL_CHILD);
    const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout.trim()) as { closed: number; code: string; message: string; bpfFds: string[] };
    expect(o.closed).toBeGreaterThan(2);
    expect(o.code).toBe('EPOLL');
    expect(o.message).toMatch(POLL_FAILED);
    expect(o.bpfFds).toEqual([]); // stopped: detached and closed
  });

  it('`falconet run` whose ring buffer cannot be polled logs why and exits 1 instead of running blind', async () => {
    const hook = join(tempDir(), 'close-ring-epoll.mjs');
    writeFileSync(hook, `${FIND_RING_EPOLL}
const t = setInterval(() => { const fd = ringEpollFd(); if (fd !== undefined) { clearInterval(t); closeSync(fd); process.stderr.write('test hook: closed the ring epoll fd ' + fd + '\\n'); } }, 100);
t.unref();
`);
    const child = spawn(process.execPath, ['--import', hook, CLI, 'run', '--duration', '30', '-o', 'webserver.listen_port=0'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toContain('test hook: closed the ring epoll fd');
    expect(stderr).toMatch(/the kernel probe stopped delivering events: stopping/);
    expect(stderr).toMatch(new RegExp(`"err":"${POLL_FAILED.source}"`));
    expect(stderr).toMatch(new RegExp(`"probeError":"${POLL_FAILED.source}"`)); // in the "stopped" line
    expect(code, stderr).toBe(1);
  }, 60_000);
});

// epoll_wait on the closed fd: EBADF, or EINVAL once the process reused the number for another file
const POLL_FAILED = /polling the ring buffer failed: (Bad file descriptor|Invalid argument)/;

interface StartOutcome {
  code: string;
  message: string;
  fdsWhileOpen?: number;
  bpfFds: string[];
  leftover: { maps: number[]; progs: number[] };
  sawRingBefore: boolean;
}

// A ring size no other test uses: its map (and any program using it) is this child's.
const RING = 1 << 17;
const BPF_FDS = `
import { readdirSync, readlinkSync, readFileSync, closeSync } from 'node:fs';
const links = () => readdirSync('/proc/self/fd').map((fd) => { try { return [Number(fd), readlinkSync('/proc/self/fd/' + fd)]; } catch { return [Number(fd), '']; } });
const bpfFds = () => links().map(([, l]) => l).filter((l) => l.startsWith('anon_inode:bpf'));
`;
// The epoll fd libbpf's ring_buffer__new made: the one watching a BPF ring buffer map (map_type 27).
const FIND_RING_EPOLL = `${BPF_FDS}
const ringEpollFd = () => {
  for (const [fd, l] of links()) {
    if (l !== 'anon_inode:[eventpoll]') continue;
    let info = '';
    try { info = readFileSync('/proc/self/fdinfo/' + fd, 'utf8'); } catch { continue; }
    for (const [, tfd] of info.matchAll(/^tfd:\\s+(\\d+)/gm)) {
      try { if (/^map_type:\\s+27$/m.test(readFileSync('/proc/self/fdinfo/' + tfd, 'utf8'))) return fd; } catch {}
    }
  }
  return undefined;
};
`;
const START_CHILD = `
import { execFileSync } from 'node:child_process';
import { openProbe } from '${ROOT}/dist/engine/probe/index.js';
${BPF_FDS}
const ours = () => {
  const maps = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show'], { encoding: 'utf8' })).filter((m) => m.type === 'ringbuf' && m.max_entries === ${RING}).map((m) => m.id);
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })).filter((p) => (p.map_ids ?? []).some((id) => maps.includes(id))).map((p) => p.id);
  return { maps, progs };
};
const sawRingBefore = ours().maps.length > 0;
let out;
try {
  const p = openProbe({ eventTypes: ['openat', 'close', 'unlinkat', 'mkdirat', 'chdir', 'fchdir'], ringBytes: ${RING}, onBatch() {} });
  out = { code: 'ok', message: '', fdsWhileOpen: bpfFds().length };
  p.stop();
} catch (e) {
  out = { code: e.code, message: e.message };
}
out.bpfFds = bpfFds();
// the kernel frees a map and its programs shortly after their last reference goes (deferred work)
for (let i = 0; i < 40 && (out.leftover = ours()).maps.length + out.leftover.progs.length > 0; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
out.sawRingBefore = sawRingBefore;
console.log(JSON.stringify(out));
`;
const POLL_CHILD = `
import { openProbe } from '${ROOT}/dist/engine/probe/index.js';
${FIND_RING_EPOLL}
const p = openProbe({ eventTypes: ['openat'], onBatch() {}, onError(err) {
  console.log(JSON.stringify({ closed, code: err.code, message: err.message, bpfFds: bpfFds() }));
  process.exit(0);
} });
const closed = ringEpollFd();
closeSync(closed);
setTimeout(() => { console.error('no onError within 10 s'); process.exit(1); }, 10_000);
`;
