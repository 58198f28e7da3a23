// syslog_output over TLS (tls://) through `falconet run` on the live host, to a real TLS collector on
// 127.0.0.1 that reads RFC 6587 octet-counted RFC 5424 frames: the certificate is checked against
// ca_cert, a client certificate is presented when configured, and a frame is exactly one alert.
// (rsyslog's TLS needs its gnutls driver; the unix, UDP and TCP paths are tested against rsyslog
// itself in outputs-syslog.test.ts.)
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { alertDir, createFiles } from './alerting.js';
import { kernelTestsPossible, startLive, until } from './env.js';
import { CLIENT_CN, makeTestPki, opensslProblem, type TestPki } from './tls.js';

const why = kernelTestsPossible() ?? opensslProblem();

interface Collector {
  port: number;
  frames: { text: string; cn?: string }[];
  close(): Promise<void>;
}

/** Reads octet-counted frames ("LEN SP MSG") off each connection. */
async function startCollector(pki: TestPki): Promise<Collector> {
  const frames: Collector['frames'] = [];
  const server = createServer(
    { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: false },
    (sock: TLSSocket) => {
      const peer = sock.getPeerCertificate();
      const cn = sock.authorized && peer?.subject ? String(peer.subject.CN) : undefined;
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp < 0) break;
          const len = Number(buf.subarray(0, sp).toString());
          if (buf.length < sp + 1 + len) break;
          frames.push({ text: buf.subarray(sp + 1, sp + 1 + len).toString('utf8'), cn });
          buf = buf.subarray(sp + 1 + len);
        }
      });
      sock.on('error', () => {});
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, frames, close: () => new Promise((r) => server.close(() => r())) };
}

describe('syslog_output over TLS, live', () => {
  let pki: TestPki;
  let collector: Collector;
  beforeAll(async () => {
    if (why) return;
    pki = makeTestPki(tempDir());
    collector = await startCollector(pki);
  });
  afterAll(async () => {
    await collector?.close();
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('sends one RFC 5424 frame per alert, with facility and severity, the client certificate, and hostile names escaped', async () => {
    const { dir, rules } = alertDir('CRITICAL');
    const live = await startLive([
      'run', '-r', rules,
      '-o', 'syslog_output.enabled=true', '-o', `syslog_output.address=tls://127.0.0.1:${collector.port}`, '-o', 'syslog_output.facility=local5',
      '-o', `syslog_output.ca_cert=${pki.caCert}`, '-o', `syslog_output.client_cert=${pki.clientCert}`, '-o', `syslog_output.client_key=${pki.clientKey}`,
    ]);
    try {
      createFiles(dir, ['ok', 'two\n<2>1 2026-01-01T00:00:00Z forged app - - - injected']);
      await until(() => collector.frames.filter((f) => f.text.includes(dir)).length >= 2, 10_000);
    } finally {
      await live.stop();
    }
    const mine = collector.frames.filter((f) => f.text.includes(dir));
    expect(mine).toHaveLength(2);
    const lines = live.out.stdout.split('\n').filter((l) => l.includes(dir));
    for (const [i, f] of mine.entries()) {
      // local5 (21) * 8 + crit (2) = 170
      const m = /^<170>1 (\S+) (\S+) falconet (\d+) alert - \ufeff(.*)$/s.exec(f.text);
      expect(m, f.text).not.toBeNull();
      expect(Number.isNaN(Date.parse(m![1]!))).toBe(false);
      expect(m![4]).toBe(lines[i]);
      expect(m![4]).not.toMatch(/[\n\r]/);
      expect(f.cn).toBe(CLIENT_CN);
    }
    expect(mine[1]!.text).toContain('two\\n<2>1 2026-01-01T00:00:00Z forged app');
  });

  it('does not send to a collector whose certificate its CA does not sign', async () => {
    const { dir, rules } = alertDir();
    const before = collector.frames.length;
    const live = await startLive([
      'run', '-r', rules, '-o', 'outputs_queue.drain_timeout_ms=300',
      '-o', 'syslog_output.enabled=true', '-o', `syslog_output.address=tls://127.0.0.1:${collector.port}`, '-o', `syslog_output.ca_cert=${pki.otherCaCert}`,
    ]);
    try {
      createFiles(dir, ['refused']);
      await until(() => /alert delivery failed/.test(live.out.stderr), 10_000);
    } finally {
      await live.stop();
    }
    expect(collector.frames.slice(before).filter((f) => f.text.includes(dir))).toHaveLength(0);
    expect(live.out.stderr).toMatch(/"err":"syslog tls:\/\/127\.0\.0\.1:\d+: [^"]*(certificate|UNABLE_TO_VERIFY)[^"]*"/);
  });
});
