// The wider syscall set against the real kernel (root): a child does file, directory, link,
// ownership, socket, fd and namespace operations; each must arrive with its params decoded.
// Where libc may pick either the classic or the *at syscall, both are requested and either counts.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from './env.js';
import type { RawRecord } from '../../src/engine/event.js';
import { decodeBatch, openProbe, probeUnavailableReason, type Probe } from '../../src/engine/probe/index.js';

const why = probeUnavailableReason();

const TYPES = [
  'clone', 'clone3', 'fork', 'vfork', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'link', 'linkat',
  'symlink', 'symlinkat', 'chmod', 'fchmodat', 'chown', 'fchownat', 'chdir', 'socket', 'bind', 'listen',
  'accept', 'accept4', 'connect', 'dup2', 'dup3', 'unshare', 'close', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg',
  'pipe', 'pipe2', 'kill', 'prctl',
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
    pid = await runChild(process.execPath, ['-e', CHILD, dir]);
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
    // the local end the kernel picked for the connecting socket, which the server then sees as its peer
    const local = conn!.args.laddr as { family: string; ip: string; port: number };
    expect(local).toMatchObject({ family: 'ipv4', ip: '127.0.0.1' });
    expect(local.port).toBeGreaterThan(0);
    const acc = of(['accept', 'accept4']).find((r) => r.res >= 0);
    expect(acc?.args.listenfd).toBe(listen?.args.fd);
    expect(acc?.args.addr).toEqual(local);
    expect(acc?.args.laddr).toEqual({ family: 'ipv4', ip: '127.0.0.1', port });
    expect(of(['close']).some((r) => r.args.fd === acc?.res)).toBe(true);
  });

  it('fork from a shell arrives as clone with the child tid, before the child runs', async () => {
    const sh = await runChild('sh', ['-c', 'true & wait']);
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
      const child = await runChild(process.execPath, ['-e', script]);
      await settle();
      const addrs = of(['connect'], child).map((r) => r.args.addr);
      expect(addrs).toContainEqual({ family: 'ipv6', ip: '::1', port });
      expect(addrs).toContainEqual({ family: 'unix', path: sockPath });
    } finally {
      v6.close();
      unix.close();
    }
  });

  describe('datagrams to a loopback echo port the test opened, pipes, kill and prctl', () => {
    let echo: dgram.Socket;
    let port = 0;
    let nodeChild = 0;
    let perlChild = 0;
    const O_CLOEXEC = 0o2000000;
    const PR_SET_NAME = 15;
    // libuv sends and receives datagrams with sendmsg/recvmsg, starts its signal pipe with pipe2, and
    // sets process.title with prctl(PR_SET_NAME); perl's send/recv are sendto/recvfrom, and
    // syscall(22) is the classic pipe (glibc's pipe() is pipe2 nowadays).
    const NODE = (p: number) => `const u = require('dgram').createSocket('udp4');
      u.on('message', () => { process.kill(process.pid, 0); process.title = 'fn-prctl-test'; u.close(); });
      u.bind(0, '127.0.0.1', () => u.send('ping', ${p}, '127.0.0.1'));`;
    const PERL = (p: number) => `use Socket; socket(my $s, PF_INET, SOCK_DGRAM, 0) or die;
      send($s, "ping", 0, sockaddr_in(${p}, inet_aton("127.0.0.1"))) == 4 or die;
      defined recv($s, my $buf, 100, 0) or die; $buf eq "ping" or die;
      my $fds = "\\0" x 8; syscall(22, $fds) == 0 or die;
      my ($b0, $b1, $b2) = ("z" x 5, "x" x 3, "y" x 4);
      syscall(44, 1000, $b0, 5, 0, 0, 0); # sendto on a closed fd: EBADF
      my $ptr = sub { unpack("Q", pack("p", $_[0])) };
      my $iov = pack("QQQQ", $ptr->($b1), 3, $ptr->($b2), 4);
      my $msg = pack("QiiQQQQIi", 0, 0, 0, $ptr->($iov), 2, 0, 0, 0, 0);
      syscall(47, 1000, $msg, 0); # recvmsg, the same`;

    beforeAll(async () => {
      echo = dgram.createSocket('udp4');
      echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
      await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
      port = echo.address().port;
      nodeChild = await runChild(process.execPath, ['-e', NODE(port)]);
      perlChild = await runChild('perl', ['-e', PERL(port)]);
      await settle();
    });
    afterAll(() => echo?.close());

    const peer = () => ({ family: 'ipv4', ip: '127.0.0.1', port });

    it('sendmsg and recvmsg carry the size and the peer address', () => {
      const sent = of(['sendmsg'], nodeChild).find((r) => r.res === 4);
      expect(sent?.args).toMatchObject({ size: 4, tuple: peer() });
      expect(sent!.args.fd).toBeGreaterThanOrEqual(0);
      // the child bound 127.0.0.1 on an ephemeral port: the local end of both calls
      const local = sent!.args.laddr as { family: string; ip: string; port: number };
      expect(local).toMatchObject({ family: 'ipv4', ip: '127.0.0.1' });
      expect(local.port).toBeGreaterThan(0);
      const got = of(['recvmsg'], nodeChild).find((r) => r.res === 4);
      expect(got?.args).toMatchObject({ fd: sent!.args.fd, size: 4, tuple: peer(), laddr: local });
    });

    it('sendto and recvfrom carry the size and the peer address', () => {
      const sent = of(['sendto'], perlChild).find((r) => r.res === 4);
      expect(sent?.args).toMatchObject({ size: 4, tuple: peer() });
      // never bound: the kernel bound it to 0.0.0.0 and an ephemeral port on the first send
      const local = sent!.args.laddr as { family: string; ip: string; port: number };
      expect(local).toMatchObject({ family: 'ipv4', ip: '0.0.0.0' });
      expect(local.port).toBeGreaterThan(0);
      const got = of(['recvfrom'], perlChild).find((r) => r.args.fd === sent!.args.fd);
      expect(got).toMatchObject({ res: 4, args: { size: 4, tuple: peer(), laddr: local } });
    });

    it('a failed send or receive reports the size asked for, summed over the iovecs', () => {
      expect(of(['sendto'], perlChild).find((r) => r.args.fd === 1000)).toMatchObject({ res: -9, args: { size: 5 } });
      const rm = of(['recvmsg'], perlChild).find((r) => r.args.fd === 1000);
      expect(rm).toMatchObject({ res: -9, args: { size: 7 } });
      expect(rm!.args.tuple).toBeUndefined();
      expect(rm!.args.laddr).toBeUndefined();
    });

    it('pipe and pipe2 report the two new fds and the pipe inode', () => {
      const p2 = of(['pipe2'], nodeChild).find((r) => r.res === 0 && (Number(r.args.flags) & O_CLOEXEC) !== 0);
      expect(p2).toBeDefined();
      const [a, b] = [Number(p2!.args.fd1), Number(p2!.args.fd2)];
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeGreaterThan(a);
      const p1 = of(['pipe'], perlChild).find((r) => r.res === 0);
      expect(Number(p1?.args.fd1)).toBeGreaterThanOrEqual(0);
      expect(Number(p1?.args.fd2)).toBe(Number(p1?.args.fd1) + 1);
      expect(Number(p2!.args.ino)).toBeGreaterThan(0);
      expect(Number(p1!.args.ino)).toBeGreaterThan(0);
      expect(p1!.args.ino).not.toBe(p2!.args.ino);
    });

    it('kill with the target pid and signal, prctl with its option', () => {
      expect(of(['kill'], nodeChild).find((r) => r.args.pid === nodeChild)).toMatchObject({ res: 0, args: { sig: 0 } });
      const name = of(['prctl'], nodeChild).find((r) => r.args.option === PR_SET_NAME);
      expect(name?.res).toBe(0);
      expect(Number(name?.args.arg2)).toBeGreaterThan(0); // the name's address
      expect(name?.comm).toBe('fn-prctl-test'); // the header's comm is read after the rename
    });
  });

  it('dup2 and unshare', async () => {
    const bash = await runChild('bash', ['-c', 'exec 5>&2']);
    const unsh = await runChild('unshare', ['-U', 'true']).catch(() => 0);
    await settle();
    expect(of(['dup2', 'dup3'], bash).some((r) => r.args.newfd === 5 && r.args.oldfd === 2 && r.res === 5)).toBe(true);
    if (unsh) expect(of(['unshare'], unsh).some((r) => (Number(r.args.flags) & 0x10000000) !== 0 && r.res === 0)).toBe(true);
  });
});
