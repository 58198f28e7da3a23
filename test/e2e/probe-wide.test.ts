// The wider syscall set against the real kernel (root): a child does file, directory, link,
// ownership, socket, fd and namespace operations; each must arrive with its params decoded.
// Where libc may pick either the classic or the *at syscall, both are requested and either counts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/engine/event.js';
import { decodeBatch, openProbe, probeUnavailableReason, type Probe } from '../../src/engine/probe/index.js';

const why = probeUnavailableReason();

const TYPES = [
  'clone', 'clone3', 'fork', 'vfork', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'link', 'linkat',
  'symlink', 'symlinkat', 'chmod', 'fchmodat', 'chown', 'fchownat', 'chdir', 'socket', 'bind', 'listen',
  'accept', 'accept4', 'connect', 'dup2', 'dup3', 'unshare', 'close',
];

// Runs in a child node: every call below is one the probe must report.
const CHILD = `
const fs = require('fs'), net = require('net'), d = process.argv[1];
fs.mkdirSync(d + '/sub', 0o750);
fs.chmodSync(d + '/sub', 0o700);
fs.symlinkSync('/etc/hostname', d + '/sym');
fs.writeFileSync(d + '/f', 'x');
fs.linkSync(d + '/f', d + '/hard');
fs.chownSync(d + '/f', 1, 2);
fs.unlinkSync(d + '/hard');
fs.rmdirSync(d + '/sub');
process.chdir(d);
const srv = net.createServer((s) => { s.destroy(); srv.close(); });
srv.listen(0, '127.0.0.1', () => { const c = net.connect(srv.address().port, '127.0.0.1', () => c.destroy()); });
`;

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(child.pid!) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

describe('kernel probe, wide syscall set (e2e)', () => {
  let probe: Probe;
  const records: RawRecord[] = [];
  let dir: string;
  let pid = 0;

  const of = (types: string[], p = pid): RawRecord[] => records.filter((r) => r.pid === p && types.includes(r.type));
  async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 150));
  }

  beforeAll(async () => {
    if (why) throw new Error(`the kernel probe cannot load: ${why}`);
    dir = mkdtempSync('/tmp/falconet-probe-wide-');
    probe = openProbe({ eventTypes: TYPES, onBatch: (buf) => decodeBatch(buf, probe.bootToEpochNs, records) });
    pid = await run(process.execPath, ['-e', CHILD, dir]);
    await settle();
  });

  afterAll(() => {
    probe?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('directories: mkdir with mode, rmdir, chdir', () => {
    const mk = of(['mkdir', 'mkdirat']).find((r) => r.args.path === `${dir}/sub`);
    expect(mk?.args.mode).toBe(0o750);
    expect(mk?.res).toBe(0);
    expect(of(['rmdir']).find((r) => r.args.path === `${dir}/sub`)?.res).toBe(0);
    expect(of(['chdir']).find((r) => r.args.path === dir)?.res).toBe(0);
  });

  it('links, unlink, chmod and chown with their arguments', () => {
    const sym = of(['symlink', 'symlinkat']).find((r) => r.args.linkpath === `${dir}/sym`);
    expect(sym?.args.target).toBe('/etc/hostname');
    const hard = of(['link', 'linkat']).find((r) => r.args.newpath === `${dir}/hard`);
    expect(hard?.args.oldpath).toBe(`${dir}/f`);
    expect(of(['unlink', 'unlinkat']).some((r) => (r.args.path ?? r.args.name) === `${dir}/hard` && r.res === 0)).toBe(true);
    const chmod = of(['chmod', 'fchmodat']).find((r) => r.args.filename === `${dir}/sub`);
    expect(chmod?.args.mode).toBe(0o700);
    const chown = of(['chown', 'fchownat']).find((r) => (r.args.path ?? r.args.pathname) === `${dir}/f`);
    expect(chown).toMatchObject({ res: 0, args: { uid: 1, gid: 2 } });
  });

  it('sockets: socket, bind, listen, accept4 with the peer, connect', () => {
    const sock = of(['socket']).find((r) => r.args.domain === 2);
    expect(sock?.res).toBeGreaterThanOrEqual(0);
    expect(sock?.args.fd).toBe(sock?.res);
    const bind = of(['bind']).find((r) => (r.args.addr as { ip?: string })?.ip === '127.0.0.1');
    expect(bind?.res).toBe(0);
    const listen = of(['listen']).find((r) => r.args.fd === bind?.args.fd);
    expect(listen?.res).toBe(0);
    const conn = of(['connect']).find((r) => (r.args.addr as { ip?: string })?.ip === '127.0.0.1');
    expect(conn).toBeDefined();
    const port = (conn!.args.addr as { port: number }).port;
    expect(port).toBeGreaterThan(0);
    expect([0, -115]).toContain(conn!.res); // libuv connects non-blocking: EINPROGRESS
    const acc = of(['accept', 'accept4']).find((r) => r.res >= 0);
    expect(acc?.args.listenfd).toBe(listen?.args.fd);
    expect(acc?.args.addr).toMatchObject({ family: 'ipv4', ip: '127.0.0.1' });
    expect(of(['close']).some((r) => r.args.fd === acc?.res)).toBe(true);
  });

  it('fork from a shell arrives as clone with the child tid, before the child runs', async () => {
    const sh = await run('sh', ['-c', 'true & wait']);
    await settle();
    const fork = of(['clone', 'clone3', 'fork', 'vfork'], sh)[0];
    expect(fork).toBeDefined();
    const child = Number(fork!.args.childtid);
    expect(fork!.res).toBe(child);
    const firstOfChild = records.findIndex((r) => r.tid === child);
    expect(firstOfChild === -1 || firstOfChild > records.indexOf(fork!)).toBe(true);
  });

  it('connect to IPv6 and unix socket addresses', async () => {
    const v6 = net.createServer((s) => s.destroy());
    const sockPath = `${dir}/s.sock`;
    const unix = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    await new Promise<void>((r) => unix.listen(sockPath, r));
    const port = (v6.address() as net.AddressInfo).port;
    const script = `const net = require('net'); let n = 0; const done = () => { if (++n === 2) process.exit(0); };
      net.connect(${port}, '::1').on('connect', done).on('error', done);
      net.connect(${JSON.stringify(sockPath)}).on('connect', done).on('error', done);`;
    try {
      const child = await run(process.execPath, ['-e', script]);
      await settle();
      const addrs = of(['connect'], child).map((r) => r.args.addr);
      expect(addrs).toContainEqual({ family: 'ipv6', ip: '::1', port });
      expect(addrs).toContainEqual({ family: 'unix', path: sockPath });
    } finally {
      v6.close();
      unix.close();
    }
  });

  it('dup2 and unshare', async () => {
    const bash = await run('bash', ['-c', 'exec 5>&2']);
    const unsh = await run('unshare', ['-U', 'true']).catch(() => 0);
    await settle();
    expect(of(['dup2', 'dup3'], bash).some((r) => r.args.newfd === 5 && r.args.oldfd === 2 && r.res === 5)).toBe(true);
    if (unsh) expect(of(['unshare'], unsh).some((r) => (Number(r.args.flags) & 0x10000000) !== 0 && r.res === 0)).toBe(true);
  });
});
