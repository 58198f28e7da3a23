// The probe against the real kernel (root): start it for a set of event types, make child processes
// do things, and check the records. A probe that cannot load fails these tests with the reason: they
// never skip, so a machine without root, BTF or the built addon cannot pass for a tested one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from './env.js';
import type { RawRecord } from '../../src/engine/event.js';
import { decodeBatch, openProbe, probeUnavailableReason, type Probe } from '../../src/engine/probe/index.js';

const why = probeUnavailableReason();

const WANTED = ['execve', 'execveat', 'openat', 'rename', 'renameat', 'renameat2', 'connect', 'setuid', 'procexit'];
const O_WRONLY = 0o1;
const O_CREAT = 0o100;


describe('kernel probe (e2e)', () => {
  let probe: Probe;
  const records: RawRecord[] = [];
  let dir: string;

  /** Waits until the records delivered so far satisfy pred (batches flush every 20 ms). */
  async function find(pred: (r: RawRecord) => boolean, what: string): Promise<RawRecord> {
    for (let i = 0; i < 100; i++) {
      const hit = records.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${what} record among ${records.length}`);
  }

  beforeAll(() => {
    if (why) throw new Error(`the kernel probe cannot load: ${why}`);
    dir = mkdtempSync('/tmp/falconet-probe-e2e-');
    probe = openProbe({ eventTypes: WANTED, onBatch: (buf) => decodeBatch(buf, probe.bootToEpochNs, records) });
  });

  afterAll(() => {
    probe?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tells execveat (fexecve) from execve, also after a failed execveat', async () => {
    const py = [
      'import os',
      'try:',
      "  os.execve(os.open('/etc/hostname', os.O_RDONLY), ['not-a-program'], {})",
      'except OSError:',
      '  pass',
      "os.execve(os.open('/bin/true', os.O_RDONLY), ['fexec-true'], {})",
    ].join('\n');
    const pid = await runChild('python3', ['-c', py]);
    const at = await find((x) => x.type === 'execveat' && x.pid === pid && x.res === 0, 'execveat');
    expect(at.args.exe).toBe('fexec-true');
    expect(at.args.dirfd).toBeGreaterThanOrEqual(0);
    expect(Number(at.args.flags) & 0x1000).toBe(0x1000); // AT_EMPTY_PATH
    expect(String(at.args.trusted_exepath)).toMatch(/^\/(usr\/)?bin\/true$/);
    const failed = await find((x) => x.type === 'execveat' && x.pid === pid && x.res < 0, 'failed execveat');
    expect(failed.res).toBeLessThan(0); // /etc/hostname is no program
    const plain = await runChild('/bin/true', []);
    expect((await find((x) => x.pid === plain && x.res === 0 && (x.type === 'execve' || x.type === 'execveat'), 'exec')).type).toBe('execve');
  });

  it('reports execve with pid, ppid, exe, args and filename', async () => {
    const script = 'exit 0';
    const pid = await runChild('sh', ['-c', script]);
    // execvp tries each PATH entry first: those failed execs are records too
    const r = await find((x) => x.type === 'execve' && x.pid === pid && x.res === 0, 'execve');
    expect(r.ppid).toBe(process.pid);
    expect(r.tid).toBe(pid);
    expect(r.res).toBe(0);
    expect(r.comm).toBe('sh');
    expect(r.args.exe).toBe('sh');
    expect(r.args.args).toEqual(['-c', script]);
    expect(String(r.args.filename)).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(r.ts).toBeGreaterThan(BigInt(Date.now() - 60_000) * 1_000_000n);
    expect(r.ts).toBeLessThan(BigInt(Date.now() + 1_000) * 1_000_000n);
    await find((x) => x.type === 'procexit' && x.tid === pid, 'procexit');
  });

  it('reports a failed execve with its result and filename', async () => {
    const pid = await runChild('sh', ['-c', '/nonexistent/falconet-nope 2>/dev/null; exit 0']);
    // sh forks for the command: the failed exec is its child's
    const r = await find((x) => x.type === 'execve' && x.ppid === pid && x.args.filename === '/nonexistent/falconet-nope', 'failed execve');
    expect(r.res).toBe(-2); // ENOENT
    expect(r.args.filename).toBe('/nonexistent/falconet-nope');
  });

  it('reports openat with path, flags, mode and the new fd, then the rename', async () => {
    const file = path.join(dir, 'written');
    const moved = path.join(dir, 'moved');
    const pid = await runChild('sh', ['-c', `echo hi > ${file} && mv ${file} ${moved} && rm ${moved}`]);
    const open = await find((x) => x.type === 'openat' && x.pid === pid && x.args.name === file, 'openat');
    expect(Number(open.args.flags) & (O_CREAT | O_WRONLY)).toBe(O_CREAT | O_WRONLY);
    expect(open.args.dirfd).toBe(-100);
    expect(open.res).toBeGreaterThanOrEqual(0);
    expect(open.args.fd).toBe(open.res);
    expect(Number(open.args.ino)).toBeGreaterThan(0);
    const ren = await find((x) => x.type.startsWith('rename') && x.args.oldpath === file, 'rename*');
    expect(ren.args.newpath).toBe(moved);
    expect(ren.res).toBe(0);
    expect(ren.ppid).toBe(pid);
  });

  it('reports connect to a local listening port with address, port and result', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const pid = await runChild('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
      // bash may first reach a name service over a unix socket (nscd on some hosts): wait for the inet one
      const r = await find((x) => x.type === 'connect' && x.pid === pid && (x.args.addr as { family?: string })?.family === 'ipv4', 'connect');
      expect(r.args.addr).toEqual({ family: 'ipv4', ip: '127.0.0.1', port });
      expect(r.res).toBe(0);
      expect(typeof r.args.fd).toBe('number');
    } finally {
      server.close();
    }
  });

  it('reports setuid in a child with the uid argument and result', async () => {
    const pid = await runChild(process.execPath, ['-e', 'process.setuid(65534)']);
    const r = await find((x) => x.type === 'setuid' && x.pid === pid, 'setuid');
    expect(r.args.uid).toBe(65534);
    expect(r.res).toBe(0);
  });

  it('never delivers types that were not requested, nor the monitor own syscalls', async () => {
    writeFileSync(path.join(dir, 'self'), 'x'); // openat by this (excluded) process
    await runChild('sh', ['-c', `touch ${dir}/gone && rm ${dir}/gone`]); // unlinkat, close: not requested
    await find((x) => x.type === 'procexit' && x.comm === 'rm', 'procexit of rm');
    const types = new Set(records.map((r) => r.type));
    // cgroup records come whatever was asked: they name the paths of the cgroup ids the others carry
    for (const t of types) if (t !== 'cgroup') expect(WANTED).toContain(t);
    expect(types.has('unlinkat')).toBe(false);
    expect(types.has('close')).toBe(false);
    expect(records.filter((r) => r.pid === process.pid)).toEqual([]);
    expect(probe.stats()).toMatchObject({ ringDrops: 0, batchDrops: 0 });
    expect(probe.stats().received).toBeGreaterThanOrEqual(records.length);
  });
});

describe('kernel probe errors', () => {
  it('rejects event types schema.ts does not know', () => {
    expect(() => openProbe({ eventTypes: ['nosuchcall'], onBatch: () => {} })).toThrow(expect.objectContaining({ code: 'EUNKNOWNTYPE' }));
  });

  it('lists requested types the probe cannot emit instead of failing', () => {
    // every syscall type of schema.ts is emitted now; 'drop' is known to it but made by the engine
    const p = openProbe({ eventTypes: ['execve', 'drop'], onBatch: () => {} });
    try {
      expect(p.unsupported).toEqual(['drop']);
    } finally {
      p.stop();
    }
  });

  it('rejects a ring size that is not a power of two', () => {
    expect(() => openProbe({ eventTypes: ['execve'], ringBytes: 5000, onBatch: () => {} })).toThrow(expect.objectContaining({ code: 'EBADOPTION' }));
  });
});

describe('kernel probe drop accounting', () => {
  const OPENS = `const fs = require('fs'); for (let i = 0; i < 20000; i++) fs.closeSync(fs.openSync('/dev/null', 'r'));`;

  it('counts records the kernel could not fit in a full ring buffer', async () => {
    let delivered = 0;
    const p = openProbe({ eventTypes: ['openat'], ringBytes: 4096, batchMs: 50, onBatch: (b) => (delivered += decodeBatch(b, 0n).length) });
    try {
      await runChild(process.execPath, ['-e', OPENS]);
      p.stop(); // stats stay readable; the last batch is still delivered
      await new Promise((r) => setTimeout(r, 100));
      const s = p.stats();
      expect(s.ringDrops).toBeGreaterThan(0);
      expect(s.received + s.ringDrops).toBeGreaterThanOrEqual(20000);
      expect(s.batchDrops).toBe(0);
      expect(delivered).toBe(s.received);
    } finally {
      p.stop();
    }
  });

  it('counts records dropped when JS falls behind by more than maxInflight batches', async () => {
    const p = openProbe({
      eventTypes: ['openat'],
      batchBytes: 1,
      maxInflight: 1,
      onBatch: () => {
        const until = Date.now() + 2;
        while (Date.now() < until); // a slow consumer
      },
    });
    try {
      await runChild(process.execPath, ['-e', OPENS]);
      p.stop();
      const s = p.stats();
      expect(s.batchDrops).toBeGreaterThan(0);
      expect(s.batches + s.batchDrops).toBe(s.received); // one record per batch here
    } finally {
      p.stop();
    }
  });
});
