import { describe, expect, it } from 'vitest';
import { openSync, closeSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { bootTimeNs, parseStat, readProcTable } from './procfs.js';
import { decodeProcAddr } from './procnet.js';

describe('procfs', () => {
  it('parses stat lines whose comm holds spaces and parentheses', () => {
    const s = parseStat('42 (a (b) c) S 7 42 42 34816 0 0 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0');
    expect(s).toMatchObject({ ppid: 7, pgid: 42, sid: 42, tty: 34816, startTicks: 12345n });
  });

  it('decodes /proc/net addresses', () => {
    expect(decodeProcAddr('0100007F:1F90')).toEqual({ ip: '127.0.0.1', port: 8080 });
    expect(decodeProcAddr('00000000000000000000000001000000:0050')).toEqual({ ip: '::1', port: 80 });
  });

  it('reads this very process with its exe, args, cwd and an fd it opened', () => {
    const fd = openSync('/etc/hostname', 'r');
    try {
      const me = readProcTable('/proc').find((p) => p.pid === process.pid);
      expect(me).toBeDefined();
      expect(me?.exepath).toBe(process.execPath);
      expect(me?.cwd).toBe(process.cwd());
      expect(me?.ppid).toBe(process.ppid);
      expect(me?.fds.find((f) => f.num === fd)).toMatchObject({ type: 'file', name: '/etc/hostname' });
      const age = BigInt(Date.now()) * 1_000_000n - (me?.startTs ?? 0n);
      expect(age > 0n && age < 3_600_000_000_000n).toBe(true);
      expect(bootTimeNs('/proc') > 0n).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it("gives a listening socket its address, from the host's network namespace (pid 1's)", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const me = readProcTable('/proc').find((p) => p.pid === process.pid);
      expect(me?.fds.find((f) => f.cport === port)).toMatchObject({ type: 'ipv4', l4proto: 'tcp', name: `127.0.0.1:${port}`, isServer: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
